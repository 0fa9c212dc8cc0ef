import SpotterImaging
import Testing
import _SpotterTestSupport

/// `decodeRegion` equals the same rectangle cropped from a whole decode, byte for byte: at corners, edges and the
/// interior, with widths and offsets off the 8/16-pixel block grid, for every JPEG sub-sampling and PNG.
@Suite("Region decoding")
struct RegionDecodeTests {
    struct Source: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
    }

    static var sources: [Source] {
        var out = [
            Source(description: "JPEG 4:2:0 333x217", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 333, height: 217, channels: 3, seed: 41))),
            Source(description: "JPEG gray 131x75", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 131, height: 75, channels: 1, seed: 42))),
            Source(description: "JPEG 4:4:4 101x67", bytes: readFixture("ycc444.jpg")),
            Source(description: "JPEG 4:2:2 101x67", bytes: readFixture("ycc422.jpg")),
            Source(description: "JPEG progressive 4:2:0 67x45", bytes: readFixture("progressive.jpg")),
            Source(description: "JPEG CMYK 40x24", bytes: readFixture("cmyk.jpg")),
            Source(description: "JPEG 4:2:0 restart markers 97x75", bytes: readFixture("restart.jpg")),
            Source(description: "JPEG RGB-coded 35x21", bytes: readFixture("rgbcoded.jpg")),
            Source(description: "PNG RGB 97x61", bytes: TestFiles.png(SyntheticImage.scene(width: 97, height: 61, channels: 3, seed: 43))),
            Source(description: "PNG gray16 45x33", bytes: TestFiles.png(SyntheticImage.gray16Noise(width: 45, height: 33, seed: 44))),
        ]
        if SharedDatasets.isAvailable {
            out.append(Source(description: "HIT-UAV gray 640x512", bytes: readFile(SharedDatasets.path("hit-uav-thermal-train400/images/0_100_30_0_03280.jpg"))))
            out.append(Source(description: "TinyPerson 4:2:0 640x640", bytes: readFile(SharedDatasets.path("tinyperson-coast-valid/images/baidu_P000_timg-25-__f7bd7bc2.jpg"))))
        }
        return out
    }

    /// Rectangles (x, y, w, h) that hit every corner and edge, the interior, and widths/offsets on and off the grid.
    static func rectangles(width w: Int, height h: Int) -> [(Int, Int, Int, Int)] {
        let all = [
            (0, 0, 1, 1), (0, 0, 17, 9), (w - 13, 0, 13, 11), (0, h - 7, 33, 7), (w - 29, h - 5, 29, 5),
            (w - 1, h - 1, 1, 1), (0, 0, w, h), (5, 3, w - 10, 1), (8, 8, 16, 16), (16, 16, 48, 32), (15, 17, 1, h - 20),
            (w / 2 - 3, h / 2 - 5, 7, 10), (17, 0, w - 17, h / 3), (31, 9, 33, 15), (w - 17, h / 2, 17, h - h / 2),
            (1, 1, w - 2, h - 2), (0, h / 2, w, 1),
        ]
        return all.filter { $0.0 >= 0 && $0.1 >= 0 && $0.2 > 0 && $0.3 > 0 && $0.0 + $0.2 <= w && $0.1 + $0.3 <= h }
    }

    @Test("regions equal crops of a whole decode", arguments: sources, allColours)
    func regionsEqualCrops(source: Source, colour: DecodeOptions.Colour) throws {
        let options = DecodeOptions(colour: colour)
        let decoder = FrameDecoder()
        decoder.load(bytes: source.bytes, name: source.description)
        let whole = try decoder.decodeImage(options)
        for (x, y, w, h) in Self.rectangles(width: whole.width, height: whole.height) {
            let region = try decoder.decodeRegion(x: x, y: y, width: w, height: h, options: options)
            if let diff = difference(region, whole.cropped(x: x, y: y, width: w, height: h)) {
                Issue.record("region \(x),\(y) \(w)x\(h): \(diff)")
            }
        }
        #expect(decoder.diagnostics.filter { $0.contains("warning") }.isEmpty, "\(decoder.diagnostics)")
    }

    /// Brighton frames are 4:2:2 and 4000×2250: regions within the top rows, against those rows decoded at full
    /// width (the whole frame would be slow in a debug build).
    @Test("regions of a 4:2:2 Brighton frame equal the full-width rows", .enabled(if: SharedDatasets.isAvailable),
          arguments: allColours)
    func brightonRegions(colour: DecodeOptions.Colour) throws {
        let options = DecodeOptions(colour: colour)
        let decoder = FrameDecoder()
        try decoder.load(path: SharedDatasets.path("brighton-beach-frames/DJI_0018.JPG"))
        let top = try decodeTopRows(decoder, rows: 40, options: options)
        for (x, y, w, h) in [(0, 0, 1, 1), (0, 0, 37, 40), (3_967, 0, 33, 9), (3_999, 39, 1, 1), (1_001, 7, 45, 13),
                             (2_048, 16, 64, 24), (17, 23, 3_966, 2), (0, 39, 4_000, 1)] {
            let region = try decoder.decodeRegion(x: x, y: y, width: w, height: h, options: options)
            if let diff = difference(region, top.cropped(x: x, y: y, width: w, height: h)) {
                Issue.record("region \(x),\(y) \(w)x\(h): \(diff)")
            }
        }
    }

    /// A rectangle reaching outside the frame is the caller's mistake: .invalidRequest naming the rectangle and the
    /// frame, and the decoder is usable afterwards.
    @Test("regions outside the frame are refused", arguments: [(-1, 0, 4, 4), (0, -1, 4, 4), (0, 0, 0, 4), (0, 0, 4, 0),
                                                                  (60, 0, 5, 4), (0, 40, 4, 5), (64, 0, 1, 1)])
    func regionOutside(x: Int, y: Int, w: Int, h: Int) throws {
        let decoder = FrameDecoder()
        decoder.load(bytes: TestFiles.jpeg(SyntheticImage.rgbGradient(width: 64, height: 44)))
        let error = imagingError { () throws(ImagingError) in try decoder.decodeRegion(x: x, y: y, width: w, height: h) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains("outside the 64x44 frame") == true, "\(String(describing: error))")
        #expect(try decoder.decodeRegion(x: 0, y: 0, width: 64, height: 44).width == 64)
    }
}
