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

/// Parameters of the centre–surround colour contrast detector (RGB).
public struct ContrastParameters: Sendable, Equatable {
    /// Side of the background mesh cells, in pixels of a 640-pixel-wide frame (wider frames scale it).
    public var cellSize: Int = 16
    /// Candidate threshold on √(z_Y² + z_Cb² + z_Cr²): permissive, the re-ranker sorts the candidates out.
    public var threshold: Float = 4
    /// Further thresholds, each giving its own nested blobs.
    public var extraLevels: [Float] = [7]
    /// Smallest luma and chroma scales (8-bit levels).
    public var lumaFloor: Float = 2
    public var chromaFloor: Float = 1.5
    /// Run the detector at all (global RX always runs).
    public var enabled: Bool = true

    public init() {}
}

/// Parameters of the thermal local-hotspot detector.
public struct HotspotParameters: Sendable, Equatable {
    /// Side of the background mesh cells, in pixels of a 640-pixel-wide frame (wider frames scale it): larger than a
    /// person, smaller than the scene's temperature gradients.
    public var cellSize: Int = 32
    /// Candidate threshold on (value − background) / scale: permissive, the re-ranker sorts the candidates out.
    public var threshold: Float = 3
    /// Further thresholds, each giving its own (nested) blobs: a person inside a larger warm patch, or two people
    /// merged at the lowest level, get boxes of their own at a higher one.
    public var extraLevels: [Float] = [4.5, 6.5, 10]
    /// Smallest scale used (8-bit levels, or raw counts for 16-bit data), so flat, quantised areas do not turn noise
    /// into hotspots.
    public var deviationFloor: Float = 2
    /// Also look for cold spots (value below the background by the same margin): people in shade, or cooler than
    /// sun-heated ground by day.
    public var detectCold: Bool = true

    public init() {}
}

/// How one detector family (RGB or thermal) turns candidates into detections.
public struct CandidateSettings: Sendable {
    /// Candidates kept per source (a detector at one threshold level) per frame, strongest first.
    public var maxPerSource: Int = 300
    /// Width of the ring around a candidate's box whose pixels its features compare it with.
    public var ringWidth: Int = 6
    /// Detections reported per frame after suppression.
    public var maxDetectionsPerFrame: Int = 100
    /// With a re-ranker: past the `floorAfter` best detections of a frame, only those scored at least `scoreFloor`
    /// are reported (up to `maxDetectionsPerFrame`). A crowded frame keeps its hundreds of likely people; a frame of
    /// empty sea stops at `floorAfter`. Without a re-ranker scores are detector strengths and no floor applies.
    public var scoreFloor: Double = 0
    /// See `scoreFloor`.
    public var floorAfter: Int = Int.max
    /// Boxes overlapping a stronger one by at least this IoU are dropped.
    public var nmsIoU: Double = 0.3
    /// The re-ranker; nil ranks candidates by their detector's strength.
    public var reranker: BoostedTrees? = nil
    /// Side of the RGB patch cut around each candidate (0: none); set when a patch classifier is loaded or patches are
    /// wanted for training.
    public var patchSide: Int = 0
    /// The patch classifier (RGB); its logit and the re-ranker's are combined as
    /// `patchWeight · cnn + treeWeight · trees` before the sigmoid.
    public var patchClassifier: PatchClassifier? = nil
    public var patchWeight: Double = 1
    /// How many of a frame's candidates (the best by the re-ranker) the patch classifier scores.
    public var patchKeep: Int = 250
    public var treeWeight: Double = 1
    /// Re-ranker cascade: every candidate gets the first `cascadeTrees` trees, only the best `cascadeKeep` the rest.
    public var cascadeTrees: Int = 150
    public var cascadeKeep: Int = 250

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
    public var contrast = ContrastParameters()
    public var hotspot = HotspotParameters()
    /// Candidate handling per family.
    public var rgbCandidates = CandidateSettings()
    public var thermalCandidates = CandidateSettings()
    public var maxPixels: Int = DecodeOptions.defaultMaxPixels
    public var maxSide: Int = DecodeOptions.defaultMaxSide
    public var maxFileBytes: Int = DecodeOptions.defaultMaxFileBytes
    /// Keep every candidate with its features in the frame's result (for training and analysis).
    public var keepCandidates: Bool = false
    /// Run the plain reference kernels instead of the vectorised ones (for bisecting and measuring).
    public var referenceKernels: Bool = KernelMode.referenceFromEnvironment

    public init() {}
}
