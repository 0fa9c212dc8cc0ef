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
    /// The threshold the blob was cut at (candidates of several levels nest).
    public var level: Float = 0
    /// Values in the order of the profile's feature list (`ThermalFeatures.names` or `ColourFeatures.names`).
    public var features: [Float]
    /// The score the candidate is ranked by: the re-ranker's probability, or the detector's own strength.
    public var score: Double = 0
    /// RGB only: the colour of the blob's strongest pixel and the mean colour inside its box, kept so the frame's
    /// final statistics can score them once the whole frame has been seen.
    var peakColour: (Float, Float, Float) = (0, 0, 0)
    var meanColour: (Float, Float, Float) = (0, 0, 0)
    /// When the profile has a patch classifier (or patches are requested): the square patch centred on the candidate
    /// (`PatchSampler`), RGB for colour frames, single-channel samples as decoded for thermal ones.
    public var patch: [UInt8] = []
    /// The candidate's place in the scan's `PatchQueue` while its patch waits for the rows under it (-1: none).
    var patchTicket = -1

    public init(kind: CandidateKind, blob: Blob, features: [Float]) {
        self.kind = kind
        self.blob = blob
        self.features = features
    }
}

/// Holds blobs until the rows around them have been decoded, then turns them into candidates while those rows are
/// still in the ring; keeps the strongest `limit` candidates of each source (a detector at one threshold level),
/// ranked by the blob's peak score.
///
/// A blob weaker than the `limit`-th strongest of its source seen so far can never be kept, so it is dropped before
/// its features are computed: the features of a frame's tens of thousands of noise blobs are never measured.
struct CandidateTracker {
    var limit: Int
    /// Per-kind limits overriding `limit` (the contrast stage on a binned wide frame keeps fewer, see `runRGB`).
    var kindLimits: [CandidateKind: Int] = [:]
    struct Pending {
        var blob: Blob
        var kind: CandidateKind
        var level: Float
    }
    private(set) var pending: [Pending] = []
    private(set) var done: [Candidate] = []
    /// Candidates dropped because a source had more than `limit`.
    private(set) var dropped = 0
    /// Blobs whose features were computed.
    private(set) var measured = 0
    /// Per source (kind and level): a min-heap of the strongest peaks so far, at most `limit` of them.
    private var heaps: [String: MinHeap] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    private func limit(_ kind: CandidateKind) -> Int { kindLimits[kind] ?? limit }

    mutating func reset() {
        kindLimits = [:]
        pending.removeAll(keepingCapacity: true)
        done.removeAll(keepingCapacity: true)
        heaps.removeAll(keepingCapacity: true)
        dropped = 0
        measured = 0
    }

    private static func source(_ kind: CandidateKind, _ level: Float) -> String { "\(kind.rawValue)@\(level)" }

    /// The weakest peak a new blob of this source must beat to be kept (−∞ while the source has room).
    private func bar(_ key: String, _ kind: CandidateKind) -> Float {
        guard let heap = heaps[key], heap.count >= limit(kind) else { return -.infinity }
        return heap.minimum
    }

    mutating func add(_ blobs: [Blob], kind: CandidateKind, level: Float = 0) {
        guard !blobs.isEmpty else { return }
        let key = Self.source(kind, level)
        var heap = heaps[key] ?? MinHeap()
        let limit = limit(kind)
        for b in blobs {
            if heap.count >= limit {
                guard b.peak > heap.minimum else { dropped += 1; continue }
                heap.replaceMinimum(b.peak)
            } else {
                heap.insert(b.peak)
            }
            pending.append(Pending(blob: b, kind: kind, level: level))
        }
        heaps[key] = heap
    }

    /// Turns pending blobs into candidates when `margin` rows below them have been decoded (or the frame ended), or
    /// when their top rows would be overwritten by the next band (`firstRowKept` is the oldest row the ring will
    /// still hold after it). Blobs that fell below their source's bar meanwhile are dropped unmeasured.
    mutating func process(
        decoded: Int, height: Int, firstRowKept: Int, margin: Int,
        make: (Blob, CandidateKind) -> Candidate
    ) {
        var i = 0
        while i < pending.count {
            let blob = pending[i].blob, kind = pending[i].kind, level = pending[i].level
            let ready = decoded >= min(height, blob.maxY + 1 + margin)
            let leaving = max(0, blob.minY - margin) < firstRowKept
            if ready || leaving {
                if blob.peak >= bar(Self.source(kind, level), kind) {
                    measured += 1
                    var c = make(blob, kind)
                    c.level = level
                    done.append(c)
                } else {
                    dropped += 1
                }
                pending.swapAt(i, pending.count - 1)
                pending.removeLast()
            } else {
                i += 1
            }
        }
    }

    /// The kept candidates, strongest first within each source, sources in a fixed order.
    mutating func finish() -> [Candidate] {
        var kept: [Candidate] = []
        var bySource: [String: [Candidate]] = [:]
        for c in done { bySource[Self.source(c.kind, c.level), default: []].append(c) }
        for key in bySource.keys.sorted() {
            var list = bySource[key]!
            list.sort { a, b in
                if a.blob.peak != b.blob.peak { return a.blob.peak > b.blob.peak }
                return (a.blob.minY, a.blob.minX) < (b.blob.minY, b.blob.minX)
            }
            let cap = limit(list[0].kind)
            if list.count > cap {
                dropped += list.count - cap
                list.removeLast(list.count - cap)
            }
            kept += list
        }
        done = kept
        return kept
    }
}

/// A binary min-heap of Floats.
struct MinHeap {
    private var items: [Float] = []
    var count: Int { items.count }
    var minimum: Float { items[0] }

    mutating func insert(_ v: Float) {
        items.append(v)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    /// Replaces the minimum with `v` (which must not be smaller) and restores the heap.
    mutating func replaceMinimum(_ v: Float) {
        items[0] = v
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
    }
}
