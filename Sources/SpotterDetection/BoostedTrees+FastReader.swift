#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BoostedTrees.File {
    /// Reads a model file of the usual shape (one object; strings without escapes; plain numbers) in one pass over
    /// its bytes; nil when anything is unusual, so the caller falls back to `JSONDecoder`, which then gives the same
    /// result or its error. Numbers are parsed by `strtod` like Foundation's decoder, so the values are the same bits.
    /// `JSONDecoder` took ~0.4 s for the two shipped models (2.3 MB), most of a short scan's run; this takes a few ms.
    ///
    /// - Complexity: O(bytes); allocates the arrays it returns.
    static func readFast(_ bytes: UnsafeRawBufferPointer) -> Self? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var r = JSONBytes(p: base, count: bytes.count)
        guard let file = r.modelFile(), r.atEnd() else { return nil }
        return file
    }
}

/// A cursor over JSON bytes with just the readers a model file needs; every reader returns nil on anything unexpected.
private struct JSONBytes {
    let p: UnsafePointer<UInt8>
    let count: Int
    var i = 0

    init(p: UnsafePointer<UInt8>, count: Int) {
        self.p = p
        self.count = count
    }

    mutating func skipSpace() {
        while i < count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return i == count
    }

    /// Consumes `c` (after white space) if it is next.
    mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard i < count, p[i] == c else { return false }
        i += 1
        return true
    }

    /// A string without escapes or control characters.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < count, p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") || p[i] < 0x20 { return nil }
            i += 1
        }
        guard i < count else { return nil }
        let s = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        i += 1
        return s
    }

    /// The bytes of a JSON number (strictly: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), and whether it is an integer.
    mutating func numberSpan() -> (start: Int, end: Int, integer: Bool)? {
        skipSpace()
        let start = i
        func digits(_ j: inout Int) -> Int {
            let s = j
            while j < count, p[j] >= 0x30 && p[j] <= 0x39 { j += 1 }
            return j - s
        }
        var j = i
        if j < count, p[j] == UInt8(ascii: "-") { j += 1 }
        let intStart = j
        guard digits(&j) > 0 else { return nil }
        if p[intStart] == 0x30 && j - intStart > 1 { return nil }
        var integer = true
        if j < count, p[j] == UInt8(ascii: ".") {
            j += 1
            guard digits(&j) > 0 else { return nil }
            integer = false
        }
        if j < count, p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E") {
            j += 1
            if j < count, p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-") { j += 1 }
            guard digits(&j) > 0 else { return nil }
            integer = false
        }
        i = j
        return (start, j, integer)
    }

    mutating func double() -> Double? {
        guard let n = numberSpan(), n.end - n.start < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 65) { buffer -> Double? in
            let b = buffer.baseAddress!
            for k in 0..<(n.end - n.start) { b[k] = CChar(bitPattern: p[n.start + k]) }
            b[n.end - n.start] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let v = strtod(b, &stop)
            guard stop == b + (n.end - n.start), v.isFinite else { return nil }
            return v
        }
    }

    /// An integer written without fraction or exponent, of at most 18 digits.
    mutating func int() -> Int? {
        guard let n = numberSpan(), n.integer, n.end - n.start <= 18 else { return nil }
        var k = n.start, negative = false
        if p[k] == UInt8(ascii: "-") { negative = true; k += 1 }
        var v = 0
        while k < n.end { v = v * 10 + Int(p[k] - 0x30); k += 1 }
        return negative ? -v : v
    }

    mutating func array<T>(_ element: (inout JSONBytes) -> T?) -> [T]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [T] = []
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard let e = element(&self) else { return nil }
            out.append(e)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? out : nil
    }

    /// Calls `field` with each key of an object; `field` reads the value and returns false on anything unexpected.
    /// A key seen twice is unexpected.
    mutating func object(_ field: (inout JSONBytes, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var seen = Set<String>()
        repeat {
            guard let key = string(), seen.insert(key).inserted, take(UInt8(ascii: ":")), field(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// Skips any value (an unknown key's), nested to at most 64 levels.
    mutating func skipValue(depth: Int = 0) -> Bool {
        guard depth < 64 else { return false }
        skipSpace()
        guard i < count else { return false }
        switch p[i] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return object { r, _ in r.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat { guard skipValue(depth: depth + 1) else { return false } } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): return word("true")
        case UInt8(ascii: "f"): return word("false")
        case UInt8(ascii: "n"): return word("null")
        default: return numberSpan() != nil
        }
    }

    mutating func word(_ w: StaticString) -> Bool {
        let n = w.utf8CodeUnitCount
        guard count - i >= n, memcmp(p + i, w.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    mutating func modelFile() -> BoostedTrees.File? {
        var format: String?, version: String?, profile: String?, features: [String]?, initial: Double?
        var trees: [BoostedTrees.File.Tree]?
        let ok = object { r, key in
            switch key {
            case "format": format = r.string(); return format != nil
            case "version": version = r.string(); return version != nil
            case "profile": profile = r.string(); return profile != nil
            case "features": features = r.array { $0.string() }; return features != nil
            case "initial": initial = r.double(); return initial != nil
            case "trees": trees = r.array { $0.tree() }; return trees != nil
            default: return r.skipValue()
            }
        }
        guard ok, let format, let version, let profile, let features, let initial, let trees else { return nil }
        return BoostedTrees.File(
            format: format, version: version, profile: profile, features: features, initial: initial, trees: trees)
    }

    mutating func tree() -> BoostedTrees.File.Tree? {
        var feature: [Int]?, threshold: [Double]?, left: [Int]?, right: [Int]?, value: [Double]?
        let ok = object { r, key in
            switch key {
            case "feature": feature = r.array { $0.int() }; return feature != nil
            case "threshold": threshold = r.array { $0.double() }; return threshold != nil
            case "left": left = r.array { $0.int() }; return left != nil
            case "right": right = r.array { $0.int() }; return right != nil
            case "value": value = r.array { $0.double() }; return value != nil
            default: return r.skipValue()
            }
        }
        guard ok, let feature, let threshold, let left, let right, let value else { return nil }
        return BoostedTrees.File.Tree(feature: feature, threshold: threshold, left: left, right: right, value: value)
    }
}
