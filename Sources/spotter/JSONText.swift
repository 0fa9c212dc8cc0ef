import SpotterStore

/// Minimal JSON text building: field order as written, strings escaped per RFC 8259 (as the mission store does).
enum JSONText {
    static func string(_ s: String) -> String { JSON.string(s) }

    /// A finite number with at most `digits` decimals (JSON has no NaN or infinity: those become null).
    static func number(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }
}
