import SpotterImaging
import Testing
import _SpotterTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tiny committed fixtures next to this file (see Fixtures/make_fixtures.py for how they were made).
enum Fixtures {
    static let folder: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Fixtures"
    }()

    static func path(_ name: String) -> String { folder + "/" + name }
}

/// Runs `body` and returns the ImagingError it threw, or records an issue and returns nil when it did not throw.
func imagingError<R>(
    _ body: () throws(ImagingError) -> R, sourceLocation: SourceLocation = #_sourceLocation
) -> ImagingError? {
    do {
        _ = try body()
        Issue.record("expected an ImagingError, but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Decodes the file at `path` whole with a fresh decoder.
func decodeFile(_ path: String, _ options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> Image {
    try Image.decode(path: path, options: options)
}

/// Index of the first differing byte of two row buffers, or nil when equal.
func firstDifference(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Int? {
    if memcmp(a, b, count) == 0 { return nil }
    let pa = a.assumingMemoryBound(to: UInt8.self), pb = b.assumingMemoryBound(to: UInt8.self)
    for i in 0..<count where pa[i] != pb[i] { return i }
    return nil
}

/// Describes where two same-shaped images first differ ("equal" when they do not).
func difference(_ a: Image, _ b: Image) -> String? {
    guard a.width == b.width, a.height == b.height, a.channels == b.channels, a.bytesPerSample == b.bytesPerSample else {
        return "shape \(a.width)x\(a.height)x\(a.channels)x\(a.bytesPerSample) vs \(b.width)x\(b.height)x\(b.channels)x\(b.bytesPerSample)"
    }
    if a.pixels == b.pixels { return nil }
    let px = a.channels * a.bytesPerSample
    var count = 0, first = -1
    for i in a.pixels.indices where a.pixels[i] != b.pixels[i] {
        if first < 0 { first = i }
        count += 1
    }
    let p = first / px
    return "\(count) bytes differ; first at x=\(p % a.width) y=\(p / a.width) channel \((first % px) / a.bytesPerSample): \(a.pixels[first]) vs \(b.pixels[first])"
}

/// Mean absolute difference of two same-shaped 8-bit images.
func meanAbsoluteDifference(_ a: Image, _ b: Image) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    var sum = 0
    for i in a.pixels.indices { sum += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(sum) / Double(max(1, a.pixels.count))
}

/// Largest absolute difference of two same-shaped 8-bit images.
func maxAbsoluteDifference(_ a: Image, _ b: Image) -> Int {
    precondition(a.pixels.count == b.pixels.count)
    var m = 0
    for i in a.pixels.indices { m = max(m, abs(Int(a.pixels[i]) - Int(b.pixels[i]))) }
    return m
}

/// Standard deviation of all samples of an 8-bit image (a constant image has 0).
func standardDeviation(_ image: Image) -> Double {
    let n = Double(image.pixels.count)
    var sum = 0.0, sum2 = 0.0
    for v in image.pixels {
        sum += Double(v)
        sum2 += Double(v) * Double(v)
    }
    let mean = sum / n
    return (max(0, sum2 / n - mean * mean)).squareRoot()
}

/// Full-range BT.601 (JFIF) Y, Cb, Cr of an RGB pixel, in floating point (the obviously-correct reference).
func referenceYCC(_ r: Int, _ g: Int, _ b: Int) -> (Int, Int, Int) {
    let (r, g, b) = (Double(r), Double(g), Double(b))
    func clamp(_ v: Double) -> Int { Int(min(255, max(0, v.rounded()))) }
    return (
        clamp(0.299 * r + 0.587 * g + 0.114 * b),
        clamp(-0.168735892 * r - 0.331264108 * g + 0.5 * b + 128),
        clamp(0.5 * r - 0.418687589 * g - 0.081312411 * b + 128)
    )
}

/// Decodes the top `rows` rows of the loaded frame at full width (then abandons the frame): the reference for
/// region tests on frames too large to decode whole in a debug build.
func decodeTopRows(_ decoder: FrameDecoder, rows: Int, options: DecodeOptions) throws(ImagingError) -> Image {
    let info = try decoder.begin(options)
    var image = Image(width: info.width, height: rows, channels: info.channels, bytesPerSample: info.bytesPerSample)
    var y = 0
    let failure: ImagingError? = image.pixels.withUnsafeMutableBytes { raw -> ImagingError? in
        do throws(ImagingError) {
            while y < rows {
                let n = try decoder.read(into: raw.baseAddress! + y * info.rowBytes, stride: info.rowBytes, count: rows - y)
                if n == 0 { break }
                y += n
            }
            return nil
        } catch { return error }
    }
    decoder.end()
    if let failure { throw failure }
    if y < rows { throw ImagingError(.truncated, "only \(y) of \(rows) rows") }
    return image
}

extension DecodeOptions.Colour: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .rgb: "rgb"
        case .opponent: "opponent"
        case .gray: "gray"
        case .rgbx: "rgbx"
        }
    }
}

let allColours: [DecodeOptions.Colour] = [.rgb, .opponent, .gray, .rgbx]

/// The pixels of an 8-bit RGB image with an opaque (255) padding byte after each pixel: what RGBX should be.
func paddedRGBX(_ rgb: Image) -> [UInt8] {
    precondition(rgb.channels == 3 && rgb.bytesPerSample == 1)
    var out = [UInt8]()
    out.reserveCapacity(rgb.width * rgb.height * 4)
    for p in 0..<rgb.width * rgb.height {
        out.append(rgb.pixels[p * 3])
        out.append(rgb.pixels[p * 3 + 1])
        out.append(rgb.pixels[p * 3 + 2])
        out.append(255)
    }
    return out
}

/// The bytes of the file at `path`; stops the run if it cannot be read (fixtures and dataset files must exist).
func readFile(_ path: String) -> [UInt8] {
    let decoder = FrameDecoder()
    do { try decoder.load(path: path) } catch { fatalError("cannot read \(path): \(error)") }
    return Array(decoder.bytes)
}

/// The bytes of a committed fixture.
func readFixture(_ name: String) -> [UInt8] { readFile(Fixtures.path(name)) }
