import SpotterImaging

/// Thermal hotspots over a frame streamed in bands: each pixel against a robust local background,
/// z = (value − background) / scale, from a `BackgroundMesh` of cell medians and MADs.
///
/// The frame is cut into `cellSize`² cells; each gets the median of its pixels and 1.4826 × their median absolute
/// deviation (the MAD of Gaussian noise equals σ / 1.4826), so a person covering less than half of a cell barely
/// moves its statistics. The mesh is median-filtered over 3×3 cells, which removes cells dominated by one warm object
/// (a car roof, a person close to the camera), and interpolated bilinearly. The scale is floored at
/// `deviationFloor` so flat, quantised areas do not turn noise into hotspots.
///
/// Streaming: a cell row's statistics are computed when its rows have been decoded; a pixel row is scored once the
/// filtered cell rows on both sides of it exist (about 2.5 cell rows of look-ahead). The ring must hold `haloRows`
/// rows besides the band being decoded.
///
/// - Complexity: O(pixels) per frame for 8-bit samples (histograms); 16-bit cells are sorted, O(pixels · log cell).
///   Memory: O(width + mesh), allocated once per worker and reused.
public struct HotspotStage {
    public var parameters: HotspotParameters
    public var reference: Bool
    private(set) var width = 0
    private(set) var height = 0
    private var bytesPerSample = 1
    private var mesh = BackgroundMesh()
    private var histograms: [UInt32] = []
    private var gather: [Float] = []
    private var background: [Float] = [], inverseScale: [Float] = [], values: [Float] = [], z: [Float] = []
    private var runs: [Run] = []

    public init(parameters: HotspotParameters, reference: Bool = false) {
        self.parameters = parameters
        self.reference = reference
    }

    /// Kept for symmetry with the other stages; the stage owns only arrays.
    public mutating func deallocate() {}

    /// Rows the ring must hold besides the band being decoded, for a frame `width` pixels wide.
    public func haloRows(width: Int) -> Int { 4 * ContrastStage.scaledCell(parameters.cellSize, width: width) }

    public mutating func begin(width: Int, height: Int, bytesPerSample: Int) {
        self.width = width
        self.height = height
        self.bytesPerSample = bytesPerSample
        mesh.begin(
            width: width, height: height, cell: ContrastStage.scaledCell(parameters.cellSize, width: width),
            floor: parameters.deviationFloor)
        if histograms.count < mesh.cellsX * 256 { histograms = [UInt32](repeating: 0, count: mesh.cellsX * 256) }
        for a in [\HotspotStage.background, \.inverseScale, \.values, \.z] {
            if self[keyPath: a].count < width { self[keyPath: a] = [Float](repeating: 0, count: width) }
        }
    }

