import SpotterImaging

/// An axis-aligned box in full-resolution frame pixels.
public struct Box: Sendable, Equatable, Hashable {
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

    public var area: Int { width * height }
    public var centreX: Double { Double(x) + Double(width) / 2 }
    public var centreY: Double { Double(y) + Double(height) / 2 }

    /// Intersection over union (0 when either box is empty).
    public func iou(_ o: Box) -> Double {
        let ix = max(0, min(x + width, o.x + o.width) - max(x, o.x))
        let iy = max(0, min(y + height, o.y + o.height) - max(y, o.y))
        let inter = ix * iy
        let union = area + o.area - inter
        return union > 0 ? Double(inter) / Double(union) : 0
    }
}

/// One place in a frame where a person might be.
public struct Detection: Sendable, Equatable {
    public var box: Box
    /// Higher is more likely; comparable across frames and detectors (anomaly strength in standard deviations).
    public var score: Double
    /// Which detector found it: `rx` (colour anomaly) or `hotspot` (thermal).
    public var detector: String
    /// Pixels above the threshold in the blob (at the decoded scale).
    public var area: Int

    public init(box: Box, score: Double, detector: String, area: Int = 0) {
        self.box = box
        self.score = score
        self.detector = detector
        self.area = area
    }
}

/// What scanning one frame produced: its detections, or why it failed.
public struct FrameResult: Sendable {
    /// The path as given or found.
    public var file: String
    /// Full-resolution size (0 when the header could not be read).
    public var width: Int
    public var height: Int
    /// Best first.
    public var detections: [Detection]
    /// Set when the frame failed; then `detections` is empty.
    public var error: ImagingError?
    /// Non-fatal notes (library warnings, progressive JPEG, …).
    public var diagnostics: [String]
    /// Which detector set ran (`rgb` or `thermal`), when it got that far.
    public var profile: String?
    /// Every candidate with its features, when `ScanOptions.keepCandidates` is set (boxes at full resolution).
    public var candidates: [(box: Box, candidate: Candidate)]? = nil

    public init(
        file: String, width: Int = 0, height: Int = 0, detections: [Detection] = [], error: ImagingError? = nil,
        diagnostics: [String] = [], profile: String? = nil
    ) {
        self.file = file
        self.width = width
        self.height = height
        self.detections = detections
        self.error = error
        self.diagnostics = diagnostics
        self.profile = profile
    }

    public var failed: Bool { error != nil }
    public var megapixels: Double { Double(width) * Double(height) / 1e6 }
}
