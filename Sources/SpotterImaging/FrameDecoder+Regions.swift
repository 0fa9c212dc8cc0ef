/// A rectangle of a frame, in full-resolution pixels.
public struct PixelRect: Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

extension FrameDecoder {
    /// Decodes several rectangles of the loaded frame in one sequential pass, at full resolution.
    ///
    /// The decoder is restricted to the columns spanning all rectangles (`jpeg_crop_scanline`), skips the rows above
    /// the highest one (`jpeg_skip_scanlines`), then decodes row by row down to the lowest one, copying each row's
    /// pieces into the rectangles that cover it. So a frame with fifty detections costs one partial decode, not fifty
    /// (DESIGN: "take all the crops of one frame in one extra sequential pass").
    ///
    /// - Complexity: entropy decoding down to the lowest rectangle's bottom; one row buffer plus the crops.
    public func decodeRegions(_ rects: [PixelRect], options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> [Image] {
        guard !rects.isEmpty else { return [] }
        var opts = options
        opts.scale = 1
        let info = try begin(opts)
        for r in rects where !(r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= info.width && r.y + r.height <= info.height) {
            end()
            throw ImagingError(
                .invalidRequest, "region \(r.x),\(r.y) \(r.width)x\(r.height) is outside the \(info.width)x\(info.height) frame", file: file)
        }
        let left = rects.map(\.x).min()!, right = rects.map { $0.x + $0.width }.max()!
        let top = rects.map(\.y).min()!, bottom = rects.map { $0.y + $0.height }.max()!
        // One column of margin on each side, as in decodeRegion: crop edges are treated as image edges by the chroma
        // upsampler.
        let marginLeft = min(1, left), marginRight = min(1, info.width - right)
        let (cx, cw) = try crop(x: left - marginLeft, width: right - left + marginLeft + marginRight)
        let px = info.channels * info.bytesPerSample
        let rowBytes = cw * px
        let skipped = try skip(rows: top)
        if skipped != top {
            end()
            throw ImagingError(.truncated, "decoder skipped \(skipped) of \(top) rows", file: file)
        }
        var images = rects.map { Image(width: $0.width, height: $0.height, channels: info.channels, bytesPerSample: info.bytesPerSample) }
        // Rectangles ordered by their first row; `active` holds those covering the current row.
        let order = rects.indices.sorted { rects[$0].y < rects[$1].y }
        var next = 0
        var active: [Int] = []
        let row = UnsafeMutableRawPointer.allocate(byteCount: max(rowBytes, 1), alignment: 16)
        defer { row.deallocate() }
        for y in top..<bottom {
            let n = try read(into: row, stride: rowBytes, count: 1)
            if n == 0 {
                end()
                throw ImagingError(.truncated, "decoder stopped at row \(y) of \(info.height)", file: file)
            }
            while next < order.count && rects[order[next]].y == y {
                active.append(order[next])
                next += 1
            }
            active.removeAll { rects[$0].y + rects[$0].height <= y }
            for i in active {
                let r = rects[i]
                images[i].pixels.withUnsafeMutableBytes { dst in
                    (dst.baseAddress! + (y - r.y) * r.width * px).copyMemory(from: row + (r.x - cx) * px, byteCount: r.width * px)
                }
            }
        }
        end()
        return images
    }
}
