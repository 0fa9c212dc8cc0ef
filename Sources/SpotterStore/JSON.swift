import Foundation

/// Canonical JSON text: keys in the order written, strings escaped per RFC 8259, no whitespace. The event log hashes
/// this text, so the same content always gives the same bytes. The command-line tool's JSON output uses the same
/// string escaping.
public enum JSON {
    public static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// `{"k": v, …}` from already-encoded values, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func strings(_ items: [String]) -> String { array(items.map(string)) }

    static func optional(_ s: String?) -> String { s.map(string) ?? "null" }

    static func optional(_ v: Int64?) -> String { v.map { String($0) } ?? "null" }

    /// Parses a JSON object written by this module (or anything JSONSerialization reads).
    static func parseObject(_ text: String) -> [String: Any]? {
        guard let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// A list of strings stored as JSON text (team members).
    static func parseStrings(_ text: String) -> [String] {
        guard let data = text.data(using: .utf8), let a = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            return []
        }
        return a.compactMap { $0 as? String }
    }

    /// A flat object of numbers stored as JSON text (detection features).
    static func parseNumbers(_ text: String) -> [String: Double] {
        guard let o = parseObject(text) else { return [:] }
        var out: [String: Double] = [:]
        for (k, v) in o { if let n = v as? NSNumber { out[k] = n.doubleValue } }
        return out
    }
}

/// JSONSerialization's numbers, on every platform.
typealias NSNumberLike = NSNumber
