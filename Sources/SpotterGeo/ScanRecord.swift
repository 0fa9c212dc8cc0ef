import Foundation

/// One detection as a scan reported it (or as the mission store holds it).
public struct ScanDetection: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var score: Double
    public var detector: String
    /// Review state: `unreviewed`, `confirmed`, `dismissed`, `unsure`.
    public var review: String
    /// The mission store's id of the detection, when it came from the store.
    public var storeID: Int64?

    public init(
        x: Int, y: Int, width: Int, height: Int, score: Double, detector: String, review: String = "unreviewed",
        storeID: Int64? = nil
    ) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
        self.detector = detector
        self.review = review
        self.storeID = storeID
    }

    public var centreX: Double { Double(x) + Double(width) / 2 }
    public var centreY: Double { Double(y) + Double(height) / 2 }
}

/// One frame of a scan: the JSONL line `{"file", "width", "height", "detections": [{"box", "score", "detector"}],
/// "error"}` that `spotter scan --format jsonl` writes.
public struct ScanRecord: Sendable, Equatable {
    public var file: String
    public var width: Int
    public var height: Int
    public var detections: [ScanDetection]
    public var error: String?

    public init(file: String, width: Int, height: Int, detections: [ScanDetection], error: String? = nil) {
        self.file = file
        self.width = width
        self.height = height
        self.detections = detections
        self.error = error
    }

    /// Parses scan JSONL (one object per line; blank lines ignored). A line that is not a scan record is an error
    /// naming its line number.
    public static func parseJSONL(_ text: String, name: String = "<scan>") throws(GeoError) -> [ScanRecord] {
        var out: [ScanRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
            } catch {
                throw GeoError(.badInput, "line \(i + 1) is not JSON", file: name)
            }
            guard let o = object as? [String: Any], let file = o["file"] as? String else {
                throw GeoError(.badInput, "line \(i + 1) is not a scan record (no \"file\")", file: name)
            }
            var detections: [ScanDetection] = []
            for d in o["detections"] as? [[String: Any]] ?? [] {
                guard let box = d["box"] as? [NSNumber], box.count == 4, let score = (d["score"] as? NSNumber)?.doubleValue else {
                    throw GeoError(.badInput, "line \(i + 1): a detection needs \"box\": [x, y, w, h] and \"score\"", file: name)
                }
                detections.append(
                    ScanDetection(
                        x: box[0].intValue, y: box[1].intValue, width: box[2].intValue, height: box[3].intValue,
                        score: score, detector: d["detector"] as? String ?? "", review: d["review"] as? String ?? "unreviewed"))
            }
            out.append(
                ScanRecord(
                    file: file, width: (o["width"] as? NSNumber)?.intValue ?? 0, height: (o["height"] as? NSNumber)?.intValue ?? 0,
                    detections: detections, error: o["error"] as? String))
        }
        return out
    }

    /// Reads and parses a scan JSONL file.
    public static func load(path: String) throws(GeoError) -> [ScanRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoError(.badInput, "cannot read the scan file", file: path)
        }
        return try parseJSONL(String(decoding: data, as: UTF8.self), name: path)
    }
}
