import SpotterImaging

/// Global RX colour anomaly over a frame streamed in bands: squared Mahalanobis distance of every pixel to the
/// whole frame's colour mean and covariance.
///
/// The frame's statistics are only known once its last row has been decoded, and the frame is never held whole.
/// So each band is first scored against the statistics of the rows seen so far (including its own), and pixels
/// at or above `threshold × prescoreFraction` are kept as compact records (position + colour, 8 bytes). When the
/// frame ends, the records are re-scored against the final statistics, thresholded, and labelled into blobs.
///
/// Colour space: the Mahalanobis distance is invariant under invertible affine colour maps, so scoring the decoded
/// RGB gives exactly the scores of any linear opponent space (Y-Cb-Cr, O1-O2-O3); only the small covariance floor
/// is added in RGB units. Rows arrive as RGBX (four bytes per pixel) because that unpacks cheaply in vector code.
/// The statistics are taken from every `statisticsRowStep`-th row (every 8th: 1.1 M of a 9 MP frame's pixels),
/// which changes them by far less than the difference between two frames of the same scene.
///
/// - Complexity: O(pixels) per frame; memory O(width + records), records capped at `maxCandidateFraction`.
public struct RXGlobalStage {
    public var parameters: RXParameters
    public var reference: Bool
    private var moments = ColourMoments()
    private var records: [UInt64] = []
    private var prescore: Float = 0
    private var capacity = 0
    private var step = 1
    private var scores: UnsafeMutablePointer<Float>
    private var scoresCapacity = 0
    /// How often the candidate cap forced a higher pre-selection threshold in this frame.
    public private(set) var capRaises = 0
    /// The model of the whole frame, after `finish`.
    public private(set) var finalModel: RXModel?

    public init(parameters: RXParameters, reference: Bool = false) {
        self.parameters = parameters
        self.reference = reference
        scores = .allocate(capacity: 1)
        scoresCapacity = 1
    }

    /// Frees the scratch row. Call once when the stage is no longer used.
    public mutating func deallocate() {
        scores.deallocate()
        scoresCapacity = 0
    }

    public mutating func begin(width: Int, height: Int) {
        step = max(1, min(parameters.statisticsRowStep, height / 64))
        moments = ColourMoments()
        records.removeAll(keepingCapacity: true)
        prescore = parameters.threshold * parameters.prescoreFraction
        capacity = max(10_000, Int(Double(width * height) * parameters.maxCandidateFraction))
        capRaises = 0
        finalModel = nil
        if width > scoresCapacity {
            scores.deallocate()
            scores = .allocate(capacity: width)
            scoresCapacity = width
        }
    }

    /// Consumes rows `[y0, y1)` of RGBX pixels from `ring`.
    public mutating func consume(ring: RowRing, rows y0: Int, _ y1: Int, width: Int) {
        for y in y0..<y1 where y % step == 0 {
            let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt8.self))
            if reference {
                RXKernels.accumulateReference(p, count: width, into: &moments)
            } else {
                RXKernels.accumulate(p, count: width, into: &moments)
            }
        }
        guard let model = RXModel(moments, floor: parameters.covarianceFloor) else { return }
        let threshold = prescore
        for y in y0..<y1 {
            let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt8.self))
            if reference {
                _ = RXKernels.scoreReference(p, count: width, model: model, threshold: threshold, into: scores)
                ThresholdKernels.forEachAtLeastReference(scores, count: width, threshold: threshold) { x in
                    records.append(Self.pack(x: x, y: y, p))
                }
            } else if RXKernels.score(p, count: width, model: model, threshold: threshold, into: scores) {
                ThresholdKernels.forEachAtLeast(scores, count: width, threshold: threshold) { x in
                    records.append(Self.pack(x: x, y: y, p))
                }
            }
        }
        if records.count > capacity { tighten(model) }
    }

    /// Raises the pre-selection threshold until the records fit in half the capacity.
    private mutating func tighten(_ model: RXModel) {
        while records.count > capacity / 2 {
            prescore *= 2
            capRaises += 1
            let t = prescore
            records.removeAll { r in
                let c = Self.colour(r)
                return model.distance(c.0, c.1, c.2) < t
            }
        }
    }

    /// Re-scores the kept pixels against the whole frame's statistics and labels those at or above the threshold.
    public mutating func finish(into labeler: inout RunLabeler) {
        guard let model = RXModel(moments, floor: parameters.covarianceFloor) else { return }
        finalModel = model
        let t = parameters.threshold
        var runs: [Run] = []
        var rowY = -1
        var open: Run? = nil
        for r in records {
            let x = Int(r & 0xFFFF), y = Int((r >> 16) & 0xFFFF)
            let c = Self.colour(r)
            let d = model.distance(c.0, c.1, c.2)
            guard d >= t else { continue }
            if y != rowY {
                if let run = open { runs.append(run) }
                open = nil
                if !runs.isEmpty { labeler.add(row: rowY, runs: runs) }
                runs.removeAll(keepingCapacity: true)
                rowY = y
            }
            if var run = open, run.x1 == x {
                run.x1 = x + 1
                run.scoreSum += Double(d)
                if d > run.peak { run.peak = d; run.peakX = x }
                open = run
            } else {
                if let run = open { runs.append(run) }
                open = Run(x0: x, x1: x + 1, scoreSum: Double(d), peak: d, peakX: x)
            }
        }
        if let run = open { runs.append(run) }
        if !runs.isEmpty { labeler.add(row: rowY, runs: runs) }
    }

    /// Pre-selected pixels currently held.
    public var recordCount: Int { records.count }

    @inline(__always)
    static func pack(x: Int, y: Int, _ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(x) | UInt64(y) << 16 | UInt64(p[4 * x]) << 32 | UInt64(p[4 * x + 1]) << 40 | UInt64(p[4 * x + 2]) << 48
    }

    @inline(__always)
    static func colour(_ r: UInt64) -> (UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: r >> 32), UInt8(truncatingIfNeeded: r >> 40), UInt8(truncatingIfNeeded: r >> 48))
    }
}
