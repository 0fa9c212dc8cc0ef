import CCodecs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reusable decoder for one worker: reads a file into its own buffer, then delivers the frame in rows.
///
/// One decoder per worker thread; it is not shareable between threads. The file buffer, the libjpeg object and
/// the row-pointer array are reused from frame to frame, so steady-state decoding allocates nothing per frame
/// beyond what libjpeg/libpng allocate internally.
public final class FrameDecoder {
    private var jpeg: OpaquePointer?
    private var png: OpaquePointer?
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0
    private var count = 0
    private var active: ImageFormat?
    private var rowPointers: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private var rowPointerCapacity = 64

    /// The file currently loaded (used to attribute errors).
    public private(set) var file: String?
    /// The header of the frame being decoded.
    public private(set) var info: ImageInfo?
    /// Non-fatal notes about the last frame: library warnings, slow variants. Reset by `load`.
    public private(set) var diagnostics: [String] = []

    public init() {
        rowPointers = .allocate(capacity: rowPointerCapacity)
    }

    deinit {
        if let jpeg { spc_jpeg_free(jpeg) }
        if let png { spc_png_free(png) }
        buffer?.deallocate()
        rowPointers.deallocate()
    }

    /// The loaded bytes (valid until the next `load`).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: count) }

    // MARK: Loading

