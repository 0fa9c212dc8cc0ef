import SpotterImaging

/// Square patches around candidates for the patch classifier: RGB ones cut from RGBX rows, single-channel ones from
/// thermal rows (the ring during a scan, or a whole image for training data).
public enum PatchSampler {
    /// A `side` × `side` RGB patch (row-major, 3 bytes per pixel) centred on (`cx`, `cy`); pixels outside the frame or
    /// outside `rows` repeat the nearest available pixel.
    ///
    /// - Complexity: O(side²), allocates the patch (nothing else).
    public static func patch(
        side: Int, cx: Int, cy: Int, width: Int, rows: Range<Int>, row: (Int) -> UnsafePointer<UInt32>
    ) -> [UInt8] {
        let count = side * side * 3
        guard !rows.isEmpty, width > 0, side > 0 else { return [UInt8](repeating: 0, count: count) }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            cut(side: side, cx: cx, cy: cy, width: width, rows: rows, row: row, into: buffer.baseAddress!)
            initialized = count
        }
    }

    /// Writes the patch of `patch(side:cx:cy:width:rows:row:)` (`rows` not empty, `width` > 0) to `out`.
    ///
    /// Each pixel is one unaligned 4-byte store of its RGBX word, 3 bytes apart, so the next pixel overwrites the X
    /// byte; the patch's last pixel is written byte by byte. Patches inside the frame skip the column clamps.
    ///
    /// - Complexity: O(side²), no allocation.
    static func cut(
        side: Int, cx: Int, cy: Int, width: Int, rows: Range<Int>, row: (Int) -> UnsafePointer<UInt32>,
        into out: UnsafeMutablePointer<UInt8>
    ) {
        let x0 = cx - side / 2, y0 = cy - side / 2
        let inside = x0 >= 0 && x0 + side <= width
        let dst = UnsafeMutableRawPointer(out)
        for py in 0..<side {
            let y = min(max(y0 + py, rows.lowerBound), rows.upperBound - 1)
            let p = row(y)
            let line = dst + 3 &* side &* py
            // The last pixel of the patch has no byte after it to spill into.
            let words = py == side - 1 ? side - 1 : side
            if inside {
                let src = p + x0
                for px in 0..<words { line.storeBytes(of: src[px], toByteOffset: 3 &* px, as: UInt32.self) }
            } else {
                for px in 0..<words {
                    let x = min(max(x0 &+ px, 0), width &- 1)
                    line.storeBytes(of: p[x], toByteOffset: 3 &* px, as: UInt32.self)
                }
            }
            if words < side {
                let v = UInt32(littleEndian: p[min(max(x0 + side - 1, 0), width - 1)])
                let last = out + 3 * (side * side - 1)
                last[0] = UInt8(truncatingIfNeeded: v)
                last[1] = UInt8(truncatingIfNeeded: v >> 8)
                last[2] = UInt8(truncatingIfNeeded: v >> 16)
            }
        }
    }

    /// Reference for `patch(side:cx:cy:width:rows:row:)`: pixel by pixel, clamping both coordinates.
    static func patchReference(
        side: Int, cx: Int, cy: Int, width: Int, rows: Range<Int>, row: (Int) -> UnsafePointer<UInt32>
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: side * side * 3)
        guard !rows.isEmpty, width > 0 else { return out }
        let x0 = cx - side / 2, y0 = cy - side / 2
        for py in 0..<side {
            let y = min(max(y0 + py, rows.lowerBound), rows.upperBound - 1)
            for px in 0..<side {
                let v = UInt32(littleEndian: row(y)[min(max(x0 + px, 0), width - 1)])
                for c in 0..<3 { out[3 * (py * side + px) + c] = UInt8(truncatingIfNeeded: v >> (8 * c)) }
            }
        }
        return out
    }

    /// A `side` × `side` single-channel patch centred on (`cx`, `cy`), cut from rows of `bytesPerSample`-byte samples
    /// (thermal frames: 8-bit, or 16-bit little-endian) and kept as they are: row-major, `bytesPerSample` bytes per
    /// pixel. Pixels outside the frame or outside `rows` repeat the nearest available pixel, as in the RGB patch.
    ///
    /// - Complexity: O(side²), allocates the patch (nothing else).
    public static func grayPatch(
        side: Int, cx: Int, cy: Int, width: Int, bytesPerSample: Int, rows: Range<Int>, row: (Int) -> UnsafeRawPointer
    ) -> [UInt8] {
        let b = bytesPerSample, count = side * side * b
        guard !rows.isEmpty, width > 0, side > 0 else { return [UInt8](repeating: 0, count: count) }
        let x0 = cx - side / 2, y0 = cy - side / 2
        let inside = x0 >= 0 && x0 + side <= width
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!)
            for py in 0..<side {
                let p = row(min(max(y0 + py, rows.lowerBound), rows.upperBound - 1))
                let line = out + b * side * py
                if inside {
                    line.copyMemory(from: p + b * x0, byteCount: b * side)
                } else {
                    for px in 0..<side {
                        line.advanced(by: b * px).copyMemory(from: p + b * min(max(x0 + px, 0), width - 1), byteCount: b)
                    }
                }
            }
            initialized = count
        }
    }

    /// Reference for `grayPatch(side:cx:cy:width:bytesPerSample:rows:row:)`: sample by sample, clamping both
    /// coordinates.
    static func grayPatchReference(
        side: Int, cx: Int, cy: Int, width: Int, bytesPerSample b: Int, rows: Range<Int>, row: (Int) -> UnsafeRawPointer
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: side * side * b)
        guard !rows.isEmpty, width > 0 else { return out }
        let x0 = cx - side / 2, y0 = cy - side / 2
        for py in 0..<side {
            let y = min(max(y0 + py, rows.lowerBound), rows.upperBound - 1)
            for px in 0..<side {
                let x = min(max(x0 + px, 0), width - 1)
                for k in 0..<b { out[b * (py * side + px) + k] = row(y).load(fromByteOffset: b * x + k, as: UInt8.self) }
            }
        }
        return out
    }

    /// The patch for a blob: centred on its box.
    static func patch(side: Int, blob: Blob, ring: RowRing, rows: Range<Int>, width: Int) -> [UInt8] {
        patch(
            side: side, cx: (blob.minX + blob.maxX + 1) / 2, cy: (blob.minY + blob.maxY + 1) / 2, width: width,
            rows: rows, row: { UnsafePointer(ring.row($0).assumingMemoryBound(to: UInt32.self)) })
    }

    /// The single-channel patch for a blob of a thermal frame: centred on its box.
    static func grayPatch(side: Int, blob: Blob, ring: RowRing, rows: Range<Int>, width: Int, bytesPerSample: Int) -> [UInt8] {
        grayPatch(
            side: side, cx: (blob.minX + blob.maxX + 1) / 2, cy: (blob.minY + blob.maxY + 1) / 2, width: width,
            bytesPerSample: bytesPerSample, rows: rows, row: { UnsafeRawPointer(ring.row($0)) })
    }
}

