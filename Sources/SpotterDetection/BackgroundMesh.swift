/// A robust local background for one channel, streamed: a mesh of cells with each cell's median and scaled MAD,
/// median-filtered over 3×3 cells and interpolated bilinearly between cell centres (the background estimate of
/// SExtractor and most astronomical source finders).
///
/// The caller computes each cell's raw statistics when the cell row has been decoded (`setRaw`, `completeRawRow`);
/// a pixel row can be interpolated once the filtered cell rows on both sides of it exist (`canInterpolate`), which
/// needs about 2.5 cell rows of look-ahead.
///
/// - Complexity: O(mesh) per frame for the statistics and filter, O(width) per interpolated row; no allocation once
///   the buffers have grown to the largest frame.
public struct BackgroundMesh {
    public private(set) var cell = 32
    public private(set) var cellsX = 0, cellsY = 0
    public private(set) var width = 0, height = 0
    /// Smallest scale interpolated (noise floor).
    public var floor: Float = 1
    private var rawMedian: [Float] = [], rawScale: [Float] = []
    private var median: [Float] = [], scale: [Float] = []
    public private(set) var rawRows = 0
    public private(set) var filteredRows = 0
    /// Per column: left cell, right cell and weight of the right one; and the spans of columns sharing a pair.
    private var columnWeight: [Float] = []
    private var spans: [(start: Int, end: Int, left: Int, right: Int)] = []
    private var rowMedian: [Float] = [], rowScale: [Float] = []

    public init() {}

    public mutating func begin(width: Int, height: Int, cell: Int, floor: Float) {
        self.width = width
        self.height = height
        self.cell = max(2, cell)
        self.floor = floor
        cellsX = (width + self.cell - 1) / self.cell
        cellsY = (height + self.cell - 1) / self.cell
        let n = cellsX * cellsY
        for a in [\BackgroundMesh.rawMedian, \.rawScale, \.median, \.scale] {
            self[keyPath: a].removeAll(keepingCapacity: true)
            self[keyPath: a].append(contentsOf: repeatElement(0, count: n))
        }
        rawRows = 0
        filteredRows = 0
        rowMedian = [Float](repeating: 0, count: cellsX)
        rowScale = [Float](repeating: 0, count: cellsX)
        columnWeight.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        for x in 0..<width {
            let (i0, i1, t) = Self.interpolation(position: x, cell: self.cell, cells: cellsX, length: width)
            columnWeight.append(t)
            if let last = spans.last, last.left == i0, last.right == i1 {
                spans[spans.count - 1].end = x + 1
            } else {
                spans.append((x, x + 1, i0, i1))
            }
        }
    }

    /// Cells on either side of pixel `position` along one axis and the weight of the second one.
    ///
    /// Cell centres are the middles of the cells (of the real pixels, for a partial last cell). Between two centres
    /// the weight runs from 0 to 1; beyond the outermost centres it continues linearly (below 0, above 1), so a
    /// brightness ramp towards the frame's edge is followed instead of flattened, and the edge does not look hot.
    public static func interpolation(position: Int, cell: Int, cells: Int, length: Int) -> (Int, Int, Float) {
        if cells <= 1 { return (0, 0, 0) }
        func centre(_ i: Int) -> Double { (Double(i * cell) + Double(min(length, (i + 1) * cell))) / 2 - 0.5 }
        let p = Double(position)
        let i0 = min(max(0, Int((p + 0.5) / Double(cell) - 0.5)), cells - 2)
        let c0 = centre(i0), c1 = centre(i0 + 1)
        return (i0, i0 + 1, Float((p - c0) / (c1 - c0)))
    }

    /// Rows `[start, end)` of cell row `j`.
    public func rows(ofCellRow j: Int) -> Range<Int> { j * cell..<min(height, (j + 1) * cell) }

    /// Columns `[start, end)` of cell column `i`.
    public func columns(ofCell i: Int) -> Range<Int> { i * cell..<min(width, (i + 1) * cell) }

    /// Records the raw statistics of cell (i, rawRows): its median and its MAD (scaled to σ here).
    public mutating func setRaw(cell i: Int, median m: Float, mad: Float) {
        rawMedian[rawRows * cellsX + i] = m
        rawScale[rawRows * cellsX + i] = max(1.4826 * mad, floor)
    }

