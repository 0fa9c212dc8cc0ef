import SpotterImaging

/// Thermal hotspots over a frame streamed in bands: each pixel against a robust local background,
/// z = (value − background) / scale, where background and scale come from a mesh of cells.
///
/// The frame is cut into `cellSize`² cells. Each cell gets the median of its pixels and 1.4826 × their median
/// absolute deviation (the MAD of Gaussian noise equals σ / 1.4826), so a person covering less than half of a cell
/// barely moves its cell's statistics. The mesh is then median-filtered over 3×3 cells, which removes cells
/// dominated by one warm object (a car roof, a person close to the camera), and interpolated bilinearly between
/// cell centres for every pixel (the background estimate of SExtractor and of most astronomical source finders).
/// The scale is floored at `deviationFloor` so flat, quantised areas do not turn noise into hotspots.
///
/// Streaming: a cell row's statistics are computed when its rows have been decoded; a pixel row is scored once the
/// filtered cell rows on both sides of it exist, which needs about 2.5 cell rows of look-ahead. The ring must hold
/// `haloRows` rows besides the band being decoded.
///
/// - Complexity: O(pixels) per frame for 8-bit samples (histograms); 16-bit cells are sorted, O(pixels · log cell).
///   Memory: O(width + mesh), allocated once per worker and reused.
public struct HotspotStage {
    public var parameters: HotspotParameters
    public var reference: Bool
    private(set) var width = 0
    private(set) var height = 0
    private var bytesPerSample = 1
    private var cell = 32
    private var cellsX = 0, cellsY = 0
    /// Raw and 3×3-filtered mesh, row-major [cellY][cellX]; filtered rows exist up to `filteredRows`.
    private var rawMedian: [Float] = [], rawScale: [Float] = []
    private var median: [Float] = [], scale: [Float] = []
    private var rawRows = 0, filteredRows = 0
    private var histograms: [UInt32] = []
    private var gather: [Float] = []
    /// Per column: left cell, right cell and weight of the right one.
    private var columnLeft: [Int32] = [], columnRight: [Int32] = [], columnWeight: [Float] = []
    private var background: [Float] = [], inverseScale: [Float] = [], values: [Float] = [], z: [Float] = []
    private var rowBackgroundLeft: [Float] = [], rowScaleLeft: [Float] = []
    private var runs: [Run] = []

    public init(parameters: HotspotParameters, reference: Bool = false) {
        self.parameters = parameters
        self.reference = reference
    }

    /// Kept for symmetry with the other stages; the stage owns only arrays.
    public mutating func deallocate() {}

    /// Rows the ring must hold besides the band being decoded.
    public var haloRows: Int { 4 * max(4, parameters.cellSize) }

    public mutating func begin(width: Int, height: Int, bytesPerSample: Int) {
        self.width = width
        self.height = height
        self.bytesPerSample = bytesPerSample
        cell = max(4, parameters.cellSize)
        cellsX = (width + cell - 1) / cell
        cellsY = (height + cell - 1) / cell
        let meshCount = cellsX * cellsY
        for a in [\HotspotStage.rawMedian, \.rawScale, \.median, \.scale] {
            self[keyPath: a].removeAll(keepingCapacity: true)
            self[keyPath: a].append(contentsOf: repeatElement(0, count: meshCount))
        }
        rawRows = 0
        filteredRows = 0
        if histograms.count < cellsX * 256 { histograms = [UInt32](repeating: 0, count: cellsX * 256) }
        for a in [\HotspotStage.background, \.inverseScale, \.values, \.z] {
            if self[keyPath: a].count < width { self[keyPath: a] = [Float](repeating: 0, count: width) }
        }
        if rowBackgroundLeft.count < cellsX {
            rowBackgroundLeft = [Float](repeating: 0, count: cellsX)
            rowScaleLeft = [Float](repeating: 0, count: cellsX)
        }
        // Bilinear weights along x between cell centres, clamped at the frame's sides.
        columnLeft = [Int32](repeating: 0, count: width)
        columnRight = [Int32](repeating: 0, count: width)
        columnWeight = [Float](repeating: 0, count: width)
        for x in 0..<width {
            let (i0, i1, t) = Self.interpolation(position: x, cell: cell, cells: cellsX, length: width)
            columnLeft[x] = Int32(i0)
            columnRight[x] = Int32(i1)
            columnWeight[x] = t
        }
    }

    /// Cells on either side of pixel `position` along one axis and the weight of the second one.
    ///
    /// Cell centres are the middles of the cells (of the real pixels, for a partial last cell). Between two centres
    /// the weight runs from 0 to 1; beyond the outermost centres it continues linearly (below 0, above 1), so a
    /// brightness ramp towards the frame's edge is followed instead of flattened, and the edge does not look hot.
    static func interpolation(position: Int, cell: Int, cells: Int, length: Int) -> (Int, Int, Float) {
        if cells <= 1 { return (0, 0, 0) }
        func centre(_ i: Int) -> Double { (Double(i * cell) + Double(min(length, (i + 1) * cell))) / 2 - 0.5 }
        let p = Double(position)
        let i0 = min(max(0, Int((p + 0.5) / Double(cell) - 0.5)), cells - 2)
        let c0 = centre(i0), c1 = centre(i0 + 1)
        return (i0, i0 + 1, Float((p - c0) / (c1 - c0)))
    }

