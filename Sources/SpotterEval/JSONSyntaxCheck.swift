/// Finds where a text stops being JSON (RFC 8259), for error messages: Foundation's decoder only says that it is not.
///
/// Used after a decode fails; it checks syntax only and builds nothing. Like Foundation's decoder it accepts a
/// trailing comma before `]` or `}`, so the two agree on what is wrong.
///
/// - Complexity: O(n) time, no allocation beyond the recursion (nesting deeper than 512 is reported as an error).
struct JSONSyntaxCheck {
    private let bytes: [UInt8]
    private var i = 0

    /// `line L, column C: what was expected, what was found` (1-based, columns in bytes), or nil when `bytes` is
    /// valid JSON.
    static func firstError(in bytes: [UInt8]) -> String? {
        var check = JSONSyntaxCheck(bytes: bytes)
        return check.run()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private struct Failure: Error { var offset: Int; var expected: String }

    private mutating func run() -> String? {
        do throws(Failure) {
            skipSpace()
            if i == bytes.count { return "the file is empty" }
            try value(depth: 0)
            skipSpace()
            if i < bytes.count { throw Failure(offset: i, expected: "nothing after the top-level value") }
            return nil
        } catch {
            return describe(error)
        }
    }

    private func describe(_ failure: Failure) -> String {
        var line = 1, lineStart = 0
        for k in 0..<min(failure.offset, bytes.count) where bytes[k] == UInt8(ascii: "\n") {
            line += 1
            lineStart = k + 1
        }
        let found: String
        if failure.offset >= bytes.count {
            found = "the end of the file"
        } else {
            let b = bytes[failure.offset]
            found = b >= 0x20 && b < 0x7F
                ? "`\(Character(Unicode.Scalar(b)))`" : "byte 0x\(String(b, radix: 16, uppercase: true))"
        }
        return "line \(line), column \(failure.offset - lineStart + 1): expected \(failure.expected), found \(found)"
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
    }

    private mutating func expect(_ c: Character, _ what: String) throws(Failure) {
        guard current == c.asciiValue else { throw Failure(offset: i, expected: what) }
        i += 1
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard depth < 512 else { throw Failure(offset: i, expected: "nesting no deeper than 512") }
        guard let b = current else { throw Failure(offset: i, expected: "a value") }
        switch b {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if current == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                if current == UInt8(ascii: "}") { i += 1; return }  // after a trailing comma
                guard current == UInt8(ascii: "\"") else {
                    throw Failure(offset: i, expected: "a key in double quotes")
                }
                try string()
                skipSpace()
                try expect(":", "`:` after the key")
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                try expect("}", "`,` or `}` in the object")
                return
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if current == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipSpace()
                if current == UInt8(ascii: "]") { i += 1; return }  // after a trailing comma
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { i += 1; continue }
                try expect("]", "`,` or `]` in the array")
                return
            }
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        default:
            throw Failure(offset: i, expected: "a value")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for c in word.utf8 {
            guard current == c else { throw Failure(offset: i, expected: "`\(word)`") }
            i += 1
        }
    }

    private mutating func string() throws(Failure) {
        i += 1  // opening quote
        while let b = current {
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                i += 1
                guard let e = current else { break }
                if e == UInt8(ascii: "u") {
                    i += 1
                    for _ in 0..<4 {
                        guard let h = current, Character(Unicode.Scalar(h)).isHexDigit else {
                            throw Failure(offset: i, expected: "4 hex digits after `\\u`")
                        }
                        i += 1
                    }
                } else if "\"\\/bfnrt".utf8.contains(e) {
                    i += 1
                } else {
                    throw Failure(
                        offset: i, expected: "an escape (`\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\u`)")
                }
            case 0..<0x20:
                throw Failure(offset: i, expected: "the string to end or an escaped control character")
            default:
                i += 1
            }
        }
        throw Failure(offset: i, expected: "`\"` to close the string")
    }

    private mutating func number() throws(Failure) {
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        func digits(_ what: String) throws(Failure) {
            guard isDigit(current) else { throw Failure(offset: i, expected: what) }
            while isDigit(current) { i += 1 }
        }
        if current == UInt8(ascii: "-") { i += 1 }
        if current == UInt8(ascii: "0") { i += 1 } else { try digits("a digit") }
        if current == UInt8(ascii: ".") {
            i += 1
            try digits("a digit after `.`")
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            try digits("a digit in the exponent")
        }
    }
}
