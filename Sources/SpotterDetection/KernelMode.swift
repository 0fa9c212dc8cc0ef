import CCodecs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Switch between the vectorised kernels and their scalar references.
public enum KernelMode {
    /// `SPOTTER_REFERENCE_KERNELS=1` in the environment forces the reference kernels everywhere.
    public static let referenceFromEnvironment: Bool = {
        guard let v = getenv("SPOTTER_REFERENCE_KERNELS") else { return false }
        let s = String(cString: v)
        return !(s.isEmpty || s == "0")
    }()

    /// Whether the detector kernels that have an x86-64-v3 build (`SpotterKernelsAVX2`) use it: the CPU runs AVX2 and
    /// FMA code (`spc_cpu_has_avx2_fma`), and `SPOTTER_NO_AVX2` is unset, empty or "0". Those kernels give the same bits
    /// as the baseline ones; the switch is there to measure them and to bisect.
    public static let avx2: Bool = {
        guard cpuHasAVX2 else { return false }
        guard let v = getenv("SPOTTER_NO_AVX2") else { return true }
        let s = String(cString: v)
        return s.isEmpty || s == "0"
    }()

    /// Whether this CPU (and OS) runs x86-64-v3 code (`spc_cpu_has_avx2_fma`: CPUID and XCR0).
    public static let cpuHasAVX2: Bool = spc_cpu_has_avx2_fma() != 0
}
