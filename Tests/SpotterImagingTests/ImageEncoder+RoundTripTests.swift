import SpotterImaging
import Testing
import _SpotterTestSupport

/// `ImageEncoder` output goes back through the decoder: PNG bit-exact, JPEG within its quantisation error.
@Suite("Encoder round trips")
struct EncoderRoundTripTests {
    @Test("PNG round trips are exact", arguments: [1, 2, 15, 16, 17, 33], [1, 3])
    func pngExact(width: Int, channels: Int) throws {
        let image = SyntheticImage.noise(width: width, height: 7, channels: channels, seed: UInt64(width * channels))
        let bytes = try ImageEncoder.png(image)
        #expect(bytes.starts(with: PNGWriter.signature))
        #expect(try Image.decode(bytes: bytes) == image)
    }

    /// Quality 95 on smooth content (ramps of at most one level per pixel, plus ±4 noise): mean error under 1.5
    /// levels in gray, and under 3 in colour, where independent per-channel noise is largely chroma, which 4:2:0
    /// averages over 2×2 pixels (measured 2.0–2.1); gray at quality 100 within 2 levels everywhere. (Steep colour ramps are not "smooth" for 4:2:0: a 3-row image whose green goes 0→255 loses 20+
    /// levels to chroma averaging, by design of the format.)
    @Test("JPEG round trips are close", arguments: [1, 3], [(16, 16), (33, 17), (1, 1), (200, 3)])
    func jpegClose(channels: Int, size: (Int, Int)) throws {
        var rng = SplitMix64(seed: 61)
        var pixels: [UInt8] = []
        for y in 0..<size.1 {
            for x in 0..<size.0 {
                let ramp = channels == 1 ? [50 + x / 2 + y] : [60 + x / 2, 70 + y, 100 + (x + y) / 3]
                pixels += ramp.map { UInt8(clamping: $0 + rng.below(9) - 4) }
            }
        }
        let image = Image(width: size.0, height: size.1, channels: channels, pixels: pixels)
        let decoded = try Image.decode(bytes: try ImageEncoder.jpeg(image, quality: 95))
        #expect(decoded.width == image.width && decoded.height == image.height && decoded.channels == channels)
        let mad = meanAbsoluteDifference(decoded, image)
        #expect(mad < (channels == 1 ? 1.5 : 3.0), "mean absolute difference \(mad)")
        if channels == 1 {
            let best = try Image.decode(bytes: try ImageEncoder.jpeg(image, quality: 100))
            #expect(maxAbsoluteDifference(best, image) <= 2)
        }
    }

    @Test("lower quality gives smaller files and larger error")
    func qualityMatters() throws {
        let image = SyntheticImage.scene(width: 64, height: 48, channels: 3, seed: 62)
        let low = try ImageEncoder.jpeg(image, quality: 20), high = try ImageEncoder.jpeg(image, quality: 95)
        #expect(low.count < high.count)
        let lowErr = meanAbsoluteDifference(try Image.decode(bytes: low), image)
        let highErr = meanAbsoluteDifference(try Image.decode(bytes: high), image)
        #expect(lowErr > highErr)
    }

    @Test("encoders refuse shapes their formats cannot hold")
    func encoderRefusals() {
        let twoChannel = Image(width: 4, height: 4, channels: 2)
        let sixteen = Image(width: 4, height: 4, channels: 1, bytesPerSample: 2)
        let rgbx = Image(width: 4, height: 4, channels: 4)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.jpeg(twoChannel) }?.code == .invalidRequest)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.jpeg(sixteen) }?.code == .invalidRequest)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.png(twoChannel) }?.code == .invalidRequest)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.png(rgbx) }?.code == .invalidRequest)
        let empty = Image(width: 0, height: 0, channels: 3)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.jpeg(empty) }?.code == .invalidRequest)
        #expect(imagingError { () throws(ImagingError) in try ImageEncoder.png(empty) }?.code == .invalidRequest)
    }
}
