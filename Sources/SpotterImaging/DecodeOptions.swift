/// How a frame should be decoded.
public struct DecodeOptions: Sendable, Equatable {
    /// Colour of decoded rows for colour sources; grayscale sources always stay one channel.
    public enum Colour: Sendable, Equatable {
        /// Interleaved R, G, B.
        case rgb
        /// Interleaved Y, Cb, Cr (full range): JPEG's own opponent space, produced without a colour conversion.
        case opponent
        /// Luma only.
        case gray
        /// R, G, B and a padding byte: four bytes per pixel, which vector code unpacks with masks and shifts
        /// instead of the shuffles three-byte pixels need (`ImageInfo.channels` is then 4).
        case rgbx
    }

    /// Default cap: 200 megapixels, far above any drone camera, far below a decompression bomb.
    public static let defaultMaxPixels = 200_000_000
    /// Default cap per side (also libjpeg's own limit is 65,500).
    public static let defaultMaxSide = 65_535
    /// Files larger than this are refused before being read (1 GiB).
    public static let defaultMaxFileBytes = 1 << 30

    public var colour: Colour
    /// DCT scaling for JPEG: 1, 2, 4 or 8 (the frame decodes at 1/scale of its size). PNG always decodes at 1.
    public var scale: Int
    public var maxPixels: Int
    public var maxSide: Int
    public var maxFileBytes: Int
    /// Keep 16-bit grayscale PNG (radiometric thermal) as 16-bit samples.
    public var keep16Bit: Bool

    public init(
        colour: Colour = .rgb, scale: Int = 1, maxPixels: Int = DecodeOptions.defaultMaxPixels,
        maxSide: Int = DecodeOptions.defaultMaxSide, maxFileBytes: Int = DecodeOptions.defaultMaxFileBytes,
        keep16Bit: Bool = true
    ) {
        self.colour = colour
        self.scale = scale
        self.maxPixels = maxPixels
        self.maxSide = maxSide
        self.maxFileBytes = maxFileBytes
        self.keep16Bit = keep16Bit
    }
}
