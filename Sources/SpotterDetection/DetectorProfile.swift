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
    public var path: String

    struct File: Decodable {
        var format: String
        var name: String
        var version: String
        var family: String
        var parameters: [String: Double]
        var why: [String: String]?
        var reranker: String?
    }

    /// Why a profile could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Keys a profile may set, and where they go.
    static let setters: [String: @Sendable (inout ScanOptions, Double) -> Void] = [
        "rx.threshold": { $0.rx.threshold = Float($1) },
        "rx.covariance_floor": { $0.rx.covarianceFloor = $1 },
        "rx.statistics_row_step": { $0.rx.statisticsRowStep = Int($1) },
        "hotspot.cell_size": { $0.hotspot.cellSize = Int($1) },
        "hotspot.threshold": { $0.hotspot.threshold = Float($1) },
        "hotspot.deviation_floor": { $0.hotspot.deviationFloor = Float($1) },
        "hotspot.detect_cold": { $0.hotspot.detectCold = $1 != 0 },
        "candidates.max_per_frame": { $0.maxCandidatesPerFrame = Int($1) },
        "candidates.ring_width": { $0.ringWidth = Int($1) },
        "detections.max_per_frame": { $0.maxDetectionsPerFrame = Int($1) },
        "detections.nms_iou": { $0.nmsIoU = $1 },
        "band_rows": { $0.bandRows = Int($1) },
    ]

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
        self.path = path
    }

    /// Applies the parameters to `options` (only those of this profile's family are read by the scan).
    public func apply(to options: inout ScanOptions) {
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { Self.setters[key]?(&options, value) }
    }
}
