import SpotterImaging

/// Thermal hotspots over a frame streamed in bands: each pixel against its local background,
/// z = (value − local mean) / max(local deviation, floor), over a (2r+1)² window clamped to the frame.
///
/// Column sums of values and squares over the window's rows are kept up to date as the window slides down
/// (one row added, one removed), and prefix sums along the row give each window's totals, so the cost per pixel
/// does not depend on the window size. Sums are exact (Double over integer samples).
///
/// - Complexity: O(pixels) per frame; memory O(width). Needs `radius + 1` rows above and `radius` rows below the
///   row it scores to be in the ring.
public struct HotspotStage {
    public var parameters: HotspotParameters
    public var reference: Bool
    private(set) var width = 0
    private(set) var height = 0
    private var bytesPerSample = 1
    private var colSum: UnsafeMutablePointer<Double>
    private var colSq: UnsafeMutablePointer<Double>
    private var prefixSum: UnsafeMutablePointer<Double>
    private var prefixSq: UnsafeMutablePointer<Double>
    private var values: UnsafeMutablePointer<Float>
    private var z: UnsafeMutablePointer<Float>
    private var capacity = 0
    private var top = 0
    private var bottom = -1
    private var runs: [Run] = []

    public init(parameters: HotspotParameters, reference: Bool = false) {
        self.parameters = parameters
        self.reference = reference
        colSum = .allocate(capacity: 1)
        colSq = .allocate(capacity: 1)
        prefixSum = .allocate(capacity: 2)
        prefixSq = .allocate(capacity: 2)
        values = .allocate(capacity: 1)
        z = .allocate(capacity: 1)
        capacity = 1
    }

    public mutating func deallocate() {
        colSum.deallocate(); colSq.deallocate(); prefixSum.deallocate(); prefixSq.deallocate()
        values.deallocate(); z.deallocate()
        capacity = 0
    }

    /// Rows the ring must hold besides the band being decoded.
    public var haloRows: Int { 2 * parameters.radius + 2 }
    public var radius: Int { parameters.radius }

    public mutating func begin(width: Int, height: Int, bytesPerSample: Int) {
        if width > capacity {
            deallocate()
            colSum = .allocate(capacity: width)
            colSq = .allocate(capacity: width)
            prefixSum = .allocate(capacity: width + 1)
            prefixSq = .allocate(capacity: width + 1)
            values = .allocate(capacity: width)
            z = .allocate(capacity: width)
            capacity = width
        }
        self.width = width
        self.height = height
        self.bytesPerSample = bytesPerSample
        colSum.update(repeating: 0, count: width)
        colSq.update(repeating: 0, count: width)
        top = 0
        bottom = -1
    }

    @inline(__always)
    private func load(_ ring: RowRing, row y: Int, into out: UnsafeMutablePointer<Float>) {
        let raw = ring.row(y)
        if bytesPerSample == 2 {
            let p = raw.assumingMemoryBound(to: UInt16.self)
            for x in 0..<width { out[x] = Float(UInt16(littleEndian: p[x])) }
        } else {
            let p = raw.assumingMemoryBound(to: UInt8.self)
            for x in 0..<width { out[x] = Float(p[x]) }
        }
    }

    /// Scores frame row `y` and passes its hot (and, if enabled, cold) runs to the labelers.
    public mutating func process(ring: RowRing, row y: Int, hot: inout RunLabeler, cold: inout RunLabeler) {
        if reference {
            scoreReference(ring: ring, row: y)
        } else {
            score(ring: ring, row: y)
        }
        runs.removeAll(keepingCapacity: true)
        if reference {
            RunBuilder.runsReference(z, count: width, threshold: parameters.threshold, into: &runs)
        } else {
            RunBuilder.runs(z, count: width, threshold: parameters.threshold, into: &runs)
        }
        if !runs.isEmpty { hot.add(row: y, runs: runs) }
        if parameters.detectCold {
            for x in 0..<width { z[x] = -z[x] }
            runs.removeAll(keepingCapacity: true)
            RunBuilder.runs(z, count: width, threshold: parameters.threshold, into: &runs)
            if !runs.isEmpty { cold.add(row: y, runs: runs) }
        }
    }

