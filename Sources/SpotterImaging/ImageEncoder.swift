import CCodecs

/// Writers for crops: baseline JPEG and PNG, into memory.
public enum ImageEncoder {
    /// Encodes an 8-bit gray or RGB image as JPEG at `quality` (1–100).
    public static func jpeg(_ image: Image, quality: Int = 90) throws(ImagingError) -> [UInt8] {
        guard image.bytesPerSample == 1, image.channels == 1 || image.channels == 3 else {
            throw ImagingError(.invalidRequest, "JPEG needs 8-bit gray or RGB, got \(image.channels) channels of \(image.bytesPerSample * 8) bits")
        }
        return try encode { out, size, message in
            image.pixels.withUnsafeBufferPointer { p in
                spc_jpeg_encode(p.baseAddress, UInt32(image.width), UInt32(image.height), image.rowBytes,
                                UInt32(image.channels), Int32(quality), out, size, message)
            }
        }
    }

    /// Encodes a gray or RGB image (8-bit, or 16-bit little-endian samples) as PNG.
    public static func png(_ image: Image) throws(ImagingError) -> [UInt8] {
        guard image.channels == 1 || image.channels == 3, image.bytesPerSample == 1 || image.bytesPerSample == 2 else {
            throw ImagingError(.invalidRequest, "PNG needs gray or RGB, got \(image.channels) channels")
        }
        return try encode { out, size, message in
            image.pixels.withUnsafeBufferPointer { p in
                spc_png_encode(p.baseAddress, UInt32(image.width), UInt32(image.height), image.rowBytes,
                               UInt32(image.channels), UInt32(image.bytesPerSample * 8), out, size, message)
            }
        }
    }

    private static func encode(
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> spc_status
    ) throws(ImagingError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(SPC_MESSAGE_MAX))
        let status = message.withUnsafeMutableBufferPointer { m in body(&out, &size, m.baseAddress!) }
        defer { spc_free(out) }
        guard status == SPC_OK, let out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImagingError(status == SPC_ERR_NO_MEMORY ? .outOfMemory : .invalidRequest, text.isEmpty ? "encoding failed" : text)
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
