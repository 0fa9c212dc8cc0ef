import SpotterImaging

/// Scans one frame at a time: decodes it in bands into a ring of rows and runs the detector set on each band, so a
/// frame is never held whole. One scanner per worker; all its buffers are reused from frame to frame.
public final class FrameScanner {
    public let options: ScanOptions
    private let decoder = FrameDecoder()
    private let ring = RowRing()
    private var rx: RXGlobalStage
    private var hotspot: HotspotStage
    private var labeler: RunLabeler
    private var coldLabeler: RunLabeler

    public init(options: ScanOptions) {
        self.options = options
        rx = RXGlobalStage(parameters: options.rx, reference: options.referenceKernels)
        hotspot = HotspotStage(parameters: options.hotspot, reference: options.referenceKernels)
        labeler = RunLabeler(maxBlobs: options.maxBlobsPerFrame)
        coldLabeler = RunLabeler(maxBlobs: options.maxBlobsPerFrame)
    }

    deinit {
        rx.deallocate()
        hotspot.deallocate()
    }

    private func decodeOptions(colour: DecodeOptions.Colour) -> DecodeOptions {
        DecodeOptions(
            colour: colour, scale: options.scale, maxPixels: options.maxPixels, maxSide: options.maxSide,
            maxFileBytes: options.maxFileBytes, keep16Bit: true)
    }

    /// Scans the file at `path`. Never throws: a failure is recorded in the result.
    public func scan(path: String) -> FrameResult {
        do {
            try decoder.load(path: path, maxFileBytes: options.maxFileBytes)
        } catch {
            return FrameResult(file: path, error: error)
        }
        return scanLoaded(name: path)
    }

    /// Scans in-memory file bytes as if read from `name`.
    public func scan(bytes: [UInt8], name: String) -> FrameResult {
        decoder.load(bytes: bytes, name: name)
        return scanLoaded(name: name)
    }

    /// Decodes the file at `path` through the same decoder settings and ring as a scan, without detecting anything:
    /// the floor that scan throughput is measured against.
    public func decodeOnly(path: String) -> FrameResult {
        do throws(ImagingError) {
            try decoder.load(path: path, maxFileBytes: options.maxFileBytes)
            let colour: DecodeOptions.Colour = options.profile == .thermal ? .gray : .rgbx
            let info = try decoder.begin(decodeOptions(colour: colour))
            let band = max(1, options.bandRows)
            ring.reserve(rows: band, rowBytes: info.rowBytes)
            var y = 0
            while y < info.height {
                let n = try ring.fill(from: decoder, startingAt: y, count: min(band, info.height - y))
                if n == 0 { throw ImagingError(.truncated, "decoder stopped at row \(y) of \(info.height)", file: path) }
                y += n
            }
            decoder.end()
            return FrameResult(file: path, width: info.sourceWidth, height: info.sourceHeight, diagnostics: decoder.diagnostics)
        } catch {
            decoder.end()
            return FrameResult(file: path, error: error)
        }
    }

    private func scanLoaded(name: String) -> FrameResult {
        var result = FrameResult(file: name)
        do throws(ImagingError) {
            let colour: DecodeOptions.Colour = options.profile == .thermal ? .gray : .rgbx
            let info = try decoder.begin(decodeOptions(colour: colour))
            result.width = info.sourceWidth
            result.height = info.sourceHeight
            let profile: Profile = options.profile == .auto ? (info.channels == 1 ? .thermal : .rgb) : options.profile
            if profile == .rgb && info.channels != 4 {
                throw ImagingError(.unsupported, "the rgb profile needs a colour frame; this one has one channel (use --profile thermal or auto)", file: name)
            }
            result.profile = profile.rawValue
            let blobs: [(Blob, String)]
            switch profile {
            case .rgb, .auto: blobs = try runRX(info)
            case .thermal: blobs = try runHotspot(info)
            }
            decoder.end()
            result.detections = detections(from: blobs, info: info)
        } catch {
            decoder.end()
            result.error = error
            result.detections = []
        }
        result.diagnostics = decoder.diagnostics
        return result
    }

