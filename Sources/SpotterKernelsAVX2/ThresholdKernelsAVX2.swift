/// Finding the next value at or above a threshold in a long row of scores, for x86-64-v3: `ThresholdKernels.firstAtLeast`
/// (SpotterDetection) with 32 values a step in four YMM compares. Call only after `spc_cpu_has_avx2_fma()` said yes.
public enum ThresholdKernelsAVX2 {
    /// The first `i` in `start..<count` with `values[i] >= threshold`, or `count` when there is none.
    ///
    /// - Complexity: O(count − start), no allocation.
    @inline(never)
    public static func firstAtLeast(_ values: UnsafePointer<Float>, from start: Int, count: Int, threshold: Float) -> Int {
        let raw = UnsafeRawPointer(values)
        let t = SIMD8<Float>(repeating: threshold)
        var i = start
        while i &+ 32 <= count {
            let a = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self) .>= t
            let b = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self) .>= t
            let c = raw.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD8<Float>.self) .>= t
            let d = raw.loadUnaligned(fromByteOffset: (i &+ 24) &* 4, as: SIMD8<Float>.self) .>= t
            if any(a .| b .| c .| d) { break }
            i &+= 32
        }
        while i &+ 8 <= count {
            if any(raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self) .>= t) { break }
            i &+= 8
        }
        while i < count {
            if values[i] >= threshold { return i }
            i &+= 1
        }
        return count
    }
}