    /// Running-sum version: slide the window's rows, prefix-sum the columns, score the row.
    private mutating func score(ring: RowRing, row y: Int) {
        let r = parameters.radius
        let newTop = max(0, y - r), newBottom = min(height - 1, y + r)
        while bottom < newBottom {
            bottom += 1
            load(ring, row: bottom, into: values)
            for x in 0..<width {
                let v = Double(values[x])
                colSum[x] += v
                colSq[x] += v * v
            }
        }
        while top < newTop {
            load(ring, row: top, into: values)
            for x in 0..<width {
                let v = Double(values[x])
                colSum[x] -= v
                colSq[x] -= v * v
            }
            top += 1
        }
        prefixSum[0] = 0
        prefixSq[0] = 0
        for x in 0..<width {
            prefixSum[x + 1] = prefixSum[x] + colSum[x]
            prefixSq[x + 1] = prefixSq[x] + colSq[x]
        }
        load(ring, row: y, into: values)
        let rows = Double(newBottom - newTop + 1)
        let floor = Double(parameters.deviationFloor)
        // Edges, where the window is clipped by the frame.
        let interiorStart = min(r, width), interiorEnd = max(interiorStart, width - r - 1)
        for x in 0..<interiorStart { scoreEdge(x: x, rows: rows, floor: floor) }
        for x in interiorEnd..<width { scoreEdge(x: x, rows: rows, floor: floor) }
        // Interior: constant window size, shaped for the vectoriser.
        let count = rows * Double(2 * r + 1)
        let inverse = 1 / count
        for x in interiorStart..<interiorEnd {
            let s = prefixSum[x + r + 1] - prefixSum[x - r]
            let q = prefixSq[x + r + 1] - prefixSq[x - r]
            let mean = s * inverse
            let variance = max(q * inverse - mean * mean, 0)
            let deviation = max(variance.squareRoot(), floor)
            z[x] = Float((Double(values[x]) - mean) / deviation)
        }
    }

    @inline(__always)
    private func scoreEdge(x: Int, rows: Double, floor: Double) {
        let r = parameters.radius
        let lo = max(0, x - r), hi = min(width, x + r + 1)
        let count = rows * Double(hi - lo)
        let s = prefixSum[hi] - prefixSum[lo]
        let q = prefixSq[hi] - prefixSq[lo]
        let mean = s / count
        let variance = max(q / count - mean * mean, 0)
        let deviation = max(variance.squareRoot(), floor)
        z[x] = Float((Double(values[x]) - mean) / deviation)
    }

    /// Reference: every window summed directly from the ring, O(r²) per pixel.
    private mutating func scoreReference(ring: RowRing, row y: Int) {
        let r = parameters.radius
        let y0 = max(0, y - r), y1 = min(height - 1, y + r)
        let floor = Double(parameters.deviationFloor)
        for x in 0..<width {
            let x0 = max(0, x - r), x1 = min(width - 1, x + r)
            var s = 0.0, q = 0.0, n = 0.0
            for yy in y0...y1 {
                for xx in x0...x1 {
                    let v = sample(ring, x: xx, y: yy)
                    s += v
                    q += v * v
                    n += 1
                }
            }
            let mean = s / n
            let deviation = max(max(q / n - mean * mean, 0).squareRoot(), floor)
            z[x] = Float((sample(ring, x: x, y: y) - mean) / deviation)
        }
    }

    private func sample(_ ring: RowRing, x: Int, y: Int) -> Double {
        let raw = ring.row(y)
        if bytesPerSample == 2 { return Double(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x])) }
        return Double(raw.assumingMemoryBound(to: UInt8.self)[x])
    }

    /// The z-scores of the last processed row (for tests).
    public func lastScores() -> [Float] { Array(UnsafeBufferPointer(start: z, count: width)) }
}
