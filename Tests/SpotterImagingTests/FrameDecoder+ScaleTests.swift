import SpotterImaging
import Testing
import _SpotterTestSupport

/// DCT-scaled JPEG decodes: ceil(w/s) × ceil(h/s), and close to a box-filtered whole decode.
///
/// Tolerances. A scaled IDCT keeps each 8×8 block's low-frequency coefficients: for luma that is nearly the box
/// average of the block (measured mean absolute difference 0.05–0.55 levels on every source here), so luma gets a
/// tight bound of 1 level, which any shift of the sampling grid or wrong scale breaks. Colour differs more, because
/// at 1/2 and below libjpeg reconstructs chroma from its own reduced IDCT instead of averaging fancy-upsampled
/// chroma, and the RGB conversion clamps: on natural frames (synthetic gradients, TinyPerson) RGB stays within
/// 0.3–2 levels, so the bound is 6; on saturated false-colour thermal palettes (DJI H20T, 8.6 at scale 2) and the
/// saturated red test blocks of the 4:2:2 fixture (8.7 at scale 8) clamping dominates, so those get 12. A swapped
/// channel order or a shifted grid gives 15 or more.
@Suite("Scaled decoding")
struct ScaledDecodeTests {
    static let tolerance = 6.0

    struct Source: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
        /// RGB bound (see the suite's note): 6 on natural colour, 12 where saturated colours clamp.
        var rgbTolerance = 6.0
    }

    static var sources: [Source] {
        var out = [
            Source(description: "JPEG RGB 333x217", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 333, height: 217, channels: 3, seed: 51))),
            Source(description: "JPEG gray 131x75", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 131, height: 75, channels: 1, seed: 52))),
            Source(description: "JPEG 4:2:2 101x67", bytes: readFixture("ycc422.jpg"), rgbTolerance: 12),
            Source(description: "JPEG progressive 67x45", bytes: readFixture("progressive.jpg")),
        ]
        if SharedDatasets.isAvailable {
            out.append(Source(description: "HIT-UAV gray 640x512", bytes: readFile(SharedDatasets.path("hit-uav-thermal-test300/images/0_100_30_0_03307.jpg"))))
            out.append(Source(description: "TinyPerson 640x640", bytes: readFile(SharedDatasets.path("tinyperson-coast-valid/images/baidu_P000_timg-1-__6e98ad97.jpg"))))
            out.append(Source(description: "DJI H20T thermal 640x512", bytes: readFile(SharedDatasets.path("thermal-radiometric-samples/DJI_H20T.jpg")), rgbTolerance: 12))
        }
        return out
    }

    /// Box-averages `image` by `s` (edge blocks average only the pixels they have), rounding to nearest.
    static func boxDownsample(_ image: Image, by s: Int) -> Image {
        let w = (image.width + s - 1) / s, h = (image.height + s - 1) / s, c = image.channels
        var out = Image(width: w, height: h, channels: c)
        for oy in 0..<h {
            for ox in 0..<w {
                let x1 = min(image.width, ox * s + s), y1 = min(image.height, oy * s + s)
                let n = (x1 - ox * s) * (y1 - oy * s)
                for ch in 0..<c {
                    var sum = 0
                    for y in oy * s..<y1 {
                        for x in ox * s..<x1 { sum += Int(image.pixels[(y * image.width + x) * c + ch]) }
                    }
                    out.pixels[(oy * w + ox) * c + ch] = UInt8((sum + n / 2) / n)
                }
            }
        }
        return out
    }

    @Test("scaled decodes have ceil(size/scale) and stay close to a box filter", arguments: sources, [2, 4, 8])
    func scaled(source: Source, scale: Int) throws {
        let decoder = FrameDecoder()
        decoder.load(bytes: source.bytes, name: source.description)
        let whole = try decoder.decodeImage()
        let info = try decoder.begin(DecodeOptions(scale: scale))
        decoder.end()
        let expectedWidth = (whole.width + scale - 1) / scale, expectedHeight = (whole.height + scale - 1) / scale
        #expect(info.width == expectedWidth && info.height == expectedHeight && info.scale == scale)
        #expect(info.sourceWidth == whole.width && info.sourceHeight == whole.height)
        let small = try decoder.decodeImage(DecodeOptions(scale: scale))
        #expect(small.width == expectedWidth && small.height == expectedHeight && small.channels == whole.channels)
        let mad = meanAbsoluteDifference(small, Self.boxDownsample(whole, by: scale))
        #expect(mad < source.rgbTolerance, "mean absolute difference \(mad) at scale \(scale)")
        let luma = try decoder.decodeImage(DecodeOptions(colour: .gray))
        let smallLuma = try decoder.decodeImage(DecodeOptions(colour: .gray, scale: scale))
        let lumaMAD = meanAbsoluteDifference(smallLuma, Self.boxDownsample(luma, by: scale))
        #expect(lumaMAD < 1, "luma mean absolute difference \(lumaMAD) at scale \(scale)")
    }

    /// Every colour scales, with that colour's channel count.
    @Test("scaling works in every colour", arguments: allColours)
    func scaledColours(colour: DecodeOptions.Colour) throws {
        let bytes = TestFiles.jpeg(SyntheticImage.scene(width: 333, height: 217, channels: 3, seed: 53))
        let full = try Image.decode(bytes: bytes, options: DecodeOptions(colour: colour))
        let small = try Image.decode(bytes: bytes, options: DecodeOptions(colour: colour, scale: 4))
        #expect(small.width == 84 && small.height == 55 && small.channels == full.channels)
        #expect(meanAbsoluteDifference(small, Self.boxDownsample(full, by: 4)) < Self.tolerance)
    }

    /// PNG has no DCT: it decodes at full size whatever the scale, and says so in `info.scale`.
    @Test("PNG ignores the scale")
    func pngIgnoresScale() throws {
        let image = SyntheticImage.scene(width: 45, height: 31, channels: 3, seed: 54)
        let decoder = FrameDecoder()
        decoder.load(bytes: TestFiles.png(image))
        let info = try decoder.begin(DecodeOptions(scale: 8))
        #expect(info.width == 45 && info.height == 31 && info.scale == 1)
        #expect(try decoder.decodeImage(DecodeOptions(scale: 8)) == image)
    }

    /// Only 1, 2, 4 and 8 are DCT scales; anything else is a caller error naming the scale.
    @Test("unsupported scales are refused", arguments: [3, 5, 16])
    func badScale(scale: Int) {
        let bytes = TestFiles.jpeg(SyntheticImage.grayGradient(width: 16, height: 16))
        let error = imagingError { () throws(ImagingError) in try Image.decode(bytes: bytes, options: DecodeOptions(scale: scale)) }
        #expect(error?.code == .invalidRequest, "\(String(describing: error))")
        #expect(error?.message.contains("scale 1/\(scale) is not one of 1, 1/2, 1/4, 1/8") == true)
    }

    /// Region decoding is always at full resolution, whatever the scale in the options.
    @Test("decodeRegion ignores the scale")
    func regionIgnoresScale() throws {
        let bytes = TestFiles.jpeg(SyntheticImage.scene(width: 96, height: 80, channels: 3, seed: 55))
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes)
        let whole = try decoder.decodeImage()
        let region = try decoder.decodeRegion(x: 10, y: 20, width: 30, height: 40, options: DecodeOptions(scale: 4))
        #expect(difference(region, whole.cropped(x: 10, y: 20, width: 30, height: 40)) == nil)
    }
}
