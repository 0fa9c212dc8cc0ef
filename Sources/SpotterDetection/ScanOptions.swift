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
    /// A pixel is anomalous when its squared Mahalanobis distance to the frame's colour statistics is at least this.
    public var threshold: Float = 30
    /// Pixels are pre-selected against the statistics seen so far at `threshold × prescoreFraction`, then re-scored
    /// against the whole frame's statistics. Smaller keeps more (safer, more memory).
    public var prescoreFraction: Float = 0.5
    /// Added to the covariance diagonal (squared 8-bit levels): JPEG quantisation makes flat water nearly constant,
    /// and without a floor a one-level wobble would look anomalous.
    public var covarianceFloor: Double = 4
    /// At most this fraction of a frame's pixels is kept as pre-selected candidates (the pre-selection threshold
    /// rises when it would be exceeded), bounding memory for pathological frames.
    public var maxCandidateFraction: Double = 0.02
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
    /// A pixel is a hotspot when (value − background) / scale is at least this.
    public var threshold: Float = 4
    /// Smallest scale used (8-bit levels, or raw counts for 16-bit data), so flat, quantised areas do not turn noise
    /// into hotspots.
    public var deviationFloor: Float = 2
    /// Also flag cold spots (value below the background by the same margin).
    public var detectCold: Bool = false

    public init() {}
}

/// Everything that decides what a scan of one frame does.
public struct ScanOptions: Sendable, Equatable {
    public var profile: Profile = .auto
    /// JPEG DCT scale denominator: 1 (full resolution), 2, 4 or 8. Boxes are always reported at full resolution.
    public var scale: Int = 1
    /// Rows decoded per band.
    public var bandRows: Int = 16
    public var rx = RXParameters()
    public var hotspot = HotspotParameters()
    /// Blobs kept per frame before suppression (strongest first).
    public var maxBlobsPerFrame: Int = 1000
    /// Detections reported per frame after suppression.
    public var maxDetectionsPerFrame: Int = 100
    /// Boxes overlapping a stronger one by at least this IoU are dropped.
    public var nmsIoU: Double = 0.3
    public var maxPixels: Int = DecodeOptions.defaultMaxPixels
    public var maxSide: Int = DecodeOptions.defaultMaxSide
    public var maxFileBytes: Int = DecodeOptions.defaultMaxFileBytes
    /// Run the plain reference kernels instead of the vectorised ones (for bisecting and measuring).
    public var referenceKernels: Bool = KernelMode.referenceFromEnvironment

    public init() {}
}