    /// The filtered mesh stores 1 / scale, which is what is interpolated (no division per pixel); between cell
    /// centres that differs from interpolating the scale by much less than the scale's own uncertainty.

    /// Marks the current cell row complete and filters every mesh row that became possible.
    public mutating func completeRawRow() {
        rawRows += 1
        while filteredRows < cellsY && (filteredRows + 1 < rawRows || rawRows == cellsY) {
            filter(row: filteredRows)
            filteredRows += 1
        }
    }

    private mutating func filter(row j: Int) {
        let nx = cellsX, ny = cellsY
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 18) { t in
            let a = t.baseAddress!, b = t.baseAddress! + 9
            rawMedian.withUnsafeBufferPointer { rm in
                rawScale.withUnsafeBufferPointer { rs in
                    for i in 0..<nx {
                        var n = 0
                        for jj in max(0, j - 1)...min(ny - 1, j + 1) {
                            for ii in max(0, i - 1)...min(nx - 1, i + 1) {
                                a[n] = rm[jj * nx + ii]
                                b[n] = rs[jj * nx + ii]
                                n += 1
                            }
                        }
                        median[j * nx + i] = RobustKernels.smallMedian(a, count: n)
                        scale[j * nx + i] = 1 / RobustKernels.smallMedian(b, count: n)
                    }
                }
            }
        }
    }

    /// Whether pixel row `y` can be interpolated now.
    public func canInterpolate(row y: Int) -> Bool {
        let (_, j1, _) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        return j1 < filteredRows
    }

    /// Background and 1 / scale along pixel row `y`, shaped for the vectoriser (spans of columns share a cell pair).
    public mutating func interpolate(
        row y: Int, background: UnsafeMutablePointer<Float>, inverseScale: UnsafeMutablePointer<Float>
    ) {
        let (j0, j1, ty) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        let nx = cellsX
        let ceiling = 1 / floor  // extrapolated beyond the outer centres, 1/scale may overshoot: cap it
        median.withUnsafeBufferPointer { med in
        scale.withUnsafeBufferPointer { sc in
        rowMedian.withUnsafeMutableBufferPointer { rm in
        rowScale.withUnsafeMutableBufferPointer { rs in
        columnWeight.withUnsafeBufferPointer { cw in
            for i in 0..<nx {
                let a = j0 * nx + i, b = j1 * nx + i
                rm[i] = med[a] + ty * (med[b] - med[a])
                rs[i] = sc[a] + ty * (sc[b] - sc[a])
            }
            for span in spans {
                let b0 = rm[span.left], db = rm[span.right] - rm[span.left]
                let s0 = rs[span.left], ds = rs[span.right] - rs[span.left]
                for x in span.start..<span.end {
                    let t = cw[x]
                    background[x] = b0 + t * db
                    inverseScale[x] = min(max(s0 + t * ds, 0), ceiling)
                }
            }
        }}}}}
    }

    /// Background and scale at pixel (x, y) from the full bilinear formula (the reference for `interpolate`).
    public func at(x: Int, y: Int) -> (background: Float, scale: Float) {
        let (j0, j1, ty) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        let (i0, i1, tx) = Self.interpolation(position: x, cell: cell, cells: cellsX, length: width)
        func bilinear(_ m: [Float]) -> Float {
            let top = m[j0 * cellsX + i0] * (1 - tx) + m[j0 * cellsX + i1] * tx
            let bottom = m[j1 * cellsX + i0] * (1 - tx) + m[j1 * cellsX + i1] * tx
            return top * (1 - ty) + bottom * ty
        }
        return (bilinear(median), 1 / min(max(bilinear(scale), 0), 1 / floor))
    }

    /// The median of the raw cells' medians and of their scales so far: the frame's typical level and noise.
    /// (The raw mesh keeps scales; only the filtered mesh holds inverses.)
    public func frameStatistics() -> (median: Float, scale: Float) {
        let n = rawRows * cellsX
        guard n > 0 else { return (0, 1) }
        let medians = rawMedian.prefix(n).sorted(), scales = rawScale.prefix(n).sorted()
        return (medians[(n - 1) / 2], scales[(n - 1) / 2])
    }

    /// The filtered cell (i, j), for tests.
    public func cellValue(_ i: Int, _ j: Int) -> (median: Float, scale: Float) {
        (median[j * cellsX + i], 1 / scale[j * cellsX + i])
    }
}
