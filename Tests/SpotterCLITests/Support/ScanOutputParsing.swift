import Foundation
import Testing

/// One JSONL line of `spotter scan --format jsonl`, checked against the documented shape while parsing.
struct FrameLine: Equatable {
    struct Detection: Equatable {
        var x: Int, y: Int, w: Int, h: Int
        var score: Double
        var detector: String
    }

    var file: String
    var width: Int
    var height: Int
    var detections: [Detection]
    var error: String?

    static let keys: Set<String> = ["file", "width", "height", "detections", "error"]

    /// Parses `line` with `JSONSerialization`; records an issue naming the line and returns nil if it is not exactly
    /// `{"file": String, "width": Int, "height": Int, "detections": [{"box": [4 Int], "score": Number,
    /// "detector": String}], "error": null | String}`.
    static func parse(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> FrameLine? {
        func fail(_ why: String) -> FrameLine? {
            Issue.record("JSONL line \(why): \(line.prefix(400))", sourceLocation: sourceLocation)
            return nil
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return fail("is not JSON") }
        guard let o = object as? [String: Any] else { return fail("is not an object") }
        guard Set(o.keys) == keys else { return fail("has keys \(o.keys.sorted()), expected \(keys.sorted())") }
        guard let file = o["file"] as? String else { return fail("has a non-string file") }
        guard let width = integer(o["width"]), let height = integer(o["height"]) else {
            return fail("has a non-integer width or height")
        }
        guard let list = o["detections"] as? [Any] else { return fail("has non-array detections") }
        var detections: [Detection] = []
        for item in list {
            guard let d = item as? [String: Any], Set(d.keys) == ["box", "score", "detector"] else {
                return fail("has a detection that is not {box, score, detector}")
            }
            guard let box = d["box"] as? [Any], box.count == 4, let x = integer(box[0]), let y = integer(box[1]),
                let w = integer(box[2]), let h = integer(box[3])
            else { return fail("has a box that is not four integers") }
            guard let score = (d["score"] as? NSNumber)?.doubleValue, score.isFinite else {
                return fail("has a non-numeric score")
            }
            guard let detector = d["detector"] as? String else { return fail("has a non-string detector") }
            detections.append(Detection(x: x, y: y, w: w, h: h, score: score, detector: detector))
        }
        let error: String?
        switch o["error"] {
        case is NSNull: error = nil
        case let s as String: error = s
        default: return fail("has an error that is neither null nor a string")
        }
        return FrameLine(file: file, width: width, height: height, detections: detections, error: error)
    }

    /// Parses every stdout line; nil (with issues recorded) if any line is malformed.
    static func parseAll(_ run: SpotterRun, sourceLocation: SourceLocation = #_sourceLocation) -> [FrameLine]? {
        var out: [FrameLine] = []
        for line in run.stdoutLines {
            guard let frame = parse(line, sourceLocation: sourceLocation) else { return nil }
            out.append(frame)
        }
        return out
    }

    private static func integer(_ value: Any?) -> Int? {
        guard let n = value as? NSNumber, let d = Double(exactly: n.doubleValue), d == d.rounded() else { return nil }
        return n.intValue
    }
}

/// One row of the ranked table (`rank frame x y w h score detector`, columns separated by runs of spaces).
struct TableRow {
    var rank: Int
    var frame: String
    var x: Int, y: Int, w: Int, h: Int
    var score: Double
    var detector: String

    static let header = ["rank", "frame", "x", "y", "w", "h", "score", "detector"]

    /// The rows under the header, or nil (with an issue) when the header or a row does not parse. Frame paths must
    /// not contain spaces.
    static func parse(_ run: SpotterRun, sourceLocation: SourceLocation = #_sourceLocation) -> [TableRow]? {
        let lines = run.stdoutLines
        guard let first = lines.first else {
            Issue.record("table output is empty", sourceLocation: sourceLocation)
            return nil
        }
        let head = first.split(separator: " ").map(String.init)
        guard head == header else {
            Issue.record("table header is \(head), expected \(header)", sourceLocation: sourceLocation)
            return nil
        }
        var rows: [TableRow] = []
        for line in lines.dropFirst() {
            let c = line.split(separator: " ").map(String.init)
            guard c.count == 8, let rank = Int(c[0]), let x = Int(c[2]), let y = Int(c[3]), let w = Int(c[4]),
                let h = Int(c[5]), let score = Double(c[6])
            else {
                Issue.record("table row does not parse: \(line)", sourceLocation: sourceLocation)
                return nil
            }
            rows.append(TableRow(rank: rank, frame: c[1], x: x, y: y, w: w, h: h, score: score, detector: c[7]))
        }
        return rows
    }
}

/// RFC 4180 records: fields separated by commas, quoted fields may hold commas, quotes ("") and newlines.
enum CSV {
    static func parse(_ text: String) -> [[String]]? {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false, atFieldStart = true
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case "\"":
                return nil  // a quote inside an unquoted field
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
            default:
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted { return nil }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
