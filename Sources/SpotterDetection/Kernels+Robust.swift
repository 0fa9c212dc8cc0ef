/// Robust statistics of small sample sets: the lower median and the median absolute deviation (MAD).
///
/// "Lower median" is the value at index (n − 1) / 2 of the sorted samples, for both the median and the MAD, so
/// the histogram and sorting versions agree exactly.
public enum RobustKernels {
    /// Median and MAD of 8-bit samples given as a 256-bin histogram with `count` samples in all.
    ///
    /// - Complexity: O(256), no allocation.
    public static func medianMAD(histogram h: UnsafePointer<UInt32>, count: Int) -> (median: Float, mad: Float) {
        guard count > 0 else { return (0, 0) }
        let rank = UInt32((count - 1) / 2)
        var cumulative: UInt32 = 0
        var median = 0
        for v in 0..<256 {
            cumulative += h[v]
            if cumulative > rank { median = v; break }
        }
        cumulative = h[median]
        var d = 0
        while cumulative <= rank {
            d += 1
            if median - d >= 0 { cumulative += h[median - d] }
            if median + d <= 255 { cumulative += h[median + d] }
        }
        return (Float(median), Float(d))
    }

    /// Reference: median and MAD by sorting.
    public static func medianMADReference(_ samples: [Float]) -> (median: Float, mad: Float) {
        guard !samples.isEmpty else { return (0, 0) }
        let sorted = samples.sorted()
        let median = sorted[(sorted.count - 1) / 2]
        let deviations = samples.map { abs($0 - median) }.sorted()
        return (median, deviations[(deviations.count - 1) / 2])
    }

    /// Lower median of `count` (at most 9) values in `v`, sorted in place by insertion (no allocation).
    @inline(__always)
    static func smallMedian(_ v: UnsafeMutablePointer<Float>, count: Int) -> Float {
        for i in 1..<max(1, count) {
            let x = v[i]
            var j = i - 1
            while j >= 0 && v[j] > x {
                v[j + 1] = v[j]
                j -= 1
            }
            v[j + 1] = x
        }
        return v[(count - 1) / 2]
    }
}
