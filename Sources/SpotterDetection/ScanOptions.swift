import SpotterImaging

/// Which detector set runs on a frame.
public enum Profile: String, Sendable, CaseIterable {
    /// Colour frames get `rgb`, single-channel frames `thermal`.
    case auto
    /// Colour anomaly (global RX) for visible-light frames.
    case rgb
    /// Local hotspot for thermal (single-channel) frames.
    case thermal
}

/// Parameters of the global RX colour-anomaly detector.
public struct RXParameters: Sendable, Equatable {
    /// Candidate threshold on the squared Mahalanobis distance (against the statistics seen so far): permissive, the
    /// re-ranker sorts the candidates out.
    public var threshold: Float = 16
    /// Added to the covariance diagonal (squared 8-bit levels): JPEG quantisation makes flat water nearly constant,
    /// and without a floor a one-level wobble would look anomalous.
    public var covarianceFloor: Double = 4
    /// Colour statistics come from every n-th row (all pixels are still scored); frames shorter than 64·n rows
    /// use a smaller step so that at least 64 rows contribute.
    public var statisticsRowStep: Int = 8

    public init() {}
}

/// Parameters of the thermal local-hotspot detector.
public struct HotspotParameters: Sendable, Equatable {
    /// Side of the background mesh cells, in decoded pixels: larger than a person, smaller than the scene's
    /// temperature gradients.
    public var cellSize: Int = 32
    /// Candidate threshold on (value − background) / scale: permissive, the re-ranker sorts the candidates out.
    public var threshold: Float = 3
    /// Smallest scale used (8-bit levels, or raw counts for 16-bit data), so flat, quantised areas do not turn noise
    /// into hotspots.
    public var deviationFloor: Float = 2
    /// Also look for cold spots (value below the background by the same margin): people in shade, or cooler than
    /// sun-heated ground by day.
    public var detectCold: Bool = true

    public init() {}
}

/// Everything that decides what a scan of one frame does.
public struct ScanOptions: Sendable {
    public var profile: Profile = .auto
    /// JPEG DCT scale denominator: 1 (full resolution), 2, 4 or 8. Boxes are always reported at full resolution.
    public var scale: Int = 1
    /// Rows decoded per band.
    public var bandRows: Int = 16
    public var rx = RXParameters()
    public var hotspot = HotspotParameters()
    /// Candidates kept per frame before re-ranking (strongest first).
    public var maxCandidatesPerFrame: Int = 1000
    /// Width of the ring around a candidate's box whose pixels its features compare it with.
    public var ringWidth: Int = 6
    /// Re-rankers by profile; nil runs without (candidates ranked by their detector's strength).
    public var thermalReranker: BoostedTrees? = nil
    public var rgbReranker: BoostedTrees? = nil
    /// Detections reported per frame after suppression.
    public var maxDetectionsPerFrame: Int = 100
    /// Boxes overlapping a stronger one by at least this IoU are dropped.
    public var nmsIoU: Double = 0.3
    public var maxPixels: Int = DecodeOptions.defaultMaxPixels
    public var maxSide: Int = DecodeOptions.defaultMaxSide
    public var maxFileBytes: Int = DecodeOptions.defaultMaxFileBytes
    /// Keep every candidate with its features in the frame's result (for training and analysis).
    public var keepCandidates: Bool = false
    /// Run the plain reference kernels instead of the vectorised ones (for bisecting and measuring).
    public var referenceKernels: Bool = KernelMode.referenceFromEnvironment

    public init() {}
}
