import SpotterImaging
import SpotterKernelsAVX2

/// Global RX colour anomaly over a frame streamed in bands: squared Mahalanobis distance of every pixel to the
/// frame's colour mean and covariance.
///
/// The frame's statistics are only complete once its last row has been decoded, and the frame is never held whole.
/// So each band is scored against the statistics of the rows seen so far (its own included), and the pixels at or
/// above the candidate threshold become runs for the labeller: a permissive first cut. When the frame ends, each
/// candidate's strongest and mean colours are scored again against the whole frame's statistics (`finalModel`),
/// which is the RX score the candidate is reported with.
///
/// Colour space: the Mahalanobis distance is invariant under invertible affine colour maps, so scoring the decoded
/// RGB gives exactly the scores of any linear opponent space (Y-Cb-Cr, O1-O2-O3); only the small covariance floor
/// is added in RGB units. Rows arrive as RGBX (four bytes per pixel) because that unpacks cheaply in vector code.
/// The statistics are taken from every `statisticsRowStep`-th row (every 8th: 1.1 M of a 9 MP frame's pixels),
/// which changes them by far less than the difference between two frames of the same scene.
///
/// - Complexity: O(pixels) per frame; memory O(width), allocated once per worker.
public struct RXGlobalStage {
    public var parameters: RXParameters
    public var reference: Bool
    /// Score with the x86-64-v3 build of the kernel (same bits; `KernelMode.avx2`).
    public var avx2 = KernelMode.avx2
    private var moments = ColourMoments()
    private var scores: UnsafeMutablePointer<Float>
    private var scoresCapacity = 0
    private var step = 1
    private var runs: [Run] = []
    /// The running model the last band was scored with.
    public private(set) var runningModel: RXModel?

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
        runningModel = nil
        if width > scoresCapacity {
            scores.deallocate()
            scores = .allocate(capacity: width)
            scoresCapacity = width
        }
    }

    /// Consumes rows `[y0, y1)` of RGBX pixels from `ring`, adding the runs at or above the candidate threshold
    /// (in d² units) to `labeler`.
    public mutating func consume(ring: RowRing, rows y0: Int, _ y1: Int, width: Int, into labeler: inout RunLabeler) {
        for y in y0..<y1 where y % step == 0 {
            let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt8.self))
            if reference {
                RXKernels.accumulateReference(p, count: width, into: &moments)
            } else {
                RXKernels.accumulate(p, count: width, into: &moments, avx2: avx2)
            }
        }
        guard let model = RXModel(moments, floor: parameters.covarianceFloor) else { return }
        runningModel = model
        let threshold = parameters.threshold
        for y in y0..<y1 {
            let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt8.self))
            runs.removeAll(keepingCapacity: true)
            if reference {
                _ = RXKernels.scoreReference(p, count: width, model: model, threshold: threshold, into: scores)
                RunBuilder.runsReference(scores, count: width, threshold: threshold, into: &runs)
            } else if RXKernels.score(p, count: width, model: model, threshold: threshold, into: scores, avx2: avx2) {
                RunBuilder.runs(scores, count: width, threshold: threshold, into: &runs, avx2: avx2)
            }
            if runs.isEmpty { labeler.addEmpty(row: y) } else { labeler.add(row: y, runs: runs) }
        }
    }

    /// The model of the whole frame (from all the rows seen).
    public var finalModel: RXModel? { RXModel(moments, floor: parameters.covarianceFloor) }
}
