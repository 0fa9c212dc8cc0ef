/// A ring of image rows: row `y` of a frame lives in slot `y % capacity`, so a frame streams through a fixed
/// amount of memory while a stage still sees the rows just above and below the ones it works on.
///
/// Allocated once per worker and grown only when a wider frame or a taller band arrives; nothing is allocated per
/// band. Rows are 64-byte aligned.
public final class RowRing {
    // Read on every row access: exempt from dynamic exclusivity checks (only `reserve` writes them, never while a
    // row pointer is being used).
    @exclusivity(unchecked) public private(set) var capacity = 0
    @exclusivity(unchecked) public private(set) var rowBytes = 0
    @exclusivity(unchecked) public private(set) var stride = 0
    @exclusivity(unchecked) @usableFromInline var storage: UnsafeMutableRawPointer?
    private var allocated = 0

    public init() {}

    deinit { storage?.deallocate() }

    /// Makes room for `rows` rows of `rowBytes` bytes each, reusing the memory when it is large enough.
    public func reserve(rows: Int, rowBytes: Int) {
        precondition(rows > 0 && rowBytes >= 0)
        let stride = (rowBytes + 63) & ~63
        let need = max(64, rows * stride)
        if need > allocated {
            storage?.deallocate()
            storage = .allocate(byteCount: need, alignment: 64)
            allocated = need
        }
        self.capacity = rows
        self.rowBytes = rowBytes
        self.stride = stride
    }

    /// The slot holding frame row `y`. Inlinable: the detection stages call it for every row and every candidate.
    @inlinable @inline(__always)
    public func row(_ y: Int) -> UnsafeMutableRawPointer {
        storage! + (y % capacity) * stride
    }

    /// Decodes up to `count` rows of the frame, starting at frame row `y`, into their slots. Returns how many arrived.
    ///
    /// - Complexity: O(rows), no allocation.
    public func fill(from decoder: FrameDecoder, startingAt y: Int, count: Int) throws(ImagingError) -> Int {
        var done = 0
        while done < count {
            // Contiguous run of slots up to the wrap point.
            let slot = (y + done) % capacity
            let run = min(count - done, capacity - slot)
            let n = try decoder.read(into: storage! + slot * stride, stride: stride, count: run)
            if n == 0 { break }
            done += n
        }
        return done
    }
}
