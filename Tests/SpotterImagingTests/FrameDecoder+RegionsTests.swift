import SpotterImaging
import Testing
import _SpotterTestSupport

/// `decodeRegions` (many rectangles in one pass) equals crops of a whole decode, for every source and colour of the
/// single-region tests: all the rectangles of a frame at once, overlapping, touching the edges, in any order.
@Suite("Multi-region decoding")
struct MultiRegionDecodeTests {
    @Test("many regions in one pass equal crops of a whole decode", arguments: RegionDecodeTests.sources, allColours)
    func regionsEqualCrops(source: RegionDecodeTests.Source, colour: DecodeOptions.Colour) throws {
        let options = DecodeOptions(colour: colour)
        let decoder = FrameDecoder()
        decoder.load(bytes: source.bytes, name: source.description)
        let whole = try decoder.decodeImage(options)
        let rects = RegionDecodeTests.rectangles(width: whole.width, height: whole.height).reversed()
            .map { PixelRect(x: $0.0, y: $0.1, width: $0.2, height: $0.3) }
        let images = try decoder.decodeRegions(rects, options: options)
        #expect(images.count == rects.count)
        for (r, image) in zip(rects, images) {
            if let diff = difference(image, whole.cropped(x: r.x, y: r.y, width: r.width, height: r.height)) {
                Issue.record("region \(r.x),\(r.y) \(r.width)x\(r.height): \(diff)")
            }
        }
        // A single narrow rectangle still matches (the column crop is then narrow too).
        let one = try decoder.decodeRegions([PixelRect(x: 1, y: 2, width: 3, height: 4)], options: options)
        #expect(difference(one[0], whole.cropped(x: 1, y: 2, width: 3, height: 4)) == nil)
        #expect(try decoder.decodeRegions([], options: options).isEmpty)
    }

    @Test func aRectangleOutsideTheFrameIsRefused() throws {
        let decoder = FrameDecoder()
        decoder.load(bytes: TestFiles.jpeg(SyntheticImage.rgbGradient(width: 64, height: 44)))
        let error = imagingError { () throws(ImagingError) in
            try decoder.decodeRegions([PixelRect(x: 0, y: 0, width: 4, height: 4), PixelRect(x: 62, y: 0, width: 4, height: 4)])
        }
        #expect(error?.code == .invalidRequest && error?.message.contains("outside the 64x44 frame") == true)
        #expect(try decoder.decodeRegions([PixelRect(x: 0, y: 0, width: 64, height: 44)])[0].width == 64)
    }
}
