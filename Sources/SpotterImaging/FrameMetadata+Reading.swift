#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FrameMetadata {
    /// Reads the metadata of the file at `path` (JPEG or PNG) without decoding pixels.
    ///
    /// - Complexity: reads the first 64 KiB, then only the few bytes of each later segment header up to the start of
    ///   the image data (a radiometric R-JPEG's 700 KB of APP3 thermal data is stepped over, not read).
    public static func read(path: String) throws(ImagingError) -> FrameMetadata {
        let reader = MetadataReader()
        return try reader.read(path: path)
    }

    /// Parses metadata from in-memory file bytes.
    public static func parse(bytes: [UInt8], name: String = "<memory>") throws(ImagingError) -> FrameMetadata {
        var source = ByteSource(bytes: bytes)
        return try MetadataReader.walk(&source, name: name)
    }
}

/// Reads frame metadata; keeps one buffer between files (one reader per thread).
public final class MetadataReader {
    public init() {}

    /// See `FrameMetadata.read(path:)`.
    public func read(path: String) throws(ImagingError) -> FrameMetadata {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw ImagingError(.unreadable, "cannot open: \(errnoText())", file: path) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw ImagingError(.unreadable, "cannot stat: \(errnoText())", file: path) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw ImagingError(.unreadable, "is a directory", file: path) }
        if (st.st_mode & S_IFMT) != S_IFREG { throw ImagingError(.unreadable, "not a regular file", file: path) }
        var source = ByteSource(fd: fd, size: Int(st.st_size))
        return try Self.walk(&source, name: path)
    }

    static func walk(_ source: inout ByteSource, name: String) throws(ImagingError) -> FrameMetadata {
        if source.size == 0 { throw ImagingError(.empty, "empty file (0 bytes)", file: name) }
        let head = source.bytes(at: 0, count: min(source.size, 16)) ?? []
        let sniffed: Result<ImageFormat, ImagingError> = head.withUnsafeBytes { raw in
            do throws(ImagingError) { return .success(try ImageFormat.sniff(raw)) } catch { return .failure(error) }
        }
        let format: ImageFormat
        switch sniffed {
        case .success(let f): format = f
        case .failure(let error): throw error.attributed(to: name)
        }
        var meta = FrameMetadata()
        meta.format = format
        switch format {
        case .jpeg: walkJPEG(&source, into: &meta)
        case .png: walkPNG(&source, into: &meta)
        }
        if meta.width == nil { meta.width = meta.exifWidth }
        if meta.height == nil { meta.height = meta.exifHeight }
        meta.checkPlausibility()
        return meta
    }

    /// JPEG: markers from SOI to SOS. APP1 Exif and XMP are parsed, SOFn gives the size, APP2 MPF is noted, every
    /// other segment is skipped by its length.
    static func walkJPEG(_ source: inout ByteSource, into meta: inout FrameMetadata) {
        var pos = 2
        var segments = 0
        while pos + 4 <= source.size {
            segments += 1
            if segments > 10_000 {
                meta.warnings.append("more than 10,000 segments before the image data: stopped reading metadata")
                return
            }
            guard let marker = source.bytes(at: pos, count: 4) else { return }
            guard marker[0] == 0xFF else {
                meta.warnings.append("metadata segments end in garbage at byte \(pos)")
                return
            }
            let code = marker[1]
            if code == 0xFF { pos += 1; continue }  // fill byte
            if code == 0xD8 || code == 0x01 || (0xD0...0xD7).contains(code) { pos += 2; continue }
            if code == 0xDA || code == 0xD9 { return }  // image data (or the end) begins: no more metadata
            let length = Int(marker[2]) << 8 | Int(marker[3])
            guard length >= 2 else {
                meta.warnings.append("segment FF\(hex(code)) at byte \(pos) has an impossible length \(length)")
                return
            }
            let payloadStart = pos + 4, payloadCount = length - 2
            if payloadStart + payloadCount > source.size {
                meta.warnings.append("segment FF\(hex(code)) at byte \(pos) runs past the end of the file (truncated)")
            }
            let available = min(payloadCount, source.size - payloadStart)
            switch code {
            case 0xE1:
                if let payload = source.bytes(at: payloadStart, count: available) {
                    parseAPP1(payload, into: &meta)
                }
            case 0xE2:
                if let sig = source.bytes(at: payloadStart, count: min(4, available)), sig == [0x4D, 0x50, 0x46, 0x00] {
                    meta.hasMultiPictureIndex = true
                }
            case 0xC0...0xCF where code != 0xC4 && code != 0xC8 && code != 0xCC:
                if meta.width == nil, available >= 5, let sof = source.bytes(at: payloadStart, count: 5) {
                    meta.height = Int(sof[1]) << 8 | Int(sof[2])
                    meta.width = Int(sof[3]) << 8 | Int(sof[4])
                }
            default:
                break
            }
            pos = payloadStart + payloadCount
        }
    }

    static let exifSignature: [UInt8] = Array("Exif".utf8) + [0, 0]
    static let xmpSignature: [UInt8] = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]

    static func parseAPP1(_ payload: [UInt8], into meta: inout FrameMetadata) {
        if payload.starts(with: exifSignature) {
            payload.withUnsafeBytes { raw in
                EXIFParser.parse(UnsafeRawBufferPointer(rebasing: raw[exifSignature.count...]), into: &meta)
            }
        } else if payload.starts(with: xmpSignature) {
            payload.withUnsafeBytes { raw in
                XMPParser.parse(UnsafeRawBufferPointer(rebasing: raw[xmpSignature.count...]), into: &meta)
            }
        }
        // Extended XMP ("http://ns.adobe.com/xmp/extension/") and FLIR FFF records carry nothing read here.
    }

    /// PNG: IHDR for the size, eXIf for EXIF, iTXt `XML:com.adobe.xmp` (uncompressed) for XMP; stops at IDAT.
    static func walkPNG(_ source: inout ByteSource, into meta: inout FrameMetadata) {
        var pos = 8
        var chunks = 0
        while pos + 8 <= source.size, chunks < 10_000 {
            chunks += 1
            guard let header = source.bytes(at: pos, count: 8) else { return }
            let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            let type = String(decoding: header[4..<8], as: UTF8.self)
            if type == "IDAT" || type == "IEND" { return }
            let dataStart = pos + 8
            guard length >= 0, dataStart + length <= source.size else {
                meta.warnings.append("PNG chunk \(type) runs past the end of the file (truncated)")
                return
            }
            switch type {
            case "IHDR" where length >= 8:
                if let d = source.bytes(at: dataStart, count: 8) {
                    meta.width = Int(d[0]) << 24 | Int(d[1]) << 16 | Int(d[2]) << 8 | Int(d[3])
                    meta.height = Int(d[4]) << 24 | Int(d[5]) << 16 | Int(d[6]) << 8 | Int(d[7])
                }
            case "eXIf" where length <= 1 << 20:
                if let d = source.bytes(at: dataStart, count: length) {
                    d.withUnsafeBytes { EXIFParser.parse($0, into: &meta) }
                }
            case "iTXt" where length <= 1 << 22:
                let keyword = Array("XML:com.adobe.xmp".utf8) + [0]
                if let d = source.bytes(at: dataStart, count: length), d.starts(with: keyword),
                    d.count > keyword.count + 2, d[keyword.count] == 0  // not compressed
                {
                    // compression flag, method, language tag \0, translated keyword \0, then the text
                    var i = keyword.count + 2
                    var zeros = 0
                    while i < d.count && zeros < 2 {
                        if d[i] == 0 { zeros += 1 }
                        i += 1
                    }
                    if i < d.count { d.withUnsafeBytes { XMPParser.parse(UnsafeRawBufferPointer(rebasing: $0[i...]), into: &meta) } }
                }
            default:
                break
            }
            pos = dataStart + length + 4  // data and CRC
        }
    }

    static func hex(_ b: UInt8) -> String {
        let s = String(b, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}

/// Random access to a file's bytes through a small window: one `pread` per window miss, nothing read twice when
/// segments are walked in order.
struct ByteSource {
    private var fd: Int32 = -1
    private var memory: [UInt8] = []
    let size: Int
    private var window: [UInt8] = []
    private var windowStart = 0

    init(fd: Int32, size: Int) {
        self.fd = fd
        self.size = size
    }

    init(bytes: [UInt8]) {
        memory = bytes
        size = bytes.count
    }

    /// `count` bytes at `offset`, or nil when they cannot all be read.
    mutating func bytes(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset + count <= size else { return nil }
        if fd < 0 { return Array(memory[offset..<offset + count]) }
        if offset >= windowStart && offset + count <= windowStart + window.count {
            return Array(window[(offset - windowStart)..<(offset - windowStart + count)])
        }
        // The first window is large (EXIF and XMP usually sit in the first 64 KiB); later misses read what is asked
        // plus a little, since they are mostly the 4-byte headers of segments being stepped over.
        let want = min(size - offset, max(count, offset == 0 ? 65_536 : 4_096))
        window = [UInt8](repeating: 0, count: want)
        var done = 0
        let fd = self.fd
        window.withUnsafeMutableBytes { raw in
            while done < want {
                let n = pread(fd, raw.baseAddress! + done, want - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
        }
        window.removeLast(want - done)
        windowStart = offset
        guard done >= count else { return nil }
        return Array(window[0..<count])
    }
}

extension FrameMetadata {
    /// Drops values no camera can have and notes why.
    mutating func checkPlausibility() {
        if let lat = latitude, let lon = longitude {
            if !(abs(lat) <= 90 && abs(lon) <= 180) || (lat == 0 && lon == 0) {
                warnings.append(lat == 0 && lon == 0 ? "GPS position is 0, 0 (no fix): ignored" : "GPS position \(lat), \(lon) is impossible: ignored")
                latitude = nil
                longitude = nil
            }
        } else if latitude != nil || longitude != nil {
            latitude = nil
            longitude = nil
            warnings.append("GPS has only one of latitude and longitude: ignored")
        }
        for (name, value) in [("GimbalPitchDegree", gimbalPitch), ("GimbalRollDegree", gimbalRoll), ("GimbalYawDegree", gimbalYaw)] {
            if let v = value, !(v.isFinite && abs(v) <= 360) {
                warnings.append("\(name) \(v) is impossible: ignored")
                switch name {
                case "GimbalPitchDegree": gimbalPitch = nil
                case "GimbalRollDegree": gimbalRoll = nil
                default: gimbalYaw = nil
                }
            }
        }
        if let w = width, let ew = exifWidth, let h = height, let eh = exifHeight, (w, h) != (ew, eh), (w, h) != (eh, ew) {
            warnings.append("EXIF says \(ew)x\(eh) but the image is \(w)x\(h)")
        }
        if let tool = resavedBy, (make ?? "").uppercased().hasPrefix("DJI") || gimbalYaw != nil {
            warnings.append(
                "re-saved by \"\(tool)\" after capture: its pixels may have been rotated or flipped while the pose tags "
                    + "kept the flight's heading; check positions against an overlapping frame before sending anyone")
        }
        if camReverse == 1 || gimbalReverse == 1 {
            warnings.append("camera or gimbal mounted reversed (CamReverse/GimbalReverse = 1): image may be upside down relative to the attitude tags")
        }
    }
}