    /// The part of the decoded frame that is scored. At a DCT scale of 1/N, a last row or column of output pixels
    /// that covers fewer than N source rows or columns is mostly the encoder's block padding (often not a copy of
    /// the edge), and RX lit it up as an anomaly; it is decoded but not scored. At most N − 1 source rows and
    /// columns at the bottom and right edges go unscanned at that scale, none at full scale.
    static func scoredSize(_ info: ImageInfo) -> (width: Int, height: Int) {
        let s = info.scale
        guard s > 1 else { return (info.width, info.height) }
        let w = info.sourceWidth % s == 0 ? info.width : max(1, info.width - 1)
        let h = info.sourceHeight % s == 0 ? info.height : max(1, info.height - 1)
        return (w, h)
    }

    private func runRX(_ info: ImageInfo) throws(ImagingError) -> [(Blob, String)] {
        let band = max(1, options.bandRows)
        let (width, height) = Self.scoredSize(info)
        ring.reserve(rows: band, rowBytes: info.rowBytes)
        rx.begin(width: width, height: height)
        labeler.reset()
        var y = 0
        while y < info.height {
            let n = try ring.fill(from: decoder, startingAt: y, count: min(band, info.height - y))
            if n == 0 { throw ImagingError(.truncated, "decoder stopped at row \(y) of \(info.height)", file: decoder.file) }
            if y < height { rx.consume(ring: ring, rows: y, min(y + n, height), width: width) }
            y += n
        }
        rx.finish(into: &labeler)
        return labeler.finish().map { b in
            var blob = b
            // Report RX in standard-deviation units, comparable with the thermal z-score.
            blob.peak = blob.peak.squareRoot()
            return (blob, "rx")
        }
    }

    private func runHotspot(_ info: ImageInfo) throws(ImagingError) -> [(Blob, String)] {
        let band = max(1, options.bandRows)
        let (width, height) = Self.scoredSize(info)
        ring.reserve(rows: band + hotspot.haloRows, rowBytes: info.rowBytes)
        hotspot.begin(width: width, height: height, bytesPerSample: info.bytesPerSample)
        labeler.reset()
        coldLabeler.reset()
        var decoded = 0
        var next = 0  // next row to score
        while decoded < info.height || next < height {
            // Decode until the next row can be scored, without overwriting rows not yet scored.
            if decoded < info.height && decoded - next + band <= ring.capacity {
                let n = try ring.fill(from: decoder, startingAt: decoded, count: min(band, info.height - decoded))
                if n == 0 {
                    throw ImagingError(.truncated, "decoder stopped at row \(decoded) of \(info.height)", file: decoder.file)
                }
                decoded += n
                hotspot.rowsDecoded(min(decoded, height), ring: ring)
            }
            while next < height && hotspot.canScore(row: next) {
                hotspot.process(ring: ring, row: next, hot: &labeler, cold: &coldLabeler)
                next += 1
            }
            precondition(next >= height || decoded < info.height || hotspot.canScore(row: next))
        }
        var blobs = labeler.finish().map { ($0, "hotspot") }
        if options.hotspot.detectCold { blobs += coldLabeler.finish().map { ($0, "coldspot") } }
        return blobs
    }

    private func detections(from blobs: [(Blob, String)], info: ImageInfo) -> [Detection] {
        let s = info.scale
        let all = blobs.map { (b, name) -> Detection in
            let x = min(b.minX * s, info.sourceWidth - 1), y = min(b.minY * s, info.sourceHeight - 1)
            let box = Box(
                x: x, y: y, width: min(b.width * s, info.sourceWidth - x), height: min(b.height * s, info.sourceHeight - y))
            return Detection(box: box, score: Double(b.peak), detector: name, area: b.area)
        }
        return NonMaximumSuppression.apply(all, iou: options.nmsIoU, limit: options.maxDetectionsPerFrame)
    }
}
