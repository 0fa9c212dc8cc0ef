import SpotterImaging
import Testing
import _SpotterTestSupport

/// JPEG variants the bridge cannot write, from the tiny committed fixtures (Fixtures/make_fixtures.py).
@Suite("JPEG variant fixtures")
struct JPEGVariantFixtureTests {
    /// Adobe CMYK: converted to RGB by the bridge, with a diagnostic; pixels match the RGB the file was made from
    /// (within JPEG error: quality 90, no chroma sub-sampling of CMYK in Pillow).
    @Test("CMYK JPEG decodes to RGB with a diagnostic", arguments: allColours)
    func cmyk(colour: DecodeOptions.Colour) throws {
        let decoder = FrameDecoder()
        try decoder.load(path: Fixtures.path("cmyk.jpg"))
        let info = try decoder.begin(DecodeOptions(colour: colour))
        #expect(info.sourceChannels == 4 && info.wasConverted)
        #expect(info.channels == (colour == .gray ? 1 : colour == .rgbx ? 4 : 3))
        #expect(decoder.diagnostics.contains { $0.contains("CMYK") }, "\(decoder.diagnostics)")
        let image = try decoder.decodeImage(DecodeOptions(colour: colour))
        #expect(decoder.diagnostics.contains { $0.contains("CMYK JPEG converted to RGB") })
        let source = try decodeFile(Fixtures.path("cmyk-source.png"))
        switch colour {
        case .rgb:
            let mad = meanAbsoluteDifference(image, source)
            #expect(mad < 4, "CMYK decode is \(mad) levels off its source")
        case .rgbx:
            let rgb = try decodeFile(Fixtures.path("cmyk.jpg"))
            #expect(image.pixels == paddedRGBX(rgb))
        case .opponent, .gray:
            // The same conversion as for any RGB: JFIF Y (Cb, Cr) of the RGB decode, within rounding.
            let rgb = try decodeFile(Fixtures.path("cmyk.jpg"))
            var worst = 0
            for p in 0..<40 * 24 {
                let (y, cb, cr) = referenceYCC(Int(rgb.pixels[p * 3]), Int(rgb.pixels[p * 3 + 1]), Int(rgb.pixels[p * 3 + 2]))
                if colour == .gray {
                    worst = max(worst, abs(Int(image.pixels[p]) - y))
                } else {
                    worst = max(worst, abs(Int(image.pixels[p * 3]) - y), abs(Int(image.pixels[p * 3 + 1]) - cb),
                                abs(Int(image.pixels[p * 3 + 2]) - cr))
                }
            }
            #expect(worst <= 1)
        }
    }

    /// Progressive: decodes (all scans), flags itself, and carries the "progressive" diagnostic.
    @Test("progressive JPEG decodes with a diagnostic")
    func progressive() throws {
        let decoder = FrameDecoder()
        try decoder.load(path: Fixtures.path("progressive.jpg"))
        let info = try decoder.begin()
        #expect(info.isProgressive && info.width == 67 && info.height == 45)
        let image = try decoder.decodeImage()
        #expect(decoder.diagnostics.contains { $0.hasPrefix("progressive JPEG") }, "\(decoder.diagnostics)")
        #expect(standardDeviation(image) > 20)
        // The red block the fixture script paints at rows 15..<22, columns 16..<33.
        let r = image.sample(x: 24, y: 18, channel: 0), g = image.sample(x: 24, y: 18, channel: 1)
        #expect(r > 200 && g < 80, "expected the red block, got \(r),\(g)")
    }

    /// A progressive file is decoded whole inside `begin` (all scans are buffered), so a cut one fails there.
    @Test("a truncated progressive JPEG is .truncated", arguments: [3, 2])
    func truncatedProgressive(divisor: Int) {
        let bytes = readFixture("progressive.jpg")
        let error = imagingError { () throws(ImagingError) in try Image.decode(bytes: Array(bytes[..<(bytes.count / divisor)])) }
        #expect(error?.code == .truncated && error?.message.contains("ends early") == true, "\(String(describing: error))")
    }

