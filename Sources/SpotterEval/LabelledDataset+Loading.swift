#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension LabelledDataset {
    /// Reads `directory/labels.json`.
    ///
    /// Required: `images`, and in each image `file`, `width`, `height` and `persons`. Optional: `dataset`,
    /// `bbox_format`, and per image `has_person`, `ignore`, `other_objects`, `meta`. Unknown keys are ignored.
    /// Errors name the file and the record (`images[3].persons[1]: …`).
    public static func load(directory: String) throws(EvalError) -> LabelledDataset {
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        let labelsPath = dir + "/labels.json"
        guard FileManager.default.fileExists(atPath: labelsPath) else {
            if !FileManager.default.fileExists(atPath: dir) {
                throw EvalError(.missingFile, "no such dataset folder", file: dir)
            }
            throw EvalError(.missingFile, "no labels.json in the dataset folder", file: labelsPath)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: labelsPath))
        } catch {
            throw EvalError(.unreadable, "could not read the file (\(error))", file: labelsPath)
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            let detail = JSONSyntaxCheck.firstError(in: [UInt8](data)) ?? Self.describe(error)
            throw EvalError(.badJSON, "not valid JSON: \(detail)", file: labelsPath)
        }
        let parser = LabelsParser(directory: dir, labelsPath: labelsPath)
        return try parser.dataset(root)
    }

    private static func describe(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        if let underlying = context.underlyingError { return "\(underlying)" }
        return context.debugDescription
    }
}

/// Any JSON value; `labels.json` is decoded into this first, then checked by hand so errors can name the record.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var object: [String: JSONValue] = [:]
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(object)
        } else if var unkeyed = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            array.reserveCapacity(unkeyed.count ?? 0)
            while !unkeyed.isAtEnd { array.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(array)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let b = try? single.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? single.decode(Double.self) {
                self = .number(n)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    /// "a number", "an array of 3 elements", … for error messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array(let a): "an array of \(a.count) element\(a.count == 1 ? "" : "s")"
        case .object: "an object"
        }
    }
}

/// Checks a decoded `labels.json` against the label format and builds the dataset.
struct LabelsParser {
    let directory: String
    let labelsPath: String

    func bad(_ record: String, _ what: String) -> EvalError {
        EvalError(.badLabels, record.isEmpty ? what : "\(record): \(what)", file: labelsPath)
    }

    func dataset(_ root: JSONValue) throws(EvalError) -> LabelledDataset {
        guard case .object(let top) = root else {
            throw bad("", "expected an object at the top level, found \(root.kind)")
        }
        let name = try optionalString(top["dataset"], "dataset") ?? String(directory.split(separator: "/").last ?? "")
        let bboxFormat = try optionalString(top["bbox_format"], "bbox_format")
        guard let imagesValue = top["images"] else { throw bad("", "missing required key \"images\"") }
        guard case .array(let entries) = imagesValue else {
            throw bad("images", "expected an array, found \(imagesValue.kind)")
        }
        var images: [LabelledImage] = []
        images.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() { images.append(try image(entry, record: "images[\(i)]")) }
        return LabelledDataset(name: name, bboxFormat: bboxFormat, directory: directory, images: images)
    }

