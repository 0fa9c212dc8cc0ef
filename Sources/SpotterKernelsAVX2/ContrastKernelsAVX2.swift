/// The contrast stage's binning pass for x86-64-v3: the loop of `RGBContrastKernels.columnSums` (SpotterDetection)
/// compiled for AVX2, eight pixels at a time. Integer sums, so the same result as the baseline's. Call only after
/// `spc_cpu_has_avx2_fma()` said yes.
public enum ContrastKernelsAVX2 {
    /// Adds (or with `first`, stores) each RGBX pixel's R and B (in the 16-bit halves of one word) and its G to
    /// per-column sums.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    public static func columnSums(
        _ q: UnsafePointer<UInt32>, count: Int, redBlue rb: UnsafeMutablePointer<UInt32>, green g: UnsafeMutablePointer<UInt32>,
        first: Bool
    ) {
        if first {
            for x in 0..<count {
                let v = UInt32(littleEndian: q[x])
                rb[x] = v & 0x00FF_00FF
                g[x] = (v &>> 8) & 0xFF
            }
        } else {
            for x in 0..<count {
                let v = UInt32(littleEndian: q[x])
                rb[x] &+= v & 0x00FF_00FF
                g[x] &+= (v &>> 8) & 0xFF
            }
        }
    }
}
