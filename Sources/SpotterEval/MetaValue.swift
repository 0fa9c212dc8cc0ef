/// One value of an image's `meta` object in `labels.json`: a boolean, a number, a string or null.
public enum MetaValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case number(Double)
    case string(String)
    case null

    /// The boolean, when this is one (a string `"true"` or a number 1 is not).
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The number, when this is one.
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    /// The string, when this is one.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// As it would appear in JSON (strings quoted, without escaping).
    public var description: String {
        switch self {
        case .bool(let b): "\(b)"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
        case .string(let s): "\"\(s)\""
        case .null: "null"
        }
    }
}
