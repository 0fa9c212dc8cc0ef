extension FrameDecoder {
    /// Decodes the loaded frame whole (at `options.scale`).
    ///
    /// - Complexity: O(pixels); allocates the image.
    public func decodeImage(_ options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
        let info = try begin(options)
        var image = Image(width: info.width, height: info.height, channels: info.channels, bytesPerSample: info.bytesPerSample)
        let rowBytes = info.rowBytes
        var y = 0
        let failure: ImagingError? = image.pixels.withUnsafeMutableBytes { raw -> ImagingError? in
            do throws(ImagingError) {
                while y < info.height {
                    let n = try read(into: raw.baseAddress! + y * rowBytes, stride: rowBytes, count: min(64, info.height - y))
                    if n == 0 { break }
                    y += n
                }
                return nil
            } catch {
                return error
            }
        }
        end()
        if let failure { throw failure }
        if y < info.height {
            throw ImagingError(.truncated, "decoder stopped at row \(y) of \(info.height)", file: file)
        }
        return image
    }

    /// Decodes only the rectangle `[x, x+width) × [y, y+height)` of the loaded frame, at full resolution.
    ///
    /// JPEG uses `jpeg_crop_scanline` and `jpeg_skip_scanlines`: columns outside the block-aligned range are not
    /// colour-converted, rows above are skipped (still entropy-decoded), and decoding stops below the region.
    /// PNG decodes rows down to the region's bottom and keeps the wanted columns.
    public func decodeRegion(
        x: Int, y: Int, width: Int, height: Int, options: DecodeOptions = DecodeOptions()
    ) throws(ImagingError) -> Image {
        var opts = options
        opts.scale = 1
        let info = try begin(opts)
        guard x >= 0, y >= 0, width > 0, height > 0, x + width <= info.width, y + height <= info.height else {
            end()
            throw ImagingError(
                .invalidRequest, "region \(x),\(y) \(width)x\(height) is outside the \(info.width)x\(info.height) frame",
                file: file)
        }
        // One column of margin on each side (within the frame): libjpeg's fancy chroma upsampling treats the edges
        // of a crop as image edges, so a wanted column at a crop edge would differ from the whole decode.
        let marginLeft = min(1, x), marginRight = min(1, info.width - x - width)
        let (cx, cw) = try crop(x: x - marginLeft, width: width + marginLeft + marginRight)
        let px = info.channels * info.bytesPerSample
        let rowBytes = cw * px
        let skipped = try skip(rows: y)
        if skipped != y {
            end()
            throw ImagingError(.truncated, "decoder skipped \(skipped) of \(y) rows", file: file)
        }
        var out = Image(width: width, height: height, channels: info.channels, bytesPerSample: info.bytesPerSample)
        let row = UnsafeMutableRawPointer.allocate(byteCount: max(rowBytes, 1), alignment: 16)
        defer { row.deallocate() }
        let offset = (x - cx) * px
        for r in 0..<height {
            let n = try read(into: row, stride: rowBytes, count: 1)
            if n == 0 {
                end()
                throw ImagingError(.truncated, "decoder stopped at row \(y + r) of \(info.height)", file: file)
            }
            out.pixels.withUnsafeMutableBytes { dst in
                (dst.baseAddress! + r * width * px).copyMemory(from: row + offset, byteCount: width * px)
            }
        }
        end()
        return out
    }
}

extension Image {
    /// Decodes the file at `path` whole.
    public static func decode(path: String, options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
        let decoder = FrameDecoder()
        try decoder.load(path: path, maxFileBytes: options.maxFileBytes)
        return try decoder.decodeImage(options)
    }

    /// Decodes in-memory file bytes whole.
    public static func decode(bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes)
        return try decoder.decodeImage(options)
    }
}
