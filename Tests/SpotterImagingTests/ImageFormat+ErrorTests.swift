import SpotterImaging
import Testing
import _SpotterTestSupport

@Suite("Format sniffing, Image and ImagingError")
struct FormatAndErrorTests {
    @Test("sniffing names what a non-image looks like", arguments: [
        (Array("GIF89a......".utf8), "looks like GIF"), ([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], "looks like TIFF"),
        ([0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8], "looks like TIFF"), (Array("RIFF\0\0\0\0WEBPVP8 ".utf8), "looks like WebP"),
        ([0, 0, 0, 0x18] + Array("ftypheic".utf8), "looks like HEIC"), (Array("%PDF-1.7\n".utf8), "looks like PDF"),
        ([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0], "ZIP"), (Array("BM\0\0\0\0\0\0".utf8), "looks like BMP"),
        (Array("hello, world\n".utf8), "looks like text"), ([0x00, 0x01, 0xAB, 0x0C, 0xFF], "starts with 00 01 AB 0C"),
    ] as [([UInt8], String)])
    func sniffNonImages(bytes: [UInt8], fragment: String) {
        let error = bytes.withUnsafeBytes { raw in imagingError { () throws(ImagingError) in try ImageFormat.sniff(raw) } }
        #expect(error?.code == .notAnImage)
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test("sniffing recognises JPEG and PNG and their truncated signatures")
    func sniffImages() {
        func sniff(_ b: [UInt8]) -> String {
            b.withUnsafeBytes { raw in
                do throws(ImagingError) { return try ImageFormat.sniff(raw).rawValue } catch { return "\(error.code)" }
            }
        }
        #expect(sniff([0xFF, 0xD8, 0xFF]) == "jpeg")
        #expect(sniff(PNGWriter.signature) == "png")
        #expect(sniff([0xFF, 0xD8]) == "truncated")
        #expect(sniff(Array(PNGWriter.signature.prefix(7))) == "truncated")
        #expect(sniff([]) == "empty")
        #expect(sniff([0xFF, 0xD9, 0xFF]) == "notAnImage")
        #expect(sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x00]) == "notAnImage")
    }

    @Test("Image.cropped and sample address the right pixels")
    func imageAccessors() {
        let rgb = SyntheticImage.rgbGradient(width: 10, height: 6)
        let crop = rgb.cropped(x: 3, y: 2, width: 4, height: 3)
        #expect(crop.width == 4 && crop.height == 3 && crop.rowBytes == 12)
        for y in 0..<3 {
            for x in 0..<4 {
                for c in 0..<3 { #expect(crop.sample(x: x, y: y, channel: c) == rgb.sample(x: x + 3, y: y + 2, channel: c)) }
            }
        }
        #expect(rgb.cropped(x: 10, y: 6, width: 0, height: 0).pixels.isEmpty)
        let deep = Image(width: 2, height: 1, channels: 1, bytesPerSample: 2, pixels: [0x34, 0x12, 0xFF, 0xFF])
        #expect(deep.sample(x: 0, y: 0) == 0x1234 && deep.sample(x: 1, y: 0) == 65_535)
    }

    @Test("ImagingError description is one line naming the file")
    func errorDescription() {
        let e = ImagingError(.corrupt, "bad\nthing", file: "/x/y.jpg")
        #expect(e.description == "/x/y.jpg: bad thing")
        #expect(ImagingError(.empty, "nothing").description == "nothing")
        #expect(ImagingError(.empty, "nothing").attributed(to: "f").file == "f")
    }
}
