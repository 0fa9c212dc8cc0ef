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

    /// The nine colour sums of `count` RGBX pixels (Σ c0, Σ c1, Σ c2, Σ c0², Σ c0·c1, Σ c0·c2, Σ c1², Σ c1·c2, Σ c2²) in
    /// 32-bit lanes, as `RXKernels.accumulate` takes them: exact for rows up to 66,051 pixels.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    public static func sums(_ q: UnsafePointer<UInt32>, count: Int) -> (
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
    ) {
        var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0
        var s00: UInt32 = 0, s01: UInt32 = 0, s02: UInt32 = 0, s11: UInt32 = 0, s12: UInt32 = 0, s22: UInt32 = 0
        for i in 0..<count {
            let v = UInt32(littleEndian: q[i])
            let c0 = v & 0xFF, c1 = (v &>> 8) & 0xFF, c2 = (v &>> 16) & 0xFF
            s0 &+= c0; s1 &+= c1; s2 &+= c2
            s00 &+= c0 &* c0; s01 &+= c0 &* c1; s02 &+= c0 &* c2
            s11 &+= c1 &* c1; s12 &+= c1 &* c2; s22 &+= c2 &* c2
        }
        return (s0, s1, s2, s00, s01, s02, s11, s12, s22)
    }
}
