import ArgumentParser
import SpotterImaging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Crop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut a full-resolution crop out of a frame (decodes only the rows and columns it needs).",
        discussion: "The box is x y width height in full-resolution pixels, as printed by `scan`. --margin widens it.")

    @Argument(help: "The frame (JPEG or PNG).")
    var file: String

    @Argument(help: "Box: x y width height.")
    var box: [Int]

    @Option(name: .shortAndLong, help: "Output file; .png or .jpg decides the format.")
    var output: String

    @Option(help: "Pixels added around the box on every side (clipped to the frame).")
    var margin: Int = 0

    func validate() throws {
        guard box.count == 4 else { throw ValidationError("give the box as four numbers: x y width height") }
        guard box[2] > 0, box[3] > 0 else { throw ValidationError("the box needs a positive width and height") }
        guard margin >= 0 else { throw ValidationError("--margin cannot be negative") }
        let lower = output.lowercased()
        guard lower.hasSuffix(".png") || lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") else {
            throw ValidationError("--output must end in .png, .jpg or .jpeg")
        }
    }

    func run() throws {
        let decoder = FrameDecoder()
        do {
            try decoder.load(path: file)
            let info = try decoder.begin(DecodeOptions(colour: .rgb))
            decoder.end()
            let x0 = max(0, box[0] - margin), y0 = max(0, box[1] - margin)
            let x1 = min(info.width, box[0] + box[2] + margin), y1 = min(info.height, box[1] + box[3] + margin)
            guard x1 > x0, y1 > y0 else {
                throw ImagingError(.invalidRequest, "box \(box.map(String.init).joined(separator: " ")) is outside the \(info.width)x\(info.height) frame", file: file)
            }
            let image = try decoder.decodeRegion(x: x0, y: y0, width: x1 - x0, height: y1 - y0, options: DecodeOptions(colour: .rgb))
            let bytes = output.lowercased().hasSuffix(".png") ? try ImageEncoder.png(image) : try ImageEncoder.jpeg(image, quality: 92)
            try writeAll(bytes, to: output)
        } catch let error as ImagingError {
            writeStderr("spotter: \(error.description)\n")
            throw ExitCode(2)
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves half a file.
func writeAll(_ bytes: [UInt8], to path: String) throws(ImagingError) {
    let temporary = path + ".partial"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 { throw ImagingError(.unreadable, "cannot create: \(String(cString: strerror(errno)))", file: path) }
    var offset = 0
    let failure: Int32? = bytes.withUnsafeBytes { raw in
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }
    close(fd)
    if let failure {
        unlink(temporary)
        throw ImagingError(.unreadable, "cannot write: \(String(cString: strerror(failure)))", file: path)
    }
    if rename(temporary, path) != 0 {
        let e = errno
        unlink(temporary)
        throw ImagingError(.unreadable, "cannot rename into place: \(String(cString: strerror(e)))", file: path)
    }
}
