import SpotterImaging
import Testing
import _SpotterTestSupport

/// The PNG colour types and bit depths a camera or a tool may write, made by the plain writer in the test support
/// (stored zlib blocks, so the file bytes are exactly what the test says), and what each decodes to.
@Suite("PNG variants")
struct PNGVariantTests {
    /// Seeded samples below 2^bits for `count` values.
    static func samples(_ count: Int, bits: Int, seed: UInt64) -> [UInt16] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt16(truncatingIfNeeded: rng.next() & ((1 << UInt64(bits)) - 1)) }
    }

    static func decode(_ bytes: [UInt8], _ options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> (ImageInfo, Image) {
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes)
        let info = try decoder.begin(options)
        return (info, try decoder.decodeImage(options))
    }

    @Test("8-bit gray decodes exactly", arguments: [1, 7, 16, 33])
    func gray8(width: Int) throws {
        let s = Self.samples(width * 9, bits: 8, seed: 1)
        let (info, image) = try Self.decode(PNGWriter.encode(width: width, height: 9, colourType: .gray, bitDepth: 8, samples: s))
        #expect(info.channels == 1 && info.bitsPerSample == 8 && info.sourceBits == 8 && !info.wasConverted)
        #expect(image.pixels == s.map { UInt8($0) })
    }

    @Test("1/2/4-bit gray expands to the 0...255 range", arguments: [1, 2, 4])
    func lowBitGray(bits: Int) throws {
        let width = 13, height = 5  // 13 pixels: rows end mid-byte at every depth
        let s = Self.samples(width * height, bits: bits, seed: UInt64(bits))
        let (info, image) = try Self.decode(PNGWriter.encode(width: width, height: height, colourType: .gray, bitDepth: bits, samples: s))
        #expect(info.channels == 1 && info.sourceBits == bits && info.bitsPerSample == 8)
        let top = (1 << bits) - 1
        #expect(image.pixels == s.map { UInt8(Int($0) * 255 / top) })
    }

    @Test("8-bit RGB decodes exactly")
    func rgb8() throws {
        let s = Self.samples(19 * 11 * 3, bits: 8, seed: 3)
        let (info, image) = try Self.decode(PNGWriter.encode(width: 19, height: 11, colourType: .rgb, bitDepth: 8, samples: s))
        #expect(info.channels == 3 && info.sourceChannels == 3)
        #expect(image.pixels == s.map { UInt8($0) })
    }

    /// Alpha is dropped, not composited: the colour samples come through untouched.
    @Test("RGBA and gray+alpha lose their alpha channel", arguments: [8, 16])
    func alphaStripped(bits: Int) throws {
        let (w, h) = (17, 6)
        let rgba = Self.samples(w * h * 4, bits: bits, seed: 4)
        let (info, image) = try Self.decode(PNGWriter.encode(width: w, height: h, colourType: .rgba, bitDepth: bits, samples: rgba))
        #expect(info.channels == 3 && info.sourceChannels == 4)
        let expectedRGB = (0..<w * h).flatMap { p in (0..<3).map { rgba[p * 4 + $0] } }
        let ga = Self.samples(w * h * 2, bits: bits, seed: 5)
        let (gaInfo, gaImage) = try Self.decode(PNGWriter.encode(width: w, height: h, colourType: .grayAlpha, bitDepth: bits, samples: ga))
        let expectedGray = (0..<w * h).map { ga[$0 * 2] }
        if bits == 8 {
            #expect(image.pixels == expectedRGB.map { UInt8($0) })
            #expect(gaInfo.channels == 1 && gaImage.pixels == expectedGray.map { UInt8($0) })
        } else {
            // 16-bit colour is scaled to 8 bits; 16-bit gray+alpha keeps 16-bit gray.
            #expect(info.bitsPerSample == 8)
            #expect(zip(image.pixels, expectedRGB).allSatisfy { abs(Int($0) - (Int($1) * 255 + 32_767) / 65_535) <= 1 })
            #expect(gaInfo.channels == 1 && gaInfo.bitsPerSample == 16)
            #expect((0..<w * h).allSatisfy { gaImage.sample(x: $0 % w, y: $0 / w) == Int(expectedGray[$0]) })
        }
    }

    static let palette: [(UInt8, UInt8, UInt8)] = (0..<256).map { (i: Int) -> (UInt8, UInt8, UInt8) in
        let g = UInt8((i * 7) & 0xFF)
        return (UInt8(i), g, UInt8(255 - i))
    }

    @Test("palette images expand to RGB", arguments: [1, 2, 4, 8])
    func paletteImage(bits: Int) throws {
        let (w, h) = (11, 7)
        let indices = Self.samples(w * h, bits: bits, seed: 6)
        let used = Array(Self.palette.prefix(1 << bits))
        let (info, image) = try Self.decode(
            PNGWriter.encode(width: w, height: h, colourType: .palette, bitDepth: bits, samples: indices, palette: used))
        #expect(info.channels == 3 && info.bitsPerSample == 8)
        #expect(image.pixels == indices.flatMap { [used[Int($0)].0, used[Int($0)].1, used[Int($0)].2] })
    }

    /// A palette with a tRNS chunk (transparent entries) is still delivered as 3-channel RGB, the alpha dropped
    /// as for RGBA.
    @Test("palette images with transparency expand to RGB", arguments: allColours)
    func paletteWithTransparency(colour: DecodeOptions.Colour) throws {
        let (w, h) = (9, 5)
        let indices = Self.samples(w * h, bits: 4, seed: 7)
        let used = Array(Self.palette.prefix(16))
        let bytes = PNGWriter.encode(
            width: w, height: h, colourType: .palette, bitDepth: 4, samples: indices, palette: used,
            transparency: [0, 128, 255, 3])
        let (info, image) = try Self.decode(bytes, DecodeOptions(colour: colour))
        let rgb = try Self.decode(PNGWriter.encode(width: w, height: h, colourType: .palette, bitDepth: 4, samples: indices, palette: used),
                                  DecodeOptions(colour: colour)).1
        #expect(info.channels == (colour == .gray ? 1 : colour == .rgbx ? 4 : 3))
        #expect(image == rgb, "tRNS changed the colour samples")
    }

    /// Gray and RGB with a tRNS colour key: the key is ignored, samples come through exactly.
    @Test("gray and RGB with a transparent colour key decode exactly", arguments: [PNGWriter.ColourType.gray, .rgb])
    func colourKey(colourType: PNGWriter.ColourType) throws {
        let (w, h) = (10, 4)
        let s = Self.samples(w * h * colourType.samplesPerPixel, bits: 8, seed: 11)
        let key: [UInt8] = colourType == .gray ? [0, UInt8(s[0])] : [0, UInt8(s[0]), 0, UInt8(s[1]), 0, UInt8(s[2])]
        let bytes = PNGWriter.encode(width: w, height: h, colourType: colourType, bitDepth: 8, samples: s, transparency: key)
        let (info, image) = try Self.decode(bytes)
        #expect(info.channels == colourType.samplesPerPixel)
        #expect(image.pixels == s.map { UInt8($0) })
    }

    /// Radiometric thermal PNGs are 16-bit gray: kept as 16-bit little-endian samples, bit for bit.
    @Test("16-bit gray round-trips exactly through ImageEncoder.png", arguments: [(1, 1), (2, 3), (17, 9), (64, 5)])
    func gray16RoundTrip(width: Int, height: Int) throws {
        let image = SyntheticImage.gray16Noise(width: width, height: height, seed: UInt64(width * 100 + height))
        let bytes = TestFiles.png(image)
        let (info, decoded) = try Self.decode(bytes)
        #expect(info.bitsPerSample == 16 && info.bytesPerSample == 2 && info.sourceBits == 16 && info.channels == 1)
        #expect(decoded == image)
        // Every colour keeps a gray source one channel (and 16-bit).
        for colour in allColours {
            #expect(try Self.decode(bytes, DecodeOptions(colour: colour)).1 == image, "colour \(colour)")
        }
        // keep16Bit off: the nearest 8-bit value.
        let (info8, eight) = try Self.decode(bytes, DecodeOptions(keep16Bit: false))
        #expect(info8.bitsPerSample == 8 && eight.bytesPerSample == 1)
        for i in 0..<width * height {
            let v = image.sample(x: i % width, y: i / width)
            #expect(abs(Int(eight.pixels[i]) - (v * 255 + 32_767) / 65_535) <= 1, "sample \(v) became \(eight.pixels[i])")
        }
    }

    /// The plain writer's 16-bit gray (big-endian in the file) comes out as the same numbers: byte order is right.
    @Test("16-bit gray from another writer keeps its values")
    func gray16ByteOrder() throws {
        let values: [UInt16] = [0, 1, 255, 256, 0x1234, 0xFF00, 0x00FF, 65_535]
        let (_, image) = try Self.decode(PNGWriter.encode(width: 4, height: 2, colourType: .gray, bitDepth: 16, samples: values))
        #expect((0..<8).map { image.sample(x: $0 % 4, y: $0 / 4) } == values.map(Int.init))
    }

    @Test("16-bit RGB is scaled to 8 bits")
    func rgb16() throws {
        var s = Self.samples(13 * 4 * 3, bits: 16, seed: 8)
        s.replaceSubrange(0..<6, with: [0, 65_535, 128, 32_896, 257, 65_278])
        let (info, image) = try Self.decode(PNGWriter.encode(width: 13, height: 4, colourType: .rgb, bitDepth: 16, samples: s))
        #expect(info.channels == 3 && info.bitsPerSample == 8 && info.sourceBits == 16)
        #expect(Array(image.pixels.prefix(6)) == [0, 255, 0, 128, 1, 254])
        #expect(zip(image.pixels, s).allSatisfy { abs(Int($0) - (Int($1) * 255 + 32_767) / 65_535) <= 1 })
    }

    struct Variant: Sendable, CustomStringConvertible {
        var description: String
        var colourType: PNGWriter.ColourType
        var bits: Int
    }

    static let interlacedVariants = [
        Variant(description: "gray 8", colourType: .gray, bits: 8), Variant(description: "gray 1", colourType: .gray, bits: 1),
        Variant(description: "gray 16", colourType: .gray, bits: 16), Variant(description: "RGB 8", colourType: .rgb, bits: 8),
        Variant(description: "RGB 16", colourType: .rgb, bits: 16), Variant(description: "palette 4", colourType: .palette, bits: 4),
        Variant(description: "RGBA 8", colourType: .rgba, bits: 8),
    ]

    /// Adam7 files decode to the same pixels as the same image written without interlacing (sizes include ones
    /// where some of the seven passes are empty), and say that they are slower.
    @Test("Adam7 interlaced equals non-interlaced", arguments: interlacedVariants, [(1, 1), (3, 5), (8, 8), (33, 17)])
    func interlaced(variant: Variant, size: (Int, Int)) throws {
        let (w, h) = size
        let s = Self.samples(w * h * variant.colourType.samplesPerPixel, bits: variant.bits, seed: UInt64(w * h))
        let palette = variant.colourType == .palette ? Array(Self.palette.prefix(16)) : []
        func file(_ interlaced: Bool) -> [UInt8] {
            PNGWriter.encode(width: w, height: h, colourType: variant.colourType, bitDepth: variant.bits, samples: s,
                             palette: palette, interlaced: interlaced)
        }
        for colour in allColours {
            let options = DecodeOptions(colour: colour)
            let decoder = FrameDecoder()
            decoder.load(bytes: file(true))
            let info = try decoder.begin(options)
            #expect(info.isProgressive)
            let adam7 = try decoder.decodeImage(options)
            #expect(decoder.diagnostics.contains { $0.hasPrefix("interlaced PNG") }, "\(decoder.diagnostics)")
            let plain = try Self.decode(file(false), options).1
            #expect(difference(adam7, plain) == nil, "colour \(colour): \(difference(adam7, plain) ?? "")")
        }
    }

    /// Colour PNG in the opponent space: JFIF Y, Cb, Cr of each pixel; in gray: the same luma JPEG gives (BT.601).
    @Test("RGB PNG converts to opponent and gray like JPEG does")
    func pngColourConversions() throws {
        var s = Self.samples(32 * 8 * 3, bits: 8, seed: 9)
        // Primaries and extremes first.
        s.replaceSubrange(0..<18, with: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128])
        let bytes = PNGWriter.encode(width: 32, height: 8, colourType: .rgb, bitDepth: 8, samples: s)
        let (ycInfo, ycc) = try Self.decode(bytes, DecodeOptions(colour: .opponent))
        let (grayInfo, gray) = try Self.decode(bytes, DecodeOptions(colour: .gray))
        #expect(ycInfo.channels == 3 && ycInfo.wasConverted && grayInfo.channels == 1 && grayInfo.wasConverted)
        var worstYCC = 0, worstGray = 0
        for p in 0..<32 * 8 {
            let (y, cb, cr) = referenceYCC(Int(s[p * 3]), Int(s[p * 3 + 1]), Int(s[p * 3 + 2]))
            worstYCC = max(worstYCC, abs(Int(ycc.pixels[p * 3]) - y), abs(Int(ycc.pixels[p * 3 + 1]) - cb), abs(Int(ycc.pixels[p * 3 + 2]) - cr))
            worstGray = max(worstGray, abs(Int(gray.pixels[p]) - y))
        }
        #expect(worstYCC <= 1, "opponent is off by up to \(worstYCC)")
        #expect(worstGray <= 1, "gray is off BT.601 luma by up to \(worstGray)")
    }

    /// RGBX rows are the RGB rows with a 255 after every pixel, for every colour PNG variant.
    @Test("RGBX is RGB plus an opaque padding byte", arguments: [
        Variant(description: "RGB 8", colourType: .rgb, bits: 8), Variant(description: "RGB 16", colourType: .rgb, bits: 16),
        Variant(description: "RGBA 8", colourType: .rgba, bits: 8), Variant(description: "palette 8", colourType: .palette, bits: 8),
        Variant(description: "gray 8", colourType: .gray, bits: 8),
    ])
    func rgbx(variant: Variant) throws {
        let (w, h) = (21, 6)
        let s = Self.samples(w * h * variant.colourType.samplesPerPixel, bits: variant.bits, seed: 10)
        let bytes = PNGWriter.encode(width: w, height: h, colourType: variant.colourType, bitDepth: variant.bits, samples: s,
                                     palette: variant.colourType == .palette ? Self.palette : [])
        let rgb = try Self.decode(bytes).1
        let (info, rgbx) = try Self.decode(bytes, DecodeOptions(colour: .rgbx))
        if variant.colourType == .gray {
            #expect(info.channels == 1 && rgbx == rgb)
            return
        }
        #expect(info.channels == 4 && rgbx.channels == 4)
        #expect(rgbx.pixels == paddedRGBX(rgb))
    }
}