    /// Restart markers every 3 MCUs: bands and regions across intervals are covered by the band and region suites;
    /// here, damaged entropy data inside one interval is never silent: libjpeg resynchronises at the next marker
    /// and the warning surfaces in `diagnostics` (not on stderr).
    @Test("damage inside a restart interval is reported")
    func restartIntervalDamage() throws {
        var bytes = readFixture("restart.jpg")
        let layout = JPEGLayout(bytes)
        let start = try #require(layout.entropyStart), eoi = try #require(layout.eoi)
        let at = start + (eoi - start) / 2
        #expect(bytes[at] != 0xFF && bytes[at - 1] != 0xFF)
        bytes[at] ^= 0x5A
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes)
        let image = try decoder.decodeImage()
        #expect(image.width == 97 && image.height == 75)
        #expect(decoder.diagnostics.contains { $0.contains("Corrupt JPEG data") }, "\(decoder.diagnostics)")
    }

    /// 12-bit (SOF1, precision 12): libjpeg62-turbo has no 12-bit path, so it is refused as unsupported, from
    /// the header, with a message about the precision.
    @Test("12-bit JPEG is refused as unsupported")
    func twelveBit() throws {
        let decoder = FrameDecoder()
        try decoder.load(path: Fixtures.path("gray12.jpg"))
        let error = imagingError { () throws(ImagingError) in try decoder.begin() }
        #expect(error?.code == .unsupported, "\(String(describing: error))")
        #expect(error?.message.contains("precision 12") == true, "\(String(describing: error))")
        #expect(error?.file == Fixtures.path("gray12.jpg"))
    }

    /// Lossless JPEG (SOF3) is a valid file this libjpeg cannot decode: unsupported, not corrupt.
    @Test("lossless JPEG is refused as unsupported")
    func lossless() throws {
        let error = imagingError { () throws(ImagingError) in try decodeFile(Fixtures.path("lossless.jpg")) }
        #expect(error?.code == .unsupported, "\(String(describing: error))")
    }

    /// RGB-coded JPEG (Adobe transform 0): RGB directly, and the bridge converts to opponent itself.
    @Test("RGB-coded JPEG decodes in every colour")
    func rgbCoded() throws {
        let path = Fixtures.path("rgbcoded.jpg")
        let rgb = try decodeFile(path)
        #expect(rgb.width == 35 && rgb.height == 21 && rgb.channels == 3)
        let source = try decodeFile(Fixtures.path("rgbcoded-source.png"))
        #expect(meanAbsoluteDifference(rgb, source) < 3)
        let decoder = FrameDecoder()
        try decoder.load(path: path)
        #expect(try decoder.begin(DecodeOptions(colour: .opponent)).wasConverted)
        let ycc = try decoder.decodeImage(DecodeOptions(colour: .opponent))
        let gray = try decoder.decodeImage(DecodeOptions(colour: .gray))
        let rgbx = try decoder.decodeImage(DecodeOptions(colour: .rgbx))
        var worst = 0
        for p in 0..<35 * 21 {
            let (y, cb, cr) = referenceYCC(Int(rgb.pixels[p * 3]), Int(rgb.pixels[p * 3 + 1]), Int(rgb.pixels[p * 3 + 2]))
            worst = max(worst, abs(Int(ycc.pixels[p * 3]) - y), abs(Int(ycc.pixels[p * 3 + 1]) - cb),
                        abs(Int(ycc.pixels[p * 3 + 2]) - cr), abs(Int(gray.pixels[p]) - y))
        }
        #expect(worst <= 1, "opponent/gray off by \(worst)")
        #expect(rgbx.pixels == paddedRGBX(rgb))
    }

    /// For an ordinary YCbCr JPEG, RGBX is RGB plus 255 and opponent is the file's own Y, Cb, Cr.
    @Test("YCbCr JPEG: RGBX pads RGB, opponent matches RGB within rounding", arguments: ["ycc444.jpg", "ycc422.jpg"])
    func yccColours(name: String) throws {
        let decoder = FrameDecoder()
        try decoder.load(path: Fixtures.path(name))
        let rgb = try decoder.decodeImage()
        let rgbx = try decoder.decodeImage(DecodeOptions(colour: .rgbx))
        #expect(rgbx.channels == 4)
        #expect(rgbx.pixels == paddedRGBX(rgb))
        let ycc = try decoder.decodeImage(DecodeOptions(colour: .opponent))
        #expect(!(try decoder.begin(DecodeOptions(colour: .opponent)).wasConverted))
        decoder.end()
        // RGB was computed from these Y, Cb, Cr (chroma upsampled) and clamped; where no channel clipped, the luma
        // of RGB gives Y back within rounding.
        var worstY = 0, compared = 0
        for p in 0..<rgb.width * rgb.height {
            let (r, g, b) = (Int(rgb.pixels[p * 3]), Int(rgb.pixels[p * 3 + 1]), Int(rgb.pixels[p * 3 + 2]))
            guard [r, g, b].allSatisfy({ (1...254).contains($0) }) else { continue }
            compared += 1
            worstY = max(worstY, abs(Int(ycc.pixels[p * 3]) - referenceYCC(r, g, b).0))
        }
        #expect(compared > rgb.width * rgb.height / 2)
        #expect(worstY <= 2, "Y differs from the luma of RGB by up to \(worstY)")
    }
}
