import SpotterDetection
import SpotterImaging

/// One detection with the frame it belongs to, for lists ranked across frames.
struct RankedDetection {
    var rank: Int
    var file: String
    var detection: Detection
}

/// Output formats of `scan`. Computing is elsewhere; these only format.
enum ScanOutput {
    /// The JSONL line of one frame: `{"file", "width", "height", "detections": [{"box", "score", "detector"}], "error"}`.
    static func jsonLine(_ r: FrameResult) -> String {
        var s = "{\"file\": " + JSONText.string(r.file)
        s += ", \"width\": \(r.width), \"height\": \(r.height), \"detections\": ["
        s += r.detections.map { d in
            "{\"box\": [\(d.box.x), \(d.box.y), \(d.box.width), \(d.box.height)], \"score\": \(JSONText.number(d.score)), \"detector\": \(JSONText.string(d.detector))}"
        }.joined(separator: ", ")
        s += "], \"error\": " + (r.error.map { JSONText.string($0.message) } ?? "null") + "}"
        return s
    }

    /// All detections of all frames, best first (ties: file order, then position).
    static func ranked(_ results: [FrameResult]) -> [RankedDetection] {
        var all: [(Int, String, Detection)] = []
        for (i, r) in results.enumerated() { for d in r.detections { all.append((i, r.file, d)) } }
        all.sort { a, b in
            if a.2.score != b.2.score { return a.2.score > b.2.score }
            if a.0 != b.0 { return a.0 < b.0 }
            return NonMaximumSuppression.rankedBefore(a.2, b.2)
        }
        return all.enumerated().map { RankedDetection(rank: $0.offset + 1, file: $0.element.1, detection: $0.element.2) }
    }

    static let csvHeader = "rank,file,x,y,w,h,score,detector,error"

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    static func csvRow(_ r: RankedDetection) -> String {
        let b = r.detection.box
        return "\(r.rank),\(csvField(r.file)),\(b.x),\(b.y),\(b.width),\(b.height),\(JSONText.number(r.detection.score)),\(r.detection.detector),"
    }

    static func csvFailure(_ r: FrameResult) -> String {
        ",\(csvField(r.file)),,,,,,,\(csvField(r.error?.message ?? ""))"
    }

    /// A fixed-width table: rank, frame, x, y, w, h, score, detector.
    static func table(_ rows: [RankedDetection]) -> String {
        let header = ["rank", "frame", "x", "y", "w", "h", "score", "detector"]
        let cells = rows.map { r -> [String] in
            let b = r.detection.box
            return [String(r.rank), r.file, String(b.x), String(b.y), String(b.width), String(b.height),
                    fixed(r.detection.score, 2), r.detection.detector]
        }
        var widths = header.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        let rightAligned: Set<Int> = [0, 2, 3, 4, 5, 6]
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }

    /// `v` with exactly `digits` decimals.
    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return String(v) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int64((abs(v) * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        let fracText = String(frac)
        let padded = String(repeating: "0", count: digits - fracText.count) + fracText
        return (v < 0 && n != 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + padded : "")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
