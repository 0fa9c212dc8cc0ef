/// Why a labelled dataset could not be loaded, and which file it concerns.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable enough for tests.
    public enum Code: String, Sendable, Equatable {
        case missingFile   // the dataset folder or its labels.json does not exist
        case unreadable    // the file exists but could not be read
        case badJSON       // the file is not valid JSON
        case badLabels     // valid JSON that does not follow the label format (missing key, wrong type, bad box)
    }

    public var code: Code
    /// What went wrong, in a sentence that names the record (`images[3].persons[1]: …`) and the cause.
    public var message: String
    /// The file concerned, when there is one.
    public var file: String?

    public init(_ code: Code, _ message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    /// `file: message`, one line.
    public var description: String {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let file { return "\(file): \(oneLine)" }
        return oneLine
    }
}
