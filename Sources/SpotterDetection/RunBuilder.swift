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

    /// Same runs as the reference: skips to each run's first pixel with `ThresholdKernels.firstAtLeast` (a vector
    /// compare per eight values, or with `avx2` per 32), then extends the run one pixel at a time.
    ///
    /// - Complexity: O(count), no allocation beyond `runs`' growth.
    public static func runs(
        _ values: UnsafePointer<Float>, count: Int, threshold: Float, into runs: inout [Run], avx2: Bool = false
    ) {
        var i = 0
        while true {
            i = ThresholdKernels.firstAtLeast(values, from: i, count: count, threshold: threshold, avx2: avx2)
            if i >= count { return }
            let first = values[i]
            var run = Run(x0: i, x1: i + 1, scoreSum: Double(first), peak: first, peakX: i)
            i += 1
            while i < count {
                let v = values[i]
                guard v >= threshold else { break }
                run.scoreSum += Double(v)
                if v > run.peak { run.peak = v; run.peakX = i }
                i += 1
            }
            run.x1 = i
            runs.append(run)
        }
    }
}
