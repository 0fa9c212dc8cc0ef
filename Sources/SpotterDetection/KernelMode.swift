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
}
