/// Why an image could not be read, decoded or written, and which file it concerns.
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable enough for tests and for the mission store.
    public enum Code: String, Sendable, Equatable {
        case unreadable       // the file could not be opened or read
        case empty            // zero bytes
        case notAnImage       // neither JPEG nor PNG
        case truncated        // the data ends before the image does
        case corrupt          // damaged data
        case unsupported      // a valid variant Spotter refuses
        case tooLarge         // over the dimension or file-size cap
        case outOfMemory
        case invalidRequest   // a caller asked for something impossible (a crop outside the frame, …)
    }

    public var code: Code
    /// What went wrong, in a sentence that names the cause.
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

    /// The same error, attributed to `file`.
    public func attributed(to file: String) -> ImagingError {
        var copy = self
        copy.file = file
        return copy
    }
}