    @inline(__always)
    private func sample(_ ring: RowRing, x: Int, y: Int) -> Float {
        let raw = ring.row(y)
        if bytesPerSample == 2 { return Float(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x])) }
        return Float(raw.assumingMemoryBound(to: UInt8.self)[x])
    }

    /// Rows of the frame that must be decoded before row `y` can be scored.
    public func rowsNeeded(toScore y: Int) -> Int {
        let (_, j1, _) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        let rawNeeded = min(cellsY, j1 + 2)  // filtered row j1 needs raw row j1 + 1
        return min(height, rawNeeded * cell)
    }

    /// Takes note that rows `[0, decoded)` are in the ring: computes the statistics of every completed cell row
    /// and the filtered mesh rows that became possible.
    public mutating func rowsDecoded(_ decoded: Int, ring: RowRing) {
        while rawRows < cellsY && min(height, (rawRows + 1) * cell) <= decoded {
            cellRowStatistics(rawRows, ring: ring)
            rawRows += 1
        }
        while filteredRows < cellsY && (filteredRows + 1 < rawRows || rawRows == cellsY) {
            filterMeshRow(filteredRows)
            filteredRows += 1
        }
    }

    private mutating func cellRowStatistics(_ j: Int, ring: RowRing) {
        let y0 = j * cell, y1 = min(height, y0 + cell)
        let floor = parameters.deviationFloor
        if bytesPerSample == 1 && !reference {
            histograms.withUnsafeMutableBufferPointer { h in
                h.update(repeating: 0)
                for y in y0..<y1 {
                    let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
                    let shift = cell.trailingZeroBitCount
                    if cell.nonzeroBitCount == 1 {
                        for x in 0..<width { h[(x &>> shift) &* 256 &+ Int(p[x])] &+= 1 }
                    } else {
                        for x in 0..<width { h[(x / cell) &* 256 &+ Int(p[x])] &+= 1 }
                    }
                }
                for i in 0..<cellsX {
                    let count = (min(width, (i + 1) * cell) - i * cell) * (y1 - y0)
                    let (m, mad) = RobustKernels.medianMAD(histogram: h.baseAddress! + i * 256, count: count)
                    rawMedian[j * cellsX + i] = m
                    rawScale[j * cellsX + i] = max(1.4826 * mad, floor)
                }
            }
        } else {
            for i in 0..<cellsX {
                gather.removeAll(keepingCapacity: true)
                for y in y0..<y1 { for x in i * cell..<min(width, (i + 1) * cell) { gather.append(sample(ring, x: x, y: y)) } }
                let (m, mad) = RobustKernels.medianMADReference(gather)
                rawMedian[j * cellsX + i] = m
                rawScale[j * cellsX + i] = max(1.4826 * mad, floor)
            }
        }
    }

    private mutating func filterMeshRow(_ j: Int) {
        var window: [Float] = []
        window.reserveCapacity(9)
        var windowScale: [Float] = []
        windowScale.reserveCapacity(9)
        for i in 0..<cellsX {
            window.removeAll(keepingCapacity: true)
            windowScale.removeAll(keepingCapacity: true)
            for jj in max(0, j - 1)...min(cellsY - 1, j + 1) {
                for ii in max(0, i - 1)...min(cellsX - 1, i + 1) {
                    window.append(rawMedian[jj * cellsX + ii])
                    windowScale.append(rawScale[jj * cellsX + ii])
                }
            }
            median[j * cellsX + i] = RobustKernels.smallMedian(&window)
            scale[j * cellsX + i] = RobustKernels.smallMedian(&windowScale)
        }
    }

    /// Whether row `y` can be scored now.
    public func canScore(row y: Int) -> Bool {
        let (_, j1, _) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        return j1 < filteredRows
    }

    /// Scores frame row `y` and passes its hot (and, if enabled, cold) runs to the labelers.
    public mutating func process(ring: RowRing, row y: Int, hot: inout RunLabeler, cold: inout RunLabeler) {
        precondition(canScore(row: y), "row \(y) scored before its background exists")
        if reference { scoreReference(ring: ring, row: y) } else { score(ring: ring, row: y) }
        runs.removeAll(keepingCapacity: true)
        z.withUnsafeBufferPointer { zp in
            if reference {
                RunBuilder.runsReference(zp.baseAddress!, count: width, threshold: parameters.threshold, into: &runs)
            } else {
                RunBuilder.runs(zp.baseAddress!, count: width, threshold: parameters.threshold, into: &runs)
            }
        }
        if !runs.isEmpty { hot.add(row: y, runs: runs) }
        if parameters.detectCold {
            for x in 0..<width { z[x] = -z[x] }
            runs.removeAll(keepingCapacity: true)
            z.withUnsafeBufferPointer { zp in
                RunBuilder.runs(zp.baseAddress!, count: width, threshold: parameters.threshold, into: &runs)
            }
            if !runs.isEmpty { cold.add(row: y, runs: runs) }
            for x in 0..<width { z[x] = -z[x] }
        }
    }

    /// Interpolates the mesh down the column of cells first (once per row), then along the row in spans that share
    /// the same pair of cells, so the inner loop has no gathers and vectorises.
    private mutating func score(ring: RowRing, row y: Int) {
        let (j0, j1, ty) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        let w = width
        let raw = ring.row(y)
        let wide = bytesPerSample == 2
        let nx = cellsX
        let floor = parameters.deviationFloor
        median.withUnsafeBufferPointer { med in
        scale.withUnsafeBufferPointer { sc in
        rowBackgroundLeft.withUnsafeMutableBufferPointer { rb in
        rowScaleLeft.withUnsafeMutableBufferPointer { rs in
        values.withUnsafeMutableBufferPointer { v in
        z.withUnsafeMutableBufferPointer { zp in
        columnWeight.withUnsafeBufferPointer { cw in
        columnLeft.withUnsafeBufferPointer { cl in
        columnRight.withUnsafeBufferPointer { cr in
            for i in 0..<nx {
                let a = j0 * nx + i, b = j1 * nx + i
                rb[i] = med[a] + ty * (med[b] - med[a])
                rs[i] = sc[a] + ty * (sc[b] - sc[a])
            }
            if wide {
                let p = raw.assumingMemoryBound(to: UInt16.self)
                for x in 0..<w { v[x] = Float(UInt16(littleEndian: p[x])) }
            } else {
                let p = raw.assumingMemoryBound(to: UInt8.self)
                for x in 0..<w { v[x] = Float(p[x]) }
            }
            var start = 0
            while start < w {
                let i0 = Int(cl[start]), i1 = Int(cr[start])
                var end = start + 1
                while end < w && Int(cl[end]) == i0 && Int(cr[end]) == i1 { end += 1 }
                let b0 = rb[i0], db = rb[i1] - rb[i0], s0 = rs[i0], ds = rs[i1] - rs[i0]
                for x in start..<end {
                    let t = cw[x]
                    zp[x] = (v[x] - (b0 + t * db)) / max(s0 + t * ds, floor)
                }
                start = end
            }
        }}}}}}}}}
    }

    /// Reference: full bilinear formula per pixel, straight from the mesh.
    private mutating func scoreReference(ring: RowRing, row y: Int) {
        let (j0, j1, ty) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        for x in 0..<width {
            let (i0, i1, tx) = Self.interpolation(position: x, cell: cell, cells: cellsX, length: width)
            func bilinear(_ m: [Float]) -> Float {
                let top = m[j0 * cellsX + i0] * (1 - tx) + m[j0 * cellsX + i1] * tx
                let bottom = m[j1 * cellsX + i0] * (1 - tx) + m[j1 * cellsX + i1] * tx
                return top * (1 - ty) + bottom * ty
            }
            z[x] = (sample(ring, x: x, y: y) - bilinear(median)) / max(bilinear(scale), parameters.deviationFloor)
        }
    }

    /// Background and scale at pixel (x, y): the filtered mesh interpolated as for scoring (the row must be scorable).
    public func background(x: Int, y: Int) -> (background: Float, scale: Float) {
        let (j0, j1, ty) = Self.interpolation(position: y, cell: cell, cells: cellsY, length: height)
        let (i0, i1, tx) = Self.interpolation(position: x, cell: cell, cells: cellsX, length: width)
        func bilinear(_ m: [Float]) -> Float {
            let top = m[j0 * cellsX + i0] * (1 - tx) + m[j0 * cellsX + i1] * tx
            let bottom = m[j1 * cellsX + i0] * (1 - tx) + m[j1 * cellsX + i1] * tx
            return top * (1 - ty) + bottom * ty
        }
        return (bilinear(median), max(bilinear(scale), parameters.deviationFloor))
    }

    /// The median of the cells' medians and of their scales over the cell rows computed so far: the frame's typical
    /// level and noise (a night frame and a sunlit day frame differ here).
    public func frameStatistics() -> (median: Float, scale: Float) {
        let n = rawRows * cellsX
        guard n > 0 else { return (0, 1) }
        let medians = rawMedian.prefix(n).sorted(), scales = rawScale.prefix(n).sorted()
        return (medians[(n - 1) / 2], scales[(n - 1) / 2])
    }

    /// The z-scores of the last processed row (for tests).
    public func lastScores() -> [Float] { Array(z.prefix(width)) }

    /// The filtered mesh (median, scale) of cell (i, j), for tests.
    public func meshCell(_ i: Int, _ j: Int) -> (median: Float, scale: Float) {
        (median[j * cellsX + i], scale[j * cellsX + i])
    }
}
