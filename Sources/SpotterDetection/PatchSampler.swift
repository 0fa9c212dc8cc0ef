import SpotterImaging

/// Square RGB patches around candidates, cut from RGBX rows (the ring during a scan, or a whole image for training
/// data), for the patch classifier.
public enum PatchSampler {
    /// A `side` × `side` RGB patch (row-major, 3 bytes per pixel) centred on (`cx`, `cy`); pixels outside the frame or
    /// outside `rows` repeat the nearest available pixel.
    ///
    /// - Complexity: O(side²), allocates the patch.
    public static func patch(
        side: Int, cx: Int, cy: Int, width: Int, rows: Range<Int>, row: (Int) -> UnsafePointer<UInt32>
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: side * side * 3)
        guard !rows.isEmpty, width > 0 else { return out }
        let x0 = cx - side / 2, y0 = cy - side / 2
        out.withUnsafeMutableBufferPointer { o in
            for py in 0..<side {
                let y = min(max(y0 + py, rows.lowerBound), rows.upperBound - 1)
                let p = row(y)
                for px in 0..<side {
                    let x = min(max(x0 + px, 0), width - 1)
                    let v = UInt32(littleEndian: p[x])
                    let i = 3 * (py * side + px)
                    o[i] = UInt8(truncatingIfNeeded: v)
                    o[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    o[i + 2] = UInt8(truncatingIfNeeded: v >> 16)
                }
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
}