/// Candidates' patches waiting for the rows under them. A candidate is measured as soon as the rows its features read
/// are decoded, the same moment whether patches are cut or not, so its features never depend on it; its patch is cut
/// later: once every row under the patch is decoded, or before the patch's top rows leave the ring, or at the end of
/// the frame. The patch is then the whole frame's, as the classifier was trained on.
struct PatchQueue {
    private(set) var side = 0
    private var waiting: [(ticket: Int, blob: Blob)] = []
    private var patches: [[UInt8]] = []

    mutating func reset(side: Int) {
        self.side = side
        waiting.removeAll(keepingCapacity: true)
        patches.removeAll(keepingCapacity: true)
    }

    /// Queues the patch of `blob`; returns its ticket for `take`.
    mutating func enqueue(_ blob: Blob) -> Int {
        patches.append([])
        waiting.append((patches.count - 1, blob))
        return patches.count - 1
    }

    /// Cuts every waiting patch whose rows are all decoded (`decoded` rows of a frame of `height`) or whose top row
    /// would leave the ring (`firstRowKept` is the oldest row the ring keeps), from `rows`.
    mutating func cut(decoded: Int, height: Int, firstRowKept: Int, rows: Range<Int>, cutter: (Blob, Range<Int>) -> [UInt8]) {
        var i = 0
        while i < waiting.count {
            let (ticket, blob) = waiting[i]
            let top = (blob.minY + blob.maxY + 1) / 2 - side / 2
            if decoded >= min(height, top + side) || max(0, top) < firstRowKept {
                patches[ticket] = cutter(blob, rows)
                waiting.swapAt(i, waiting.count - 1)
                waiting.removeLast()
            } else {
                i += 1
            }
        }
    }

    /// The patch of `ticket` (handed over once).
    mutating func take(_ ticket: Int) -> [UInt8] {
        defer { patches[ticket] = [] }
        return patches[ticket]
    }
}
