import SpotterImaging
#if canImport(Glibc)
import Glibc
#endif

/// Scans one frame at a time: decodes it in bands into a ring of rows and runs the detector set on each band, so a
/// frame is never held whole. Blobs above a permissive threshold become candidates; their features are computed
/// from the rows around them while those rows are still in the ring; a re-ranker (when the profile has one) turns
/// the features into the score candidates are ranked by. One scanner per worker; all its buffers are reused from
/// frame to frame.
public final class FrameScanner {
    public let options: ScanOptions
    private let decoder = FrameDecoder()
    private let ring = RowRing()
    private var rx: RXGlobalStage
    private var hotspot: HotspotStage
    private var contrast: ContrastStage
    private var contrastLabelers: [RunLabeler] = []
    private var labeler = RunLabeler(maxBlobs: Int.max / 4)
    private var hotLabelers: [RunLabeler] = []
    private var coldLabelers: [RunLabeler] = []
    private var tracker: CandidateTracker
    private var closed: [Blob] = []
    private var patchQueue = PatchQueue()
    /// A thermal frame's rows as decoded, kept whole when its classifier's patches are cut after ranking
    /// (`runThermal`).
    private var wholeFrame: [UInt8] = []
    /// Rows of margin below and above a candidate its features look at, plus the tallest box measured whole.
    private static let tallestMeasured = 96

    public init(options: ScanOptions) {
        self.options = options
        rx = RXGlobalStage(parameters: options.rx, reference: options.referenceKernels)
        hotspot = HotspotStage(parameters: options.hotspot, reference: options.referenceKernels)
        contrast = ContrastStage(parameters: options.contrast, reference: options.referenceKernels)
        tracker = CandidateTracker(limit: options.rgbCandidates.maxPerSource)
    }

    deinit {
        rx.deallocate()
        hotspot.deallocate()
        contrast.deallocate()
    }

    private func decodeOptions(colour: DecodeOptions.Colour) -> DecodeOptions {
        DecodeOptions(
            colour: colour, scale: options.scale, maxPixels: options.maxPixels, maxSide: options.maxSide,
            maxFileBytes: options.maxFileBytes, keep16Bit: true)
    }

    /// Scans the file at `path`. Never throws: a failure is recorded in the result.
    public func scan(path: String) -> FrameResult {
        scanWithCandidates(path: path).result
    }

    /// Scans the file at `path` and also returns every candidate with its features (for training and analysis).
    public func scanWithCandidates(path: String) -> (result: FrameResult, candidates: [Candidate], info: ImageInfo?) {
        do {
            try decoder.load(path: path, maxFileBytes: options.maxFileBytes)
        } catch {
            return (FrameResult(file: path, error: error), [], nil)
        }
        return scanLoaded(name: path)
    }

