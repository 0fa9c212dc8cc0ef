/// The container formats Spotter decodes, recognised by their first bytes rather than by file name.
public enum ImageFormat: String, Sendable, Equatable {
    case jpeg
    case png

    /// Recognises JPEG and PNG signatures; otherwise throws `notAnImage` naming what the bytes look like.
    ///
    /// - Complexity: O(1); reads at most the first 12 bytes.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) throws(ImagingError) -> ImageFormat {
        if bytes.isEmpty { throw ImagingError(.empty, "empty file (0 bytes)") }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 8, (0..<8).allSatisfy({ bytes[$0] == pngSignature[$0] }) { return .png }
        if bytes.count < 8, bytes.elementsEqual(pngSignature.prefix(bytes.count)) {
            throw ImagingError(.truncated, "PNG data ends early (truncated signature)")
        }
        if bytes.count < 3, bytes.elementsEqual([0xFF, 0xD8, 0xFF].prefix(bytes.count)) {
            throw ImagingError(.truncated, "JPEG data ends early (truncated signature)")
        }
        throw ImagingError(.notAnImage, "not a JPEG or PNG image (\(describe(bytes)))")
    }

    /// A short guess at what a non-image file is, for the error message.
    static func describe(_ b: UnsafeRawBufferPointer) -> String {
        func starts(_ s: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + s.count && (0..<s.count).allSatisfy { b[offset + $0] == s[$0] }
        }
        if starts(Array("GIF8".utf8)) { return "looks like GIF" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "looks like TIFF or a RAW/DNG file" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "looks like WebP" }
        if starts(Array("ftyp".utf8), at: 4) { return "looks like HEIC/MP4 (ISO media)" }
        if starts(Array("%PDF".utf8)) { return "looks like PDF" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "looks like a ZIP archive" }
        if starts(Array("BM".utf8)) { return "looks like BMP" }
        let head = b.prefix(4).map { String($0, radix: 16, uppercase: true) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: " ")
        let printable = b.prefix(64).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) }
        return printable ? "looks like text" : "starts with \(head)"
    }
}
