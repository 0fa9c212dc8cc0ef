import Foundation

/// A versioned detector profile from `Models/profiles/`: every parameter it sets, why, and its re-ranker.
public struct DetectorProfile: Sendable {
    public var name: String
    public var version: String
    /// `rgb` or `thermal`: which detector family the profile configures.
    public var family: Profile
    /// Parameter values by key (`rx.threshold`, `hotspot.cell_size`, …).
    public var parameters: [String: Double]
    /// The re-ranker file, relative to the Models folder (nil: none).
    public var reranker: String?
    /// The patch classifier's header file, relative to the Models folder (nil: none).
    public var patchClassifier: String?
    public var path: String

    struct File: Decodable {
        var format: String
        var name: String
        var version: String
        var family: String
        var parameters: [String: Double]
        var why: [String: String]?
        var reranker: String?
        var patch_classifier: String?
    }

    /// Why a profile could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Keys a profile may set, and where they go.
    static let setters: [String: @Sendable (inout ScanOptions, Double) -> Void] = [
        // Candidate settings go to the family being configured: see `apply`.
        "rx.threshold": { $0.rx.threshold = Float($1) },
        "rx.covariance_floor": { $0.rx.covarianceFloor = $1 },
        "rx.statistics_row_step": { $0.rx.statisticsRowStep = Int($1) },
        "contrast.enabled": { $0.contrast.enabled = $1 != 0 },
        "contrast.cell_size": { $0.contrast.cellSize = Int($1) },
        "contrast.threshold": { $0.contrast.threshold = Float($1) },
        "contrast.extra_level_1": { setLevel(&$0.contrast.extraLevels, 0, $1) },
        "contrast.extra_level_2": { setLevel(&$0.contrast.extraLevels, 1, $1) },
        "contrast.luma_floor": { $0.contrast.lumaFloor = Float($1) },
        "contrast.chroma_floor": { $0.contrast.chromaFloor = Float($1) },
        "hotspot.cell_size": { $0.hotspot.cellSize = Int($1) },
        "hotspot.threshold": { $0.hotspot.threshold = Float($1) },
        "hotspot.deviation_floor": { $0.hotspot.deviationFloor = Float($1) },
        "hotspot.detect_cold": { $0.hotspot.detectCold = $1 != 0 },
        "hotspot.extra_level_1": { setLevel(&$0.hotspot.extraLevels, 0, $1) },
        "hotspot.extra_level_2": { setLevel(&$0.hotspot.extraLevels, 1, $1) },
        "hotspot.extra_level_3": { setLevel(&$0.hotspot.extraLevels, 2, $1) },
        "candidates.max_per_source": { _, _ in },
        "candidates.ring_width": { _, _ in },
        "detections.max_per_frame": { _, _ in },
        "detections.score_floor": { _, _ in },
        "detections.floor_after": { _, _ in },
        "detections.nms_iou": { _, _ in },
        "reranker.cascade_trees": { _, _ in },
        "reranker.cascade_keep": { _, _ in },
        "patch_classifier.weight": { _, _ in },
        "patch_classifier.tree_weight": { _, _ in },
        "patch_classifier.keep": { _, _ in },
        "patch_classifier.enabled": { _, _ in },
        "band_rows": { $0.bandRows = Int($1) },
    ]

    /// Sets extra level `index` (0 removes it and the ones after it).
    private static func setLevel(_ levels: inout [Float], _ index: Int, _ value: Double) {
        if value <= 0 {
            levels = Array(levels.prefix(index))
            return
        }
        while levels.count <= index { levels.append(levels.last ?? 0) }
        levels[index] = Float(value)
    }

    public init(path: String) throws(LoadError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw LoadError(path: path, message: "not a spotter profile (\(error))")
        } catch {
            throw LoadError(path: path, message: "cannot read the profile")
        }
        guard file.format == "spotter-profile-1" else {
            throw LoadError(path: path, message: "format \(file.format), expected spotter-profile-1")
        }
        guard let family = Profile(rawValue: file.family), family != .auto else {
            throw LoadError(path: path, message: "family \(file.family) is neither rgb nor thermal")
        }
        if let unknown = file.parameters.keys.sorted().first(where: { Self.setters[$0] == nil }) {
            throw LoadError(path: path, message: "unknown parameter \(unknown) (known: \(Self.setters.keys.sorted().joined(separator: ", ")))")
        }
        name = file.name
        version = file.version
        self.family = family
        parameters = file.parameters
        reranker = file.reranker
        patchClassifier = file.patch_classifier
        self.path = path
    }

    /// Applies the parameters to `options`: detector parameters by name, candidate settings to this family's.
    public func apply(to options: inout ScanOptions) {
        var settings = family == .thermal ? options.thermalCandidates : options.rgbCandidates
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "candidates.max_per_source": settings.maxPerSource = Int(value)
            case "candidates.ring_width": settings.ringWidth = Int(value)
            case "detections.max_per_frame": settings.maxDetectionsPerFrame = Int(value)
            case "detections.score_floor": settings.scoreFloor = value
            case "detections.floor_after": settings.floorAfter = Int(value)
            case "detections.nms_iou": settings.nmsIoU = value
            case "reranker.cascade_trees": settings.cascadeTrees = Int(value)
            case "reranker.cascade_keep": settings.cascadeKeep = Int(value)
            case "patch_classifier.weight": settings.patchWeight = value
            case "patch_classifier.tree_weight": settings.treeWeight = value
            case "patch_classifier.keep": settings.patchKeep = Int(value)
            default: Self.setters[key]?(&options, value)
            }
        }
        if family == .thermal { options.thermalCandidates = settings } else { options.rgbCandidates = settings }
    }
}
