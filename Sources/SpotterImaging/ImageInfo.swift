/// What the header of a frame says, and the shape of the rows the decoder will deliver.
public struct ImageInfo: Sendable, Equatable {
    public var format: ImageFormat
    /// Size of the delivered rows (after DCT scaling).
    public var width: Int
    public var height: Int
    /// Size declared by the file.
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Bytes-per-sample groups per delivered pixel: 1 (gray, thermal), 3 (colour) or 4 (RGBX: colour plus padding).
    public var channels: Int
    /// Bits per delivered sample: 8, or 16 for 16-bit grayscale PNG.
    public var bitsPerSample: Int
    /// Components (JPEG) or samples per pixel (PNG) in the file.
    public var sourceChannels: Int
    public var sourceBits: Int
    /// Progressive JPEG or interlaced PNG (slower to decode; PNG is then held whole).
    public var isProgressive: Bool
    /// The bridge converted the colour (CMYK or RGB-coded JPEG, RGB → opponent for PNG).
    public var wasConverted: Bool
    /// The DCT scale denominator used (1 for PNG).
    public var scale: Int

    public init(
        format: ImageFormat, width: Int, height: Int, sourceWidth: Int, sourceHeight: Int, channels: Int,
        bitsPerSample: Int, sourceChannels: Int, sourceBits: Int, isProgressive: Bool, wasConverted: Bool, scale: Int
    ) {
        self.format = format
        self.width = width
        self.height = height
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.channels = channels
        self.bitsPerSample = bitsPerSample
        self.sourceChannels = sourceChannels
        self.sourceBits = sourceBits
        self.isProgressive = isProgressive
        self.wasConverted = wasConverted
        self.scale = scale
    }

    public var bytesPerSample: Int { bitsPerSample / 8 }
    /// Bytes in one delivered row.
    public var rowBytes: Int { width * channels * bytesPerSample }
    /// Megapixels at source resolution.
    public var sourceMegapixels: Double { Double(sourceWidth) * Double(sourceHeight) / 1e6 }
}
