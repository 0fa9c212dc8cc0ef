import ArgumentParser
import SpotterStore

enum RecordFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// One value of a printed record.
enum FieldValue {
    case int(Int64)
    case number(Double, digits: Int)
    case text(String)
    case list([String])
    case null

    static func int(_ v: Int) -> FieldValue { .int(Int64(v)) }
    static func optional(_ v: Int64?) -> FieldValue { v.map { .int($0) } ?? .null }
    static func optional(_ v: String?) -> FieldValue { v.map { .text($0) } ?? .null }
    static func optional(_ v: Double?, digits: Int) -> FieldValue { v.map { .number($0, digits: digits) } ?? .null }

    var isNumeric: Bool {
        switch self {
        case .int, .number: true
        default: false
        }
    }

    var plain: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v, let digits): ScanOutput.fixed(v, digits)
        case .text(let s): s
        case .list(let items): items.joined(separator: "; ")
        case .null: ""
        }
    }

    var json: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v, let digits): JSONText.number(v, digits: max(digits, 6))
        case .text(let s): JSONText.string(s)
        case .list(let items): "[" + items.map(JSONText.string).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }
}

/// A record to print: named fields in display order. The first is its `id`.
typealias Record = [(name: String, value: FieldValue)]

/// Formats records as a fixed-width table, a JSON array of objects, or CSV with a header. Formatting only.
enum RecordOutput {
    static func render(_ records: [Record], columns: [String], format: RecordFormat) -> String {
        switch format {
        case .json:
            if records.isEmpty { return "[]" }
            let objects = records.map { r in
                "  {" + r.map { JSONText.string($0.name) + ": " + $0.value.json }.joined(separator: ", ") + "}"
            }
            return "[\n" + objects.joined(separator: ",\n") + "\n]"
        case .csv:
            var lines = [columns.map(ScanOutput.csvField).joined(separator: ",")]
            for r in records { lines.append(r.map { ScanOutput.csvField($0.value.plain) }.joined(separator: ",")) }
            return lines.joined(separator: "\n")
        case .table:
            let cells = records.map { r in r.map { oneLine($0.value.plain) } }
            var widths = columns.map(\.count)
            for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
            let numeric = columns.indices.map { i in records.first.map { i < $0.count && $0[i].value.isNumeric } ?? false }
            func line(_ row: [String]) -> String {
                row.enumerated().map { i, c in
                    let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                    return numeric[i] ? pad + c : c + pad
                }.joined(separator: "  ").trimmingTrailingSpaces()
            }
            return ([line(columns)] + cells.map(line)).joined(separator: "\n")
        }
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Prints `records` (the column names come from the first record, or `columns` when there is none).
    static func print(_ records: [Record], columns: [String], format: RecordFormat) {
        Swift.print(render(records, columns: records.first.map { $0.map(\.name) } ?? columns, format: format))
    }
}

// MARK: - Records of the store's types

extension Mission {
    var record: Record {
        [("id", .int(id)), ("name", .text(name)), ("area", .text(area)),
         ("periods", .list(periods.map { "\($0.start)/\($0.end ?? "")" })), ("created", .text(createdAt)),
         ("by", .text(createdBy))]
    }
}

extension DetectionRecord {
    var record: Record {
        [("id", .int(id)), ("rank", .int(rank)), ("frame", .text(framePath)), ("x", .int(x)), ("y", .int(y)),
         ("w", .int(width)), ("h", .int(height)), ("score", .number(score, digits: 3)), ("detector", .text(detector)),
         ("verdict", .optional(verdict?.rawValue))]
    }
}

extension Review {
    var record: Record {
        [("id", .int(id)), ("detection", .int(detectionID)), ("verdict", .text(verdict.rawValue)), ("note", .text(note)),
         ("supersedes", .optional(supersedes)), ("by", .text(actor)), ("at", .text(at))]
    }
}

extension Team {
    var record: Record {
        [("id", .int(id)), ("call_sign", .text(callSign)), ("kind", .text(kind.rawValue)), ("members", .list(members)),
         ("contact", .text(contact)), ("status", .text(status)), ("task", .optional(activeTask))]
    }
}

extension TeamTask {
    var record: Record {
        [("id", .int(id)), ("team", .text(callSign)), ("detection", .optional(detectionID)),
         ("latitude", .optional(latitude, digits: 6)), ("longitude", .optional(longitude, digits: 6)),
         ("status", .text(status.rawValue)), ("condition", .optional(condition)), ("instructions", .text(instructions)),
         ("assigned_by", .text(assignedBy)), ("assigned_at", .text(assignedAt)), ("updated_at", .text(updatedAt))]
    }
}

extension TaskUpdate {
    var record: Record {
        [("id", .int(id)), ("task", .int(taskID)), ("status", .text(status.rawValue)), ("condition", .optional(condition)),
         ("note", .text(note)), ("by", .text(actor)), ("at", .text(at))]
    }
}

extension LogEntry {
    /// An ICS 214 activity-log line: time, actor, team, activity.
    var record: Record {
        [("id", .int(seq)), ("time", .text(at)), ("actor", .text(actor)), ("team", .text(team ?? "")),
         ("activity", .text(summary)), ("kind", .text(kind)), ("refers_to", .optional(refersTo)), ("hash", .text(hash))]
    }
}
