/// Turns a row of per-pixel scores into runs of consecutive pixels at or above a threshold.
public enum RunBuilder {
    /// Appends the runs of `values[0..<count] >= threshold` to `runs`. Reference: tests every pixel.
    public static func runsReference(
        _ values: UnsafePointer<Float>, count: Int, threshold: Float, into runs: inout [Run]
    ) {
        var i = 0
        while i < count {
            if values[i] >= threshold {
                var run = Run(x0: i, x1: i, scoreSum: 0, peak: -.infinity, peakX: i)
                while i < count && values[i] >= threshold {
                    run.scoreSum += Double(values[i])
                    if values[i] > run.peak { run.peak = values[i]; run.peakX = i }
                    i += 1
                }
                run.x1 = i
                runs.append(run)
            } else {
                i += 1
            }
        }
    }

    /// Same runs as the reference, skipping stretches without hits a chunk at a time.
    public static func runs(
        _ values: UnsafePointer<Float>, count: Int, threshold: Float, into runs: inout [Run]
    ) {
        var open = false
        var run = Run(x0: 0, x1: 0, scoreSum: 0, peak: 0, peakX: 0)
        var last = -2
        ThresholdKernels.forEachAtLeast(values, count: count, threshold: threshold) { i in
            let v = values[i]
            if open && i == last + 1 {
                run.scoreSum += Double(v)
                if v > run.peak { run.peak = v; run.peakX = i }
            } else {
                if open {
                    run.x1 = last + 1
                    runs.append(run)
                }
                run = Run(x0: i, x1: i + 1, scoreSum: Double(v), peak: v, peakX: i)
                open = true
            }
            last = i
        }
        if open {
            run.x1 = last + 1
            runs.append(run)
        }
    }
}
