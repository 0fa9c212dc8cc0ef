import SpotterImaging

/// File bytes for tests, through the project's own encoder.
public enum TestFiles {
    /// `image` as JPEG bytes (4:2:0 for RGB, as `ImageEncoder.jpeg` writes it).
    public static func jpeg(_ image: Image, quality: Int = 90) -> [UInt8] {
        do { return try ImageEncoder.jpeg(image, quality: quality) } catch {
            fatalError("test JPEG encoding failed: \(error)")
        }
    }

    /// `image` as PNG bytes (8- or 16-bit gray or RGB, not interlaced).
    public static func png(_ image: Image) -> [UInt8] {
        do { return try ImageEncoder.png(image) } catch {
            fatalError("test PNG encoding failed: \(error)")
        }
    }
}

/// CRC-32 as PNG uses it (ISO 3309, reflected, polynomial 0xEDB88320).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Big-endian helpers for file surgery.
extension Array where Element == UInt8 {
    public mutating func putBigEndian32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
    }

    public mutating func putBigEndian16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(value >> 8)
        self[offset + 1] = UInt8(value & 0xFF)
    }

    public func bigEndian32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(self[offset + $1]) }
    }

    public func bigEndian16(at offset: Int) -> Int { Int(self[offset]) << 8 | Int(self[offset + 1]) }
}
