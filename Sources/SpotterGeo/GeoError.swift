import SpotterImaging

/// Why a frame or a detection could not be located, read or exported, and which file it concerns.
public struct GeoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case unreadable        // the frame's metadata could not be read
        case noPosition        // no GPS position in the frame
        case noAltitude        // no altitude, and no --height-above-surface
        case noAttitude        // no camera pitch/yaw
        case aboveHorizon      // the pixel's ray does not meet the surface
        case badInput          // a scan file or camera database that cannot be parsed
        case io                // a file or socket could not be written
    }

    public var code: Code
    public var message: String
    public var file: String?

    public init(_ code: Code, _ message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    public init(_ imaging: ImagingError) {
        self.init(.unreadable, imaging.message, file: imaging.file)
    }

    /// `file: message`, one line.
    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
