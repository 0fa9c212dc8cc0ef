import Foundation

/// Escaping for the text formats the exports write.
enum Escape {
    /// A JSON string literal (RFC 8259).
    static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u == "\u{2028}" || u == "\u{2029}":
                out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static func json(_ s: String?) -> String { s.map { json($0) } ?? "null" }

    /// A finite number with at most `digits` decimals, or null.
    static func number(_ v: Double?, _ digits: Int) -> String {
        guard let v, v.isFinite else { return "null" }
        var text = String(format: "%.\(digits)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Text for XML element content and attribute values (quotes escaped too).
    static func xml(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where u.value < 0x20 && u != "\n" && u != "\t" && u != "\r": out += " "  // not allowed in XML 1.0
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// HTML text and attribute values.
    static func html(_ s: String) -> String { xml(s) }

    /// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
    static func csv(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
