/// A whole decoded image (or crop) in memory: rows of interleaved samples, tightly packed.
///
/// Scanning never holds frames like this; it is for crops, tests and tools. 16-bit samples are stored
/// little-endian, two bytes each.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var bytesPerSample: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytesPerSample: Int = 1, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels * bytesPerSample, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytesPerSample = bytesPerSample
        self.pixels = pixels
    }

    /// A black image of the given shape.
    public init(width: Int, height: Int, channels: Int, bytesPerSample: Int = 1) {
        self.init(
            width: width, height: height, channels: channels, bytesPerSample: bytesPerSample,
            pixels: [UInt8](repeating: 0, count: width * height * channels * bytesPerSample))
    }

    public var rowBytes: Int { width * channels * bytesPerSample }

    /// Sample `c` of pixel (x, y), 8- or 16-bit.
    public func sample(x: Int, y: Int, channel c: Int = 0) -> Int {
        let i = ((y * width + x) * channels + c) * bytesPerSample
        if bytesPerSample == 2 { return Int(pixels[i]) | Int(pixels[i + 1]) << 8 }
        return Int(pixels[i])
    }

    /// The rectangle `[x, x+w) × [y, y+h)` as a new image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        precondition(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= width && y + h <= height, "crop outside the image")
        let px = channels * bytesPerSample
        var out = [UInt8](repeating: 0, count: w * h * px)
        for row in 0..<h {
            let src = ((y + row) * width + x) * px
            out.replaceSubrange(row * w * px..<(row + 1) * w * px, with: pixels[src..<src + w * px])
        }
        return Image(width: w, height: h, channels: channels, bytesPerSample: bytesPerSample, pixels: out)
    }
}
