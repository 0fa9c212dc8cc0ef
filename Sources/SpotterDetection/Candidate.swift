/// Which detector produced a candidate.
public enum CandidateKind: String, Sendable, CaseIterable {
    /// Colour anomaly against the whole frame (global RX).
    case rx
    /// Colour or brightness anomaly against the local background (centre–surround).
    case contrast
    /// Warmer than the local background (thermal).
    case hotspot
    /// Colder than the local background (thermal: people in shade or against sun-heated ground).
    case coldspot
}

/// A place that might be a person: a blob from a permissive threshold, with the features the re-ranker reads.
public struct Candidate: Sendable {
    public var kind: CandidateKind
    /// The blob at the decoded scale.
    public var blob: Blob
    /// Values in the order of the profile's feature list (`ThermalFeatures.names` or `ColourFeatures.names`).
    public var features: [Float]
    /// The score the candidate is ranked by: the re-ranker's probability, or the detector's own strength.
    public var score: Double = 0
    /// RGB only: the colour of the blob's strongest pixel and the mean colour inside its box, kept so the frame's
    /// final statistics can score them once the whole frame has been seen.
    var peakColour: (Float, Float, Float) = (0, 0, 0)
    var meanColour: (Float, Float, Float) = (0, 0, 0)

    public init(kind: CandidateKind, blob: Blob, features: [Float]) {
        self.kind = kind
        self.blob = blob
        self.features = features
    }
}

/// Holds blobs until the rows around them have been decoded, then turns them into candidates while those rows are
/// still in the ring; keeps the strongest `limit` candidates of a frame.
struct CandidateTracker {
    var limit: Int
    private(set) var pending: [(blob: Blob, kind: CandidateKind)] = []
    private(set) var done: [Candidate] = []
    /// Candidates dropped because the frame had more than `limit`.
    private(set) var dropped = 0

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        done.removeAll(keepingCapacity: true)
        dropped = 0
    }

    mutating func add(_ blobs: [Blob], kind: CandidateKind) {
        for b in blobs { pending.append((b, kind)) }
    }

    /// Turns pending blobs into candidates when `margin` rows below them have been decoded (or the frame ended), or
    /// when their top rows would be overwritten by the next band (`firstRowKept` is the oldest row the ring will
    /// still hold after it).
    mutating func process(
        decoded: Int, height: Int, firstRowKept: Int, margin: Int,
        make: (Blob, CandidateKind) -> Candidate
    ) {
        var i = 0
        while i < pending.count {
            let (blob, kind) = pending[i]
            let ready = decoded >= min(height, blob.maxY + 1 + margin)
            let leaving = blob.minY - margin < firstRowKept
            if ready || leaving {
                done.append(make(blob, kind))
                pending.swapAt(i, pending.count - 1)
                pending.removeLast()
            } else {
                i += 1
            }
        }
        if done.count >= 2 * limit { trim() }
    }

    /// Keeps the `limit` strongest candidates (by blob peak), strongest first.
    mutating func trim() {
        done.sort { a, b in
            if a.blob.peak != b.blob.peak { return a.blob.peak > b.blob.peak }
            return (a.blob.minY, a.blob.minX, a.kind.rawValue) < (b.blob.minY, b.blob.minX, b.kind.rawValue)
        }
        if done.count > limit {
            dropped += done.count - limit
            done.removeLast(done.count - limit)
        }
    }

    /// The kept candidates, strongest first.
    mutating func finish() -> [Candidate] {
        trim()
        return done
    }
}