    func image(_ value: JSONValue, record: String) throws(EvalError) -> LabelledImage {
        guard case .object(let o) = value else { throw bad(record, "expected an object, found \(value.kind)") }
        func required(_ key: String) throws(EvalError) -> JSONValue {
            guard let v = o[key] else { throw bad(record, "missing required key \"\(key)\"") }
            return v
        }
        let fileValue = try required("file")
        guard case .string(let file) = fileValue, !file.isEmpty else {
            throw bad(record + ".file", "expected a non-empty string, found \(Self.render(fileValue))")
        }
        let width = try dimension(try required("width"), record + ".width")
        let height = try dimension(try required("height"), record + ".height")
        let persons = try boxes(try required("persons"), record + ".persons")
        let ignore = try o["ignore"].map { v throws(EvalError) in try boxes(v, record + ".ignore") } ?? []
        var hasPerson = !persons.isEmpty
        if let v = o["has_person"] {
            guard case .bool(let b) = v else {
                throw bad(record + ".has_person", "expected a boolean, found \(v.kind)")
            }
            hasPerson = b
        }
        var others: [LabelledObject] = []
        if let v = o["other_objects"] {
            guard case .array(let list) = v else {
                throw bad(record + ".other_objects", "expected an array, found \(v.kind)")
            }
            for (j, item) in list.enumerated() {
                let r = "\(record).other_objects[\(j)]"
                guard case .object(let obj) = item else { throw bad(r, "expected an object, found \(item.kind)") }
                guard let labelValue = obj["label"] else { throw bad(r, "missing required key \"label\"") }
                guard case .string(let label) = labelValue else {
                    throw bad(r + ".label", "expected a string, found \(labelValue.kind)")
                }
                guard let boxValue = obj["bbox"] else { throw bad(r, "missing required key \"bbox\"") }
                others.append(LabelledObject(label: label, box: try box(boxValue, r + ".bbox")))
            }
        }
        var meta: [String: MetaValue] = [:]
        if let v = o["meta"] {
            guard case .object(let m) = v else { throw bad(record + ".meta", "expected an object, found \(v.kind)") }
            for (key, item) in m {
                switch item {
                case .bool(let b): meta[key] = .bool(b)
                case .number(let n): meta[key] = .number(n)
                case .string(let s): meta[key] = .string(s)
                case .null: meta[key] = .null
                case .array, .object:
                    throw bad("\(record).meta.\(key)", "expected a boolean, number, string or null, found \(item.kind)")
                }
            }
        }
        return LabelledImage(
            file: file, path: directory + "/" + file, width: width, height: height, hasPerson: hasPerson,
            persons: persons, ignore: ignore, otherObjects: others, meta: meta)
    }

    func dimension(_ value: JSONValue, _ record: String) throws(EvalError) -> Int {
        guard case .number(let n) = value, n >= 0, n == n.rounded(), n < 1e9 else {
            throw bad(record, "expected a non-negative whole number, found \(Self.render(value))")
        }
        return Int(n)
    }

    func boxes(_ value: JSONValue, _ record: String) throws(EvalError) -> [EvalBox] {
        guard case .array(let list) = value else {
            throw bad(record, "expected an array of boxes, found \(value.kind)")
        }
        var out: [EvalBox] = []
        out.reserveCapacity(list.count)
        for (j, item) in list.enumerated() { out.append(try box(item, "\(record)[\(j)]")) }
        return out
    }

    func box(_ value: JSONValue, _ record: String) throws(EvalError) -> EvalBox {
        guard case .array(let items) = value, items.count == 4 else {
            throw bad(record, "expected [x, y, width, height], found \(value.kind)")
        }
        var n: [Double] = []
        for item in items {
            guard case .number(let v) = item, v.isFinite else {
                throw bad(record, "expected [x, y, width, height] of 4 numbers, found \(item.kind) in it")
            }
            n.append(v)
        }
        guard n[2] >= 0 && n[3] >= 0 else {
            let size = "\(MetaValue.number(n[2]))×\(MetaValue.number(n[3]))"
            throw bad(record, "width and height must not be negative, found \(size)")
        }
        return EvalBox(x: n[0], y: n[1], width: n[2], height: n[3])
    }

    func optionalString(_ value: JSONValue?, _ record: String) throws(EvalError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let v?: throw bad(record, "expected a string, found \(v.kind)")
        }
    }

    /// Short rendering of a scalar for messages (`-3`, `12.5`, `"abc"`), or its kind.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .number(let n): MetaValue.number(n).description
        case .string(let s): "\"\(s)\""
        case .bool(let b): "\(b)"
        default: value.kind
        }
    }
}
