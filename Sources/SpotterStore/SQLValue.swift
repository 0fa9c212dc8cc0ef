/// A value bound into a statement or read out of a row: the four kinds both backends store the same way.
///
/// Times are ISO 8601 text in UTC (`2026-11-29T05:42:10.123Z`), which sorts as text; lists and feature sets are JSON
/// text; hashes are lowercase hex. No blobs, so the two backends hold identical values.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    init(_ v: Int64?) { self = v.map { .int($0) } ?? .null }
    init(_ v: Int) { self = .int(Int64(v)) }
    init(_ v: Double?) { self = v.map { .double($0) } ?? .null }
    init(_ v: String?) { self = v.map { .text($0) } ?? .null }

    var int: Int64? {
        switch self {
        case .int(let v): v
        case .double(let d): Int64(exactly: d)
        case .text(let s): Int64(s)
        case .null: nil
        }
    }

    var double: Double? {
        switch self {
        case .double(let d): d
        case .int(let v): Double(v)
        case .text(let s): Double(s)
        case .null: nil
        }
    }

    var text: String? {
        switch self {
        case .text(let s): s
        case .int(let v): String(v)
        case .double(let d): String(d)
        case .null: nil
        }
    }

    var isNull: Bool { self == .null }

    /// The value in the canonical text that row digests and event hashes are computed over: JSON literals, doubles
    /// in Swift's shortest round-trip form.
    var canonical: String {
        switch self {
        case .null: "null"
        case .int(let v): String(v)
        case .double(let d): d.isFinite ? String(d) : "null"
        case .text(let s): JSON.string(s)
        }
    }
}

/// One row of a result, columns in select order.
struct SQLRow: Sendable {
    var names: [String]
    var values: [SQLValue]

    subscript(_ i: Int) -> SQLValue { values[i] }

    subscript(_ name: String) -> SQLValue {
        guard let i = names.firstIndex(of: name) else { return .null }
        return values[i]
    }

    func int(_ name: String) -> Int64 { self[name].int ?? 0 }
    func optionalInt(_ name: String) -> Int64? { self[name].int }
    func double(_ name: String) -> Double { self[name].double ?? 0 }
    func optionalDouble(_ name: String) -> Double? { self[name].double }
    func text(_ name: String) -> String { self[name].text ?? "" }
    func optionalText(_ name: String) -> String? { self[name].text }
}