    @inline(__always)
    private func sample(_ ring: RowRing, x: Int, y: Int) -> Float {
        let raw = ring.row(y)
        if bytesPerSample == 2 { return Float(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x])) }
        return Float(raw.assumingMemoryBound(to: UInt8.self)[x])
    }

    /// Takes note that rows `[0, decoded)` are in the ring: computes the statistics of every completed cell row.
    public mutating func rowsDecoded(_ decoded: Int, ring: RowRing) {
        while mesh.rawRows < mesh.cellsY && mesh.rows(ofCellRow: mesh.rawRows).upperBound <= decoded {
            cellRowStatistics(ring: ring)
            mesh.completeRawRow()
        }
    }

    private mutating func cellRowStatistics(ring: RowRing) {
        let rows = mesh.rows(ofCellRow: mesh.rawRows)
        let cellsX = mesh.cellsX, cell = mesh.cell
        if bytesPerSample == 1 && !reference {
            let w = width
            let counts = (0..<cellsX).map { mesh.columns(ofCell: $0).count * rows.count }
            var stats: [(Float, Float)] = []
            histograms.withUnsafeMutableBufferPointer { h in
                h.update(repeating: 0)
                for y in rows {
                    let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
                    if cell.nonzeroBitCount == 1 {
                        let shift = cell.trailingZeroBitCount
                        for x in 0..<w { h[(x &>> shift) &* 256 &+ Int(p[x])] &+= 1 }
                    } else {
                        for x in 0..<w { h[(x / cell) &* 256 &+ Int(p[x])] &+= 1 }
                    }
                }
                for i in 0..<cellsX {
                    stats.append(RobustKernels.medianMAD(histogram: h.baseAddress! + i * 256, count: counts[i]))
                }
            }
            for (i, s) in stats.enumerated() { mesh.setRaw(cell: i, median: s.0, mad: s.1) }
        } else {
            for i in 0..<cellsX {
                gather.removeAll(keepingCapacity: true)
                for y in rows { for x in mesh.columns(ofCell: i) { gather.append(sample(ring, x: x, y: y)) } }
                let (m, mad) = RobustKernels.medianMADReference(gather)
                mesh.setRaw(cell: i, median: m, mad: mad)
            }
        }
    }

    /// Whether row `y` can be scored now.
    public func canScore(row y: Int) -> Bool { mesh.canInterpolate(row: y) }

    /// Scores frame row `y` and passes its hot (and, if enabled, cold) runs at the lowest level to the labelers.
    public mutating func process(ring: RowRing, row y: Int, hot: inout RunLabeler, cold: inout RunLabeler) {
        var hots = [hot], colds = [cold]
        process(ring: ring, row: y, hot: &hots, cold: &colds, levels: [parameters.threshold])
        hot = hots[0]
        cold = colds[0]
    }

    /// Scores frame row `y` and passes its runs at each of `levels` (ascending) to the matching hot and cold
    /// labelers: nested blobs, so a person inside a larger warm patch still gets a box of its own.
    public mutating func process(
        ring: RowRing, row y: Int, hot: inout [RunLabeler], cold: inout [RunLabeler], levels: [Float]
    ) {
        precondition(canScore(row: y), "row \(y) scored before its background exists")
        if reference { scoreReference(ring: ring, row: y) } else { score(ring: ring, row: y) }
        for (i, level) in levels.enumerated() {
            runs.removeAll(keepingCapacity: true)
            z.withUnsafeBufferPointer { zp in
                if reference {
                    RunBuilder.runsReference(zp.baseAddress!, count: width, threshold: level, into: &runs)
                } else {
                    RunBuilder.runs(zp.baseAddress!, count: width, threshold: level, into: &runs)
                }
            }
            if runs.isEmpty { hot[i].addEmpty(row: y) } else { hot[i].add(row: y, runs: runs) }
        }
        if parameters.detectCold {
            for x in 0..<width { z[x] = -z[x] }
            for (i, level) in levels.enumerated() {
                runs.removeAll(keepingCapacity: true)
                z.withUnsafeBufferPointer { zp in
                    RunBuilder.runs(zp.baseAddress!, count: width, threshold: level, into: &runs)
                }
                if runs.isEmpty { cold[i].addEmpty(row: y) } else { cold[i].add(row: y, runs: runs) }
            }
            for x in 0..<width { z[x] = -z[x] }
        }
    }

    /// Interpolates the background along the row, then scores it (shaped for the vectoriser).
    private mutating func score(ring: RowRing, row y: Int) {
        let raw = ring.row(y)
        let w = width
        let wide = bytesPerSample == 2
        background.withUnsafeMutableBufferPointer { bg in
            inverseScale.withUnsafeMutableBufferPointer { inv in
                mesh.interpolate(row: y, background: bg.baseAddress!, inverseScale: inv.baseAddress!)
                values.withUnsafeMutableBufferPointer { v in
                    z.withUnsafeMutableBufferPointer { zp in
                        if wide {
                            let p = raw.assumingMemoryBound(to: UInt16.self)
                            for x in 0..<w { v[x] = Float(UInt16(littleEndian: p[x])) }
                        } else {
                            let p = raw.assumingMemoryBound(to: UInt8.self)
                            for x in 0..<w { v[x] = Float(p[x]) }
                        }
                        for x in 0..<w { zp[x] = (v[x] - bg[x]) * inv[x] }
                    }
                }
            }
        }
    }

    /// Reference: the full bilinear formula per pixel, straight from the mesh.
    private mutating func scoreReference(ring: RowRing, row y: Int) {
        for x in 0..<width {
            let (bg, s) = mesh.at(x: x, y: y)
            z[x] = (sample(ring, x: x, y: y) - bg) / s
        }
    }

    /// Background and scale at pixel (x, y) (the row must be scorable).
    public func background(x: Int, y: Int) -> (background: Float, scale: Float) { mesh.at(x: x, y: y) }

    /// The frame's typical level and noise: the medians of the cells' medians and scales.
    public func frameStatistics() -> (median: Float, scale: Float) { mesh.frameStatistics() }

    /// The z-scores of the last processed row (for tests).
    public func lastScores() -> [Float] { Array(z.prefix(width)) }

    /// The filtered mesh (median, scale) of cell (i, j), for tests.
    public func meshCell(_ i: Int, _ j: Int) -> (median: Float, scale: Float) { mesh.cellValue(i, j) }
}
