/// The global RX detector's per-pixel scoring for x86-64-v3: the loop of `RXKernels.score` (SpotterDetection)
/// compiled for AVX2, so the vectoriser works eight pixels at a time instead of four.
///
/// Like everything in this module it may run only after `spc_cpu_has_avx2_fma()` said yes. The arithmetic is the
/// baseline kernel's, operation for operation, with no fused multiply-adds (Swift does not contract `a * b + c`), so
/// the scores are the same bits as the baseline's: a test compares them.
public enum RXKernelsAVX2 {
    /// d² of `count` RGBX pixels (one little-endian word each) against the model `mean` and upper-triangle inverse
    /// covariance `a` (a00, a11, a22, a01, a02, a12, off-diagonal terms doubled); returns whether any is at least
    /// `threshold`.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    public static func score(
        _ q: UnsafePointer<UInt32>, count: Int, mean: (Float, Float, Float),
        inverse a: (Float, Float, Float, Float, Float, Float), threshold: Float, into out: UnsafeMutablePointer<Float>
    ) -> Bool {
        let m0 = mean.0, m1 = mean.1, m2 = mean.2
        let a00 = a.0, a11 = a.1, a22 = a.2, a01 = a.3, a02 = a.4, a12 = a.5
        var flag: UInt32 = 0
        for i in 0..<count {
            let v = UInt32(littleEndian: q[i])
            let u0 = Float(Int32(bitPattern: v & 0xFF)) - m0
            let u1 = Float(Int32(bitPattern: (v &>> 8) & 0xFF)) - m1
            let u2 = Float(Int32(bitPattern: (v &>> 16) & 0xFF)) - m2
            let d = u0 * (a00 * u0 + a01 * u1 + a02 * u2) + u1 * (a11 * u1 + a12 * u2) + a22 * u2 * u2
            out[i] = d
            flag |= d >= threshold ? 1 : 0
        }
        return flag != 0
    }
}