    /// Scans in-memory file bytes as if read from `name`.
    public func scan(bytes: [UInt8], name: String) -> FrameResult {
        decoder.load(bytes: bytes, name: name)
        return scanLoaded(name: name).result
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

    private func scanLoaded(name: String) -> (result: FrameResult, candidates: [Candidate], info: ImageInfo?) {
        var result = FrameResult(file: name)
        var candidates: [Candidate] = []
        var header: ImageInfo?
        do throws(ImagingError) {
            let colour: DecodeOptions.Colour = options.profile == .thermal ? .gray : .rgbx
            var info = try decoder.begin(decodeOptions(colour: colour))
            header = info
            result.width = info.sourceWidth
            result.height = info.sourceHeight
            var profile: Profile = options.profile == .auto ? (info.channels == 1 ? .thermal : .rgb) : options.profile
            if options.profile == .auto && profile == .rgb && Self.mayBeThermal(info) {
                // Probing read rows: start the frame again, as gray if it is a thermal image stored in colour.
                let gray = try colourless(info)
                info = try decoder.begin(decodeOptions(colour: gray ? .gray : colour))
                if gray { profile = .thermal }
                header = info
            }
            if profile == .rgb && info.channels != 4 {
                throw ImagingError(.unsupported, "the rgb profile needs a colour frame; this one has one channel (use --profile thermal or auto)", file: name)
            }
            result.profile = profile.rawValue
            switch profile {
            case .rgb, .auto: candidates = try runRGB(info)
            case .thermal: candidates = try runThermal(info)
            }
            decoder.end()
            result.detections = detections(
                from: candidates, info: info, settings: profile == .thermal ? options.thermalCandidates : options.rgbCandidates)
            if options.keepCandidates { result.candidates = candidates.map { (Self.box($0.blob, info: info), $0) } }
        } catch {
            decoder.end()
            result.error = error
            result.detections = []
            candidates = []
        }
        // Once each: a frame begun twice (`colourless`) may have collected the same warning twice.
        result.diagnostics = decoder.diagnostics.reduce(into: []) { kept, d in if !kept.contains(d) { kept.append(d) } }
        return (result, candidates, header)
    }

    /// Thermal cameras (DJI's M3T, M30T, H30T, XT2, FLIR's) often store a white-hot or black-hot frame as a colour JPEG
    /// whose three channels are equal. `auto` scans such frames with the thermal profile, as gray: a frame of a thermal
    /// camera's size (longer side at most 1,280 px), 8-bit, neither progressive nor converted from CMYK, with R = G = B
    /// in every pixel. Palette-coloured thermal frames (ironbow and the like) stay RGB, and so does a colour frame whose
    /// top rows happen to be gray.
    static func mayBeThermal(_ info: ImageInfo) -> Bool {
        info.channels == 4 && info.bitsPerSample == 8 && max(info.sourceWidth, info.sourceHeight) <= 1_280
            && !info.isProgressive && !info.wasConverted
    }

    /// Whether every pixel of the frame just begun has three equal channels. Reads bands of 16 rows until the first
    /// pixel that has colour (a colour photograph: within its first row, as a rule), so the frame must be begun again.
    private func colourless(_ info: ImageInfo) throws(ImagingError) -> Bool {
        let band = 16
        ring.reserve(rows: band, rowBytes: info.rowBytes)
        var y = 0
        while y < info.height {
            let got = try ring.fill(from: decoder, startingAt: 0, count: min(band, info.height - y))
            guard got > 0 else { return false }
            for k in 0..<got {
                let p = ring.row(k).assumingMemoryBound(to: UInt32.self)
                for x in 0..<info.width {
                    let v = UInt32(littleEndian: p[x])
                    if v & 0xFF != (v >> 8) & 0xFF || v & 0xFF != (v >> 16) & 0xFF { return false }
                }
            }
            y += got
        }
        return true
    }

    /// The largest thermal frame kept whole for its patches (`runThermal`): 4 MB, a 2,048 × 2,048 8-bit frame.
    static let wholeFrameBytes = 4 << 20

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

    /// Rows the ring keeps for candidate features on top of what the detectors need, and `patchSide` more for the
    /// patches (`PatchQueue`). Candidates are measured as if those last rows were not there (`measured`), so every
    /// feature is the same with or without patches.
    private func featureRows(_ settings: CandidateSettings) -> Int {
        2 * settings.ringWidth + Self.tallestMeasured + settings.patchSide
    }

    /// Rows the ring holds after `decoded` rows have been decoded.
    private func available(decoded: Int) -> Range<Int> { max(0, decoded - ring.capacity)..<decoded }

    /// The rows candidates are measured from: those the ring would hold without the rows it keeps for patches.
    private func measured(decoded: Int, _ settings: CandidateSettings) -> Range<Int> {
        max(0, decoded - measuringCapacity(settings))..<decoded
    }

    /// The ring's rows less those it keeps for patches: what candidates are measured against.
    private func measuringCapacity(_ settings: CandidateSettings) -> Int { ring.capacity - settings.patchSide }

    // MARK: RGB

    private func runRGB(_ info: ImageInfo) throws(ImagingError) -> [Candidate] {
        let band = max(1, options.bandRows)
        let (width, height) = Self.scoredSize(info)
        let settings = options.rgbCandidates
        let margin = settings.ringWidth
        let ready = settings.ringWidth  // with or without patches (see `PatchQueue`)
        let featureRows = featureRows(settings)
        tracker.limit = settings.maxPerSource
        let useContrast = options.contrast.enabled
        ring.reserve(rows: band + (useContrast ? contrast.haloRows(width: width) : 0) + featureRows, rowBytes: info.rowBytes)
        rx.begin(width: width, height: height)
        labeler.reset()
        let levels = [options.contrast.threshold] + options.contrast.extraLevels
        if useContrast {
            contrast.begin(width: width, height: height)
            if contrastLabelers.count != levels.count { contrastLabelers = levels.map { _ in RunLabeler(maxBlobs: Int.max / 4) } }
            for i in levels.indices { contrastLabelers[i].reset() }
        }
        tracker.reset()
        if useContrast {
            // A binned wide frame sees people larger than the binning: fewer contrast candidates per source.
            tracker.kindLimits[.contrast] = max(50, settings.maxPerSource / (contrast.binning * contrast.binning))
        }
        let ring = self.ring
        let make = { (blob: Blob, kind: CandidateKind, rows: Range<Int>) -> Candidate in
            let (f, peak, mean) = ColourFeatures.compute(
                blob: blob, kind: kind, ring: ring, rows: rows, width: width, height: height, ringWidth: margin)
            var c = Candidate(kind: kind, blob: blob, features: f)
            c.peakColour = peak
            c.meanColour = mean
            if settings.patchSide > 0 { c.patchTicket = self.patchQueue.enqueue(blob) }
            return c
        }
        patchQueue.reset(side: settings.patchSide)
        let cutPatches = { [self] (decoded: Int, firstRowKept: Int, rows: Range<Int>) in
            guard settings.patchSide > 0 else { return }
            patchQueue.cut(decoded: decoded, height: height, firstRowKept: firstRowKept, rows: rows) { blob, rows in
                PatchSampler.patch(side: settings.patchSide, blob: blob, ring: ring, rows: rows, width: width)
            }
        }
        func collect() {
            closed.removeAll(keepingCapacity: true)
            labeler.drainClosed(into: &closed)
            tracker.add(closed, kind: .rx, level: options.rx.threshold)
            guard useContrast else { return }
            for (i, level) in levels.enumerated() {
                closed.removeAll(keepingCapacity: true)
                contrastLabelers[i].drainClosed(into: &closed)
                tracker.add(closed.map { contrast.fullResolution($0) }, kind: .contrast, level: level)
            }
        }
        var decoded = 0
        var next = useContrast ? 0 : contrast.height  // next binned row for the contrast stage
        while decoded < info.height || (useContrast && next < contrast.height) {
            // Full-resolution rows from the contrast stage's first unscored binned row on are still needed.
            let pending = useContrast ? min(decoded, next * contrast.binning) : decoded
            if decoded < info.height && decoded - pending + band <= ring.capacity - featureRows {
                let n = min(band, info.height - decoded)
                // Candidates whose top rows the next band overwrites are measured now.
                let rows = measured(decoded: decoded, settings)
                tracker.process(
                    decoded: decoded, height: height, firstRowKept: max(0, decoded + n - measuringCapacity(settings)),
                    margin: ready
                ) { make($0, $1, rows) }
                cutPatches(decoded, max(0, decoded + n - ring.capacity), available(decoded: decoded))
                let got = try ring.fill(from: decoder, startingAt: decoded, count: n)
                if got == 0 {
                    throw ImagingError(.truncated, "decoder stopped at row \(decoded) of \(info.height)", file: decoder.file)
                }
                if decoded < height { rx.consume(ring: ring, rows: decoded, min(decoded + got, height), width: width, into: &labeler) }
                decoded += got
                if useContrast { contrast.rowsDecoded(min(decoded, height), ring: ring) }
            }
            while useContrast && next < contrast.height && contrast.canScore(row: next) {
                contrast.process(row: next, labelers: &contrastLabelers, levels: levels)
                next += 1
            }
            collect()
            let now = measured(decoded: decoded, settings)
            tracker.process(decoded: decoded, height: height, firstRowKept: now.lowerBound, margin: ready) {
                make($0, $1, now)
            }
            let all = available(decoded: decoded)
            cutPatches(decoded, all.lowerBound, all)
        }
        labeler.closeAll()
        for i in contrastLabelers.indices { contrastLabelers[i].closeAll() }
        collect()
        let end = measured(decoded: info.height, settings)
        tracker.process(decoded: info.height, height: height, firstRowKept: end.lowerBound, margin: ready) { make($0, $1, end) }
        let all = available(decoded: info.height)
        cutPatches(info.height, all.lowerBound, all)
        var candidates = tracker.finish()
        for i in candidates.indices where candidates[i].patchTicket >= 0 {
            candidates[i].patch = patchQueue.take(candidates[i].patchTicket)
        }
        if getenv("SPOTTER_DEBUG_TRACKER") != nil {
            // Diagnostics go to stderr: stdout carries the results.
            let line = "tracker: measured \(tracker.measured), dropped \(tracker.dropped), kept \(candidates.count)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        let model = rx.finalModel
        for i in candidates.indices {
            ColourFeatures.finish(&candidates[i], model: model)
            candidates[i].score = Double(candidates[i].features[ColourFeatures.rxPeakIndex])
        }
        if let reranker = settings.reranker {
            let p = reranker.probabilities(
                candidates.map(\.features), firstTrees: settings.cascadeTrees, keep: settings.cascadeKeep)
            for (i, p) in p.enumerated() { candidates[i].score = p }
        }
        if let classifier = settings.patchClassifier, !candidates.isEmpty {
            Self.applyPatchClassifier(classifier, to: &candidates, settings: settings)
        }
        return candidates
    }

    /// The patch classifier scores the `patchKeep` best candidates (by the re-ranker, else by detector strength); its
    /// logit and the re-ranker's combine as `patchWeight · cnn + treeWeight · trees`. The candidates it does not see
    /// are taken to be no more person-like than the least person-like one it saw, and rank below it.
    /// `cut` gives a candidate's patch when the candidates carry none (patches cut only for those the classifier sees).
    static func applyPatchClassifier(
        _ classifier: PatchClassifier, to candidates: inout [Candidate], settings: CandidateSettings,
        cut: ((Candidate) -> [UInt8])? = nil
    ) {
        let hasTrees = settings.reranker != nil
        let order = candidates.indices.sorted { candidates[$0].score > candidates[$1].score }
        let seen = Array(order.prefix(max(1, settings.patchKeep)))
        let logits = classifier.logits(seen.map { cut?(candidates[$0]) ?? candidates[$0].patch })
        let trees = candidates.map { hasTrees ? logit($0.score) : 0 }
        var z = [Double](repeating: 0, count: candidates.count)
        var lowest = Double.infinity
        for (k, i) in seen.enumerated() {
            z[i] = settings.patchWeight * Double(logits[k]) + settings.treeWeight * trees[i]
            lowest = min(lowest, z[i])
        }
        for i in order.dropFirst(seen.count) {
            // Below every candidate the classifier saw, still in the re-ranker's order.
            z[i] = lowest - 1 - (1 - (hasTrees ? candidates[i].score : 0))
        }
        for i in candidates.indices {
            candidates[i].score = 1 / (1 + exp(-z[i]))
            candidates[i].patch = []
        }
    }

    static func logit(_ p: Double) -> Double {
        let q = min(max(p, 1e-6), 1 - 1e-6)
        return log(q / (1 - q))
    }

    // MARK: Thermal

    private func runThermal(_ info: ImageInfo) throws(ImagingError) -> [Candidate] {
        let band = max(1, options.bandRows)
        let (width, height) = Self.scoredSize(info)
        var settings = options.thermalCandidates
        // A thermal frame is small: with a classifier, the frame is kept whole as it is decoded and only the patches
        // the classifier sees are cut, after ranking, instead of one per candidate during the scan. The patches are
        // the same (a whole frame's); what is measured does not depend on patches (`PatchQueue`).
        let keepWhole = settings.patchClassifier != nil && info.bytesPerSample == 1
            && info.height * info.rowBytes <= Self.wholeFrameBytes
        if keepWhole {
            settings.patchSide = 0
            wholeFrame.removeAll(keepingCapacity: true)
            wholeFrame.reserveCapacity(info.height * info.rowBytes)
        }
        let margin = settings.ringWidth
        let ready = settings.ringWidth  // with or without patches (see `PatchQueue`)
        let featureRows = featureRows(settings)
        tracker.limit = settings.maxPerSource
        ring.reserve(rows: band + hotspot.haloRows(width: width) + featureRows, rowBytes: info.rowBytes)
        hotspot.begin(width: width, height: height, bytesPerSample: info.bytesPerSample)
        let levels = [options.hotspot.threshold] + options.hotspot.extraLevels
        if hotLabelers.count != levels.count {
            hotLabelers = levels.map { _ in RunLabeler(maxBlobs: Int.max / 4) }
            coldLabelers = levels.map { _ in RunLabeler(maxBlobs: Int.max / 4) }
        }
        for i in levels.indices {
            hotLabelers[i].reset()
            coldLabelers[i].reset()
        }
        tracker.reset()
        let ring = self.ring
        let bytesPerSample = info.bytesPerSample
        let make = { [self] (blob: Blob, kind: CandidateKind, rows: Range<Int>) -> Candidate in
            let (bg, scale) = hotspot.background(x: blob.peakX, y: blob.peakY)
            let f = ThermalFeatures.compute(
                blob: blob, kind: kind, ring: ring, rows: rows, width: width, height: height,
                bytesPerSample: bytesPerSample, ringWidth: margin, background: bg, localScale: scale)
            var c = Candidate(kind: kind, blob: blob, features: f)
            if settings.patchSide > 0 { c.patchTicket = patchQueue.enqueue(blob) }
            return c
        }
        patchQueue.reset(side: settings.patchSide)
        let cutPatches = { [self] (decoded: Int, firstRowKept: Int, rows: Range<Int>) in
            guard settings.patchSide > 0 else { return }
            patchQueue.cut(decoded: decoded, height: height, firstRowKept: firstRowKept, rows: rows) { blob, rows in
                PatchSampler.grayPatch(
                    side: settings.patchSide, blob: blob, ring: ring, rows: rows, width: width, bytesPerSample: bytesPerSample)
            }
        }
        var decoded = 0
        var next = 0  // next row to score
        func collect() {
            for (i, level) in levels.enumerated() {
                closed.removeAll(keepingCapacity: true)
                hotLabelers[i].drainClosed(into: &closed)
                tracker.add(closed, kind: .hotspot, level: level)
                closed.removeAll(keepingCapacity: true)
                coldLabelers[i].drainClosed(into: &closed)
                tracker.add(closed, kind: .coldspot, level: level)
            }
        }
        while decoded < info.height || next < height {
            // Decode when the band fits without overwriting rows not yet scored.
            if decoded < info.height && decoded - next + band <= ring.capacity - featureRows {
                let n = min(band, info.height - decoded)
                let rows = measured(decoded: decoded, settings)
                tracker.process(
                    decoded: decoded, height: height, firstRowKept: max(0, decoded + n - measuringCapacity(settings)),
                    margin: ready
                ) { make($0, $1, rows) }
                cutPatches(decoded, max(0, decoded + n - ring.capacity), available(decoded: decoded))
                let got = try ring.fill(from: decoder, startingAt: decoded, count: n)
                if got == 0 {
                    throw ImagingError(.truncated, "decoder stopped at row \(decoded) of \(info.height)", file: decoder.file)
                }
                if keepWhole {
                    for y in decoded..<(decoded + got) {
                        wholeFrame.append(contentsOf: UnsafeRawBufferPointer(start: ring.row(y), count: info.rowBytes))
                    }
                }
                decoded += got
                hotspot.rowsDecoded(min(decoded, height), ring: ring)
            }
            while next < height && hotspot.canScore(row: next) {
                hotspot.process(ring: ring, row: next, hot: &hotLabelers, cold: &coldLabelers, levels: levels)
                next += 1
            }
            collect()
            let now = measured(decoded: decoded, settings)
            tracker.process(decoded: decoded, height: height, firstRowKept: now.lowerBound, margin: ready) {
                make($0, $1, now)
            }
            let all = available(decoded: decoded)
            cutPatches(decoded, all.lowerBound, all)
            precondition(next >= height || decoded < info.height || hotspot.canScore(row: next))
        }
        for i in levels.indices {
            hotLabelers[i].closeAll()
            coldLabelers[i].closeAll()
        }
        collect()
        let end = measured(decoded: info.height, settings)
        tracker.process(decoded: info.height, height: height, firstRowKept: end.lowerBound, margin: ready) {
            make($0, $1, end)
        }
        let all = available(decoded: info.height)
        cutPatches(info.height, all.lowerBound, all)
        var candidates = tracker.finish()
        for i in candidates.indices where candidates[i].patchTicket >= 0 {
            candidates[i].patch = patchQueue.take(candidates[i].patchTicket)
        }
        let frame = hotspot.frameStatistics()
        ThermalFeatures.finish(&candidates, frameMedian: frame.median, frameScale: frame.scale)
        for i in candidates.indices { candidates[i].score = Double(candidates[i].blob.peak) }
        if let reranker = settings.reranker {
            let p = reranker.probabilities(
                candidates.map(\.features), firstTrees: settings.cascadeTrees, keep: settings.cascadeKeep)
            for (i, p) in p.enumerated() { candidates[i].score = p }
        }
        // The thermal CNN learned 8-bit tone-mapped frames; on 16-bit radiometric ones the trees rank alone.
        if let classifier = settings.patchClassifier, bytesPerSample == 1, !candidates.isEmpty {
            if keepWhole {
                wholeFrame.withUnsafeBytes { frame in
                    Self.applyPatchClassifier(classifier, to: &candidates, settings: settings) { c in
                        PatchSampler.grayPatch(
                            side: classifier.patchSide, cx: (c.blob.minX + c.blob.maxX + 1) / 2,
                            cy: (c.blob.minY + c.blob.maxY + 1) / 2, width: width, bytesPerSample: 1,
                            rows: 0..<info.height, row: { frame.baseAddress! + $0 * info.rowBytes })
                    }
                }
            } else {
                Self.applyPatchClassifier(classifier, to: &candidates, settings: settings)
            }
        }
        return candidates
    }

    // MARK: Output

    /// A candidate's box at full resolution.
    static func box(_ b: Blob, info: ImageInfo) -> Box {
        let s = info.scale
        let x = min(b.minX * s, info.sourceWidth - 1), y = min(b.minY * s, info.sourceHeight - 1)
        return Box(x: x, y: y, width: min(b.width * s, info.sourceWidth - x), height: min(b.height * s, info.sourceHeight - y))
    }

    private func detections(from candidates: [Candidate], info: ImageInfo, settings: CandidateSettings) -> [Detection] {
        let all = candidates.map { c in
            Detection(box: Self.box(c.blob, info: info), score: c.score, detector: c.kind.rawValue, area: c.blob.area)
        }
        // The floor is a probability: it needs the re-ranker's scores, not detector strengths.
        let floored = settings.reranker != nil
        return NonMaximumSuppression.apply(
            all, iou: settings.nmsIoU, limit: settings.maxDetectionsPerFrame,
            floor: floored ? settings.scoreFloor : -.infinity, after: floored ? settings.floorAfter : Int.max)
    }
}