    /// Reads the whole file at `path` into the decoder's buffer.
    public func load(path: String, maxFileBytes: Int = DecodeOptions.defaultMaxFileBytes) throws(ImagingError) {
        end()
        file = path
        diagnostics = []
        info = nil
        count = 0
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // a FIFO must not block: it is refused below
        if fd < 0 { throw ImagingError(.unreadable, "cannot open: \(errnoText())", file: path) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw ImagingError(.unreadable, "cannot stat: \(errnoText())", file: path) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw ImagingError(.unreadable, "is a directory", file: path) }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw ImagingError(.unreadable, "not a regular file", file: path)
        }
        let size = Int(st.st_size)
        if size == 0 { throw ImagingError(.empty, "empty file (0 bytes)", file: path) }
        if size > maxFileBytes {
            throw ImagingError(.tooLarge, "file is \(size) bytes, over the cap of \(maxFileBytes) bytes", file: path)
        }
        reserve(size)
        var done = 0
        while done < size {
            let n = posixRead(fd, buffer! + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImagingError(.unreadable, "read failed after \(done) bytes: \(errnoText())", file: path)
            }
            if n == 0 { break }  // the file shrank while we read it
            done += n
        }
        count = done
        if done == 0 { throw ImagingError(.empty, "empty file (0 bytes)", file: path) }
    }

    /// Copies `data` into the decoder's buffer, as if read from a file named `name`.
    public func load(bytes data: some Collection<UInt8>, name: String = "<memory>") {
        end()
        file = name
        diagnostics = []
        info = nil
        reserve(data.count)
        count = data.count
        if count > 0 {
            let dst = UnsafeMutableRawBufferPointer(start: buffer, count: count)
            dst.copyBytes(from: data)
        }
    }

    private func reserve(_ size: Int) {
        if size <= capacity { return }
        buffer?.deallocate()
        let newCapacity = max(size, capacity * 3 / 2, 1 << 16)
        buffer = .allocate(byteCount: newCapacity, alignment: 64)
        capacity = newCapacity
    }

    // MARK: Decoding

    /// Reads the header, checks it against the caps, and starts decoding. Nothing is decoded before the checks.
    @discardableResult
    public func begin(_ options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> ImageInfo {
        end()
        info = nil
        let name = file ?? "<memory>"
        guard [1, 2, 4, 8].contains(options.scale) else {
            throw ImagingError(.invalidRequest, "scale 1/\(options.scale) is not one of 1, 1/2, 1/4, 1/8", file: name)
        }
        let format: ImageFormat
        do {
            format = try ImageFormat.sniff(bytes)
        } catch {
            throw error.attributed(to: name)
        }
        var opt = spc_options(
            max_pixels: UInt64(max(0, options.maxPixels)), max_side: UInt32(clamping: options.maxSide),
            scale_denom: UInt32(clamping: options.scale),
            color: Self.bridgeColour(options.colour),
            keep_16bit: options.keep16Bit ? 1 : 0)
        var raw = spc_info()
        let status: spc_status
        let data = buffer.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) }
        switch format {
        case .jpeg:
            if jpeg == nil { jpeg = spc_jpeg_new() }
            guard let jpeg else { throw ImagingError(.outOfMemory, "cannot create a JPEG decoder", file: name) }
            status = spc_jpeg_begin(jpeg, data, count, &opt, &raw)
            if status != SPC_OK { throw error(status, String(cString: spc_jpeg_message(jpeg))) }
        case .png:
            if png == nil { png = spc_png_new() }
            guard let png else { throw ImagingError(.outOfMemory, "cannot create a PNG decoder", file: name) }
            opt.scale_denom = 1
            status = spc_png_begin(png, data, count, &opt, &raw)
            if status != SPC_OK { throw error(status, String(cString: spc_png_message(png))) }
        }
        active = format
        let header = ImageInfo(
            format: format, width: Int(raw.width), height: Int(raw.height), sourceWidth: Int(raw.source_width),
            sourceHeight: Int(raw.source_height), channels: Int(raw.channels), bitsPerSample: Int(raw.bits),
            sourceChannels: Int(raw.source_channels), sourceBits: Int(raw.source_bits),
            isProgressive: raw.progressive != 0, wasConverted: raw.converted != 0,
            scale: format == .jpeg ? max(1, options.scale) : 1)
        if header.isProgressive {
            diagnostics.append(
                format == .jpeg
                    ? "progressive JPEG: decodes about 3× slower than baseline"
                    : "interlaced PNG: decoded whole before scanning (more memory, slower)")
        }
        if header.wasConverted && format == .jpeg && header.sourceChannels == 4 {
            diagnostics.append("CMYK JPEG converted to RGB without a colour profile")
        }
        info = header
        return header
    }

    private static func bridgeColour(_ c: DecodeOptions.Colour) -> spc_color {
        switch c {
        case .rgb: SPC_COLOR_RGB
        case .opponent: SPC_COLOR_YCC
        case .gray: SPC_COLOR_GRAY
        case .rgbx: SPC_COLOR_RGBX
        }
    }

    /// Decodes up to `count` rows into `rows` (each row `info.rowBytes` long). Returns how many were delivered.
    public func read(into rows: UnsafePointer<UnsafeMutablePointer<UInt8>?>, count: Int) throws(ImagingError) -> Int {
        guard let format = active else {
            if info == nil { throw ImagingError(.invalidRequest, "read before begin", file: file) }
            return 0  // the frame is finished (or was abandoned after an error, which was thrown then)
        }
        var got: UInt32 = 0
        let want = UInt32(clamping: count)
        switch format {
        case .jpeg:
            let s = spc_jpeg_read(jpeg, rows, want, &got)
            if s != SPC_OK {
                active = nil
                throw error(s, String(cString: spc_jpeg_message(jpeg)))
            }
        case .png:
            let s = spc_png_read(png, rows, want, &got)
            if s != SPC_OK {
                active = nil
                throw error(s, String(cString: spc_png_message(png)))
            }
        }
        return Int(got)
    }

    /// Decodes up to `count` rows starting at `start`, each `stride` bytes apart. Returns how many were delivered.
    public func read(into start: UnsafeMutableRawPointer, stride: Int, count: Int) throws(ImagingError) -> Int {
        if count > rowPointerCapacity {
            rowPointers.deallocate()
            rowPointerCapacity = count
            rowPointers = .allocate(capacity: count)
        }
        for i in 0..<count {
            rowPointers[i] = (start + i * stride).assumingMemoryBound(to: UInt8.self)
        }
        return try read(into: rowPointers, count: count)
    }

    /// Restricts decoding to columns `[x, x + width)` (JPEG; before the first read). Returns the columns that will
    /// actually be delivered, widened to the decoder's block boundaries. PNG delivers whole rows.
    public func crop(x: Int, width: Int) throws(ImagingError) -> (x: Int, width: Int) {
        guard let info else { throw ImagingError(.invalidRequest, "crop before begin", file: file) }
        guard active == .jpeg else { return (0, info.width) }
        guard x >= 0, width > 0, x + width <= info.width else {
            throw ImagingError(.invalidRequest, "crop columns \(x)+\(width) outside a \(info.width)-pixel row", file: file)
        }
        var cx = UInt32(x)
        var cw = UInt32(width)
        let s = spc_jpeg_crop(jpeg, &cx, &cw)
        if s != SPC_OK {
            active = nil
            throw error(s, String(cString: spc_jpeg_message(jpeg)))
        }
        self.info?.width = Int(cw)
        return (Int(cx), Int(cw))
    }

    /// Skips `count` rows (JPEG: `jpeg_skip_scanlines`, which still entropy-decodes them; PNG: decodes and drops).
    public func skip(rows count: Int) throws(ImagingError) -> Int {
        guard let format = active, count > 0 else { return 0 }
        switch format {
        case .jpeg:
            var skipped: UInt32 = 0
            let s = spc_jpeg_skip(jpeg, UInt32(clamping: count), &skipped)
            if s != SPC_OK {
                active = nil
                throw error(s, String(cString: spc_jpeg_message(jpeg)))
            }
            return Int(skipped)
        case .png:
            guard let info else { return 0 }
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: info.rowBytes, alignment: 16)
            defer { scratch.deallocate() }
            var done = 0
            while done < count {
                let n = try read(into: scratch, stride: 0, count: 1)
                if n == 0 { break }
                done += n
            }
            return done
        }
    }

    /// Finishes the current frame (or abandons it) and collects the library's warnings into `diagnostics`.
    public func end() {
        guard let format = active else { return }
        active = nil
        switch format {
        case .jpeg:
            spc_jpeg_end(jpeg)
            let n = spc_jpeg_warning_count(jpeg)
            if n > 0 { diagnostics.append(warningNote(n, String(cString: spc_jpeg_first_warning(jpeg)))) }
        case .png:
            spc_png_end(png)
            let n = spc_png_warning_count(png)
            if n > 0 { diagnostics.append(warningNote(n, String(cString: spc_png_first_warning(png)))) }
        }
    }

    private func warningNote(_ n: UInt32, _ first: String) -> String {
        n == 1 ? "decoder warning: \(first)" : "\(n) decoder warnings, first: \(first)"
    }

    private func error(_ status: spc_status, _ message: String) -> ImagingError {
        let code: ImagingError.Code
        switch status {
        case SPC_ERR_TRUNCATED: code = message == "empty file" ? .empty : .truncated
        case SPC_ERR_UNSUPPORTED: code = .unsupported
        case SPC_ERR_TOO_LARGE: code = .tooLarge
        case SPC_ERR_NO_MEMORY: code = .outOfMemory
        case SPC_ERR_USAGE: code = .invalidRequest
        default: code = .corrupt
        }
        return ImagingError(code, message.isEmpty ? "decoding failed" : message, file: file)
    }
}

@inline(__always)
private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    read(fd, p, n)
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
