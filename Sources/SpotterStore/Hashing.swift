import Crypto

/// SHA-256 in lowercase hex, the form the store keeps every hash in.
public enum SHA256Hex {
    public static func of(_ bytes: UnsafeRawBufferPointer) -> String { hex(SHA256.hash(data: bytes)) }

    public static func of(_ text: String) -> String {
        var t = text
        return t.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    public static func of(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { of($0) } }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hash before the first entry of the log.
    public static let genesis = String(repeating: "0", count: 64)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SHA256Hex {
    /// The SHA-256 of a file's bytes and its size, read in 1 MiB blocks; nil when it cannot be read as a regular
    /// file (the scan then records the frame as failed, keyed by its path).
    public static func ofFile(_ path: String) -> (sha256: String, size: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var hasher = SHA256()
        let block = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: block, alignment: 64)
        defer { buffer.deallocate() }
        var size = 0
        while true {
            let n = read(fd, buffer.baseAddress!, block)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += n
        }
        return (hex(hasher.finalize()), size)
    }
}
