import SpotterImaging
import Testing
import _SpotterTestSupport

/// The dimension caps are the caller's: refused from the header with a message naming the cap, exactly at the
/// cap accepted, and DCT scaling does not get a huge frame past them.
@Suite("Dimension caps")
struct DecodeCapTests {
    static let jpeg = TestFiles.jpeg(SyntheticImage.scene(width: 96, height: 64, channels: 3, seed: 71))
    static let png = TestFiles.png(SyntheticImage.scene(width: 96, height: 64, channels: 1, seed: 72))

    static func bytes(_ kind: String) -> [UInt8] { kind == "jpeg" ? jpeg : png }

    @Test("maxPixels below the frame is .tooLarge naming the cap", arguments: ["jpeg", "png"])
    func pixelCap(kind: String) throws {
        let bytes = Self.bytes(kind)
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes, name: "frame.\(kind)")
        for cap in [5_000, 6_143] {
            let error = imagingError { () throws(ImagingError) in try decoder.begin(DecodeOptions(maxPixels: cap)) }
            #expect(error?.code == .tooLarge && error?.file == "frame.\(kind)")
            #expect(error?.message.contains("96x64") == true, "\(String(describing: error))")
            #expect(error?.message.contains("over the cap of \(cap) pixels") == true, "the message does not name the cap: \(String(describing: error))")
        }
        // 96 × 64 = 6144: exactly at the cap is allowed.
        #expect(try decoder.decodeImage(DecodeOptions(maxPixels: 6_144)).width == 96)
    }

    @Test("maxSide below a side is .tooLarge naming the cap", arguments: ["jpeg", "png"])
    func sideCap(kind: String) throws {
        let bytes = Self.bytes(kind)
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes)
        let error = imagingError { () throws(ImagingError) in try decoder.begin(DecodeOptions(maxSide: 95)) }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("cap of 95 pixels per side") == true, "\(String(describing: error))")
        #expect(try decoder.begin(DecodeOptions(maxSide: 96)).width == 96)
        decoder.end()
    }

    /// The cap is on the declared size, so a 1/8 decode of a too-large frame is refused too (a decompression bomb
    /// is still entropy-decoded in full when scaled).
    @Test("scaling does not bypass the cap")
    func scaledStillCapped() {
        let error = imagingError { () throws(ImagingError) in
            try Image.decode(bytes: Self.jpeg, options: DecodeOptions(scale: 8, maxPixels: 6_000))
        }
        #expect(error?.code == .tooLarge)
    }

    /// The default cap refuses a PNG declaring 100000×100000 (10 GP) from its header.
    @Test("default caps refuse a huge PNG header")
    func hugePNG() throws {
        let error = imagingError { () throws(ImagingError) in
            try Image.decode(bytes: CorruptCorpus.cases.first { $0.name == "png-declares-100000x100000" }!.bytes)
        }
        #expect(error?.code == .tooLarge)
        #expect(DecodeOptions().maxPixels == 200_000_000 && DecodeOptions().maxSide == 65_535)
    }
}
