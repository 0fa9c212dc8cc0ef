import SpotterImaging
import SpotterKernelsAVX2

/// Centre–surround colour contrast over a frame streamed in bands: each pixel against a robust local background of
/// luma and chroma, score = √(z_Y² + z_Cb² + z_Cr²), each z = (value − background) / scale from a `BackgroundMesh`.
///
/// Colours are compared in Y-Cb-Cr (full-range BT.601, chroma centred on 0) and never as hue: on low-saturation
/// water, hue is noise, while the chroma vector of grey water stays near zero and a red jacket stands out in it. The
/// scales are the cells' own (robust) spread per channel, floored, so glittering surf with a wide spread needs a
/// bigger difference than calm water to score. Cell statistics come from a grid of about 16 × 16 pixels per cell.
/// The cell size is given for a 640-pixel-wide frame and scales with the frame's width. This is the "local" anomaly
/// the global RX misses: a person on a beach whose colours are common elsewhere in the frame.
///
/// Wide frames are binned first (`binning`: 2 × 2 blocks from 1,000 px wide, 4 × 4 from 2,000, 8 × 8 from 4,000): the
/// stage looks for anomalies a few pixels across in a frame 500–1,000 px wide, where a person of a survey frame
/// (20 px and more at full resolution) still spans a few pixels, at a small fraction of the cost. Global RX always runs at full
/// resolution. Blobs are reported in full-resolution pixels.
///
/// - Complexity: O(pixels) per frame; memory O(width + mesh), reused across frames.
public struct ContrastStage {
    public var parameters: ContrastParameters
    public var reference: Bool
    /// Bin with the x86-64-v3 build of the column sums (same sums; `KernelMode.avx2`).
    public var avx2 = KernelMode.avx2
    /// Binned frame size (the stage works on it) and the binning factor.
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var binning = 1
    private var fullWidth = 0, fullHeight = 0
    /// Binned RGBX rows, produced as full-resolution rows are decoded.
    private let binned = RowRing()
    public private(set) var binnedRows = 0
    private var binSums: [UInt32] = []
    /// Per full-resolution column of a block row: R and B sums (16-bit halves), then G sums (`binFast`).
    private var binColumns: [UInt32] = []
    private var meshes = [BackgroundMesh(), BackgroundMesh(), BackgroundMesh()]
    private var histograms: [UInt32] = []
    /// Ten rows of scratch: Y, Cb, Cr, their three backgrounds, their three inverse scales, and the score.
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchWidth = 0
    private var runs: [Run] = []
    /// Cell statistics sample every `sampleStep`-th pixel of every `sampleStep`-th row (about 16 × 16 per cell).
    private var sampleStep = 2

    private func row(_ k: Int) -> UnsafeMutablePointer<Float> { scratch + k * scratchWidth }
    private var score: UnsafeMutablePointer<Float> { row(9) }

    public init(parameters: ContrastParameters, reference: Bool = false) {
        self.parameters = parameters
        self.reference = reference
        scratch = .allocate(capacity: 10)
        scratchWidth = 1
    }

    /// Frees the scratch rows. Call once when the stage is no longer used.
    public mutating func deallocate() {
        scratch.deallocate()
        scratchWidth = 0
    }

    /// Full-resolution rows the frame's ring must keep besides the band being decoded (for the features of blobs
    /// reported after the stage's look-ahead), for a frame `width` pixels wide.
    public func haloRows(width: Int) -> Int {
        let b = Self.binning(width: width)
        return 4 * Self.scaledCell(parameters.cellSize, width: (width + b - 1) / b) * b
    }

    /// 1 below 1,000 px, 2 from 1,000, 4 from 2,000, 8 from 4,000, at most 16 (the binned width stays 500–1,000).
    static func binning(width: Int) -> Int {
        var b = 1
        while width / (2 * b) >= 500 && b < 16 { b *= 2 }
        return b
    }

    /// The cell size is set for a 640-pixel-wide frame; wider frames (which see people larger) scale it.
    static func scaledCell(_ cell: Int, width: Int) -> Int {
        max(4, Int((Double(cell) * max(1, Double(width) / 640)).rounded()))
    }

    public mutating func begin(width fullWidth: Int, height fullHeight: Int) {
        self.fullWidth = fullWidth
        self.fullHeight = fullHeight
        binning = Self.binning(width: fullWidth)
        width = (fullWidth + binning - 1) / binning
        height = (fullHeight + binning - 1) / binning
        binnedRows = 0
        let cell = Self.scaledCell(parameters.cellSize, width: width)
        binned.reserve(rows: 5 * cell + 2, rowBytes: width * 4)
        sampleStep = max(2, cell / 16)
        meshes[0].begin(width: width, height: height, cell: cell, floor: parameters.lumaFloor)
        meshes[1].begin(width: width, height: height, cell: cell, floor: parameters.chromaFloor)
        meshes[2].begin(width: width, height: height, cell: cell, floor: parameters.chromaFloor)
        let cellsX = meshes[0].cellsX
        if histograms.count < 3 * cellsX * 256 { histograms = [UInt32](repeating: 0, count: 3 * cellsX * 256) }
        // (Cleared after each cell row; a frame abandoned half-way may leave counts behind, so clear here too.)
        histograms.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        if width > scratchWidth {
            scratch.deallocate()
            scratch = .allocate(capacity: 10 * width)
            scratchWidth = width
        }
    }

    /// Y, Cb + 128, Cr + 128 of an RGB pixel, rounded to bytes (for the cell histograms).
    @inline(__always)
    static func yccBytes(_ r: Int32, _ g: Int32, _ b: Int32) -> (Int, Int, Int) {
        let y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16
        let cb = ((-11059 * r - 21709 * g + 32768 * b + 32768) >> 16) + 128
        let cr = ((32768 * r - 27439 * g - 5329 * b + 32768) >> 16) + 128
        return (Int(min(255, max(0, y))), Int(min(255, max(0, cb))), Int(min(255, max(0, cr))))
    }

    /// Takes note that full-resolution rows `[0, decoded)` are in `ring`: bins every completed block row and computes
    /// the statistics of every completed cell row.
    public mutating func rowsDecoded(_ decoded: Int, ring: RowRing) {
        let b = binning
        while binnedRows < height && (min(fullHeight, (binnedRows + 1) * b) <= decoded) {
            bin(row: binnedRows, from: ring)
            binnedRows += 1
        }
        while meshes[0].rawRows < meshes[0].cellsY && meshes[0].rows(ofCellRow: meshes[0].rawRows).upperBound <= binnedRows {
            cellRowStatistics(ring: binned)
            for c in 0..<3 { meshes[c].completeRawRow() }
        }
    }

    /// Binned row `j`: the mean colour of each b × b block (clipped at the frame's edges).
    private mutating func bin(row j: Int, from ring: RowRing) {
        let out = binned.row(j).assumingMemoryBound(to: UInt32.self)
        if binning == 1 {
            out.update(from: ring.row(j).assumingMemoryBound(to: UInt32.self), count: width)
        } else if reference {
            binReference(row: j, from: ring, into: out)
        } else {
            binFast(row: j, from: ring, into: out)
        }
    }

    /// `bin` summing each full-resolution column down the block's rows first (one vectorised pass per row), then
    /// each block's b column sums: the same integer sums as `binReference`, so the same bytes.
    private mutating func binFast(row j: Int, from ring: RowRing, into out: UnsafeMutablePointer<UInt32>) {
        let b = binning, w = width, fw = fullWidth
        let y0 = j * b, y1 = min(fullHeight, y0 + b)
        if binColumns.count < 2 * fw { binColumns = [UInt32](repeating: 0, count: 2 * fw) }
        binColumns.withUnsafeMutableBufferPointer { columns in
            let rb = columns.baseAddress!, g = columns.baseAddress! + fw
            for y in y0..<y1 {
                let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt32.self))
                if avx2 {
                    ContrastKernelsAVX2.columnSums(p, count: fw, redBlue: rb, green: g, first: y == y0)
                } else {
                    RGBContrastKernels.columnSums(p, count: fw, redBlue: rb, green: g, first: y == y0)
                }
            }
            let whole = fw / b, rows = y1 - y0
            switch b {
            case 2: Self.packBlocks(SIMD2<UInt32>.self, redBlue: rb, green: g, blocks: whole, rows: rows, into: out)
            case 4: Self.packBlocks(SIMD4<UInt32>.self, redBlue: rb, green: g, blocks: whole, rows: rows, into: out)
            case 8: Self.packBlocks(SIMD8<UInt32>.self, redBlue: rb, green: g, blocks: whole, rows: rows, into: out)
            case 16: Self.packBlocks(SIMD16<UInt32>.self, redBlue: rb, green: g, blocks: whole, rows: rows, into: out)
            default: preconditionFailure("binning \(b) is not 2, 4, 8 or 16")
            }
            for x in whole..<w {  // the last, partial block
                let c0 = x * b, c1 = fw
                var srb: UInt32 = 0, sg: UInt32 = 0
                for c in c0..<c1 {
                    srb &+= rb[c]
                    sg &+= g[c]
                }
                out[x] = Self.blockMean(redBlue: srb, green: sg, pixels: UInt32(rows * (c1 - c0)))
            }
        }
    }

    /// The rounded mean RGBX of a block from its sums (R and B in 16-bit halves).
    @inline(__always)
    static func blockMean(redBlue srb: UInt32, green sg: UInt32, pixels n: UInt32) -> UInt32 {
        let half = n / 2
        let r = ((srb & 0xFFFF) + half) / n, bl = ((srb &>> 16) + half) / n, gg = (sg + half) / n
        return UInt32(littleEndian: r | gg << 8 | bl << 16 | 0xFF00_0000)
    }

    /// Binned pixels of `blocks` whole blocks of `V.scalarCount` columns from their column sums. A block of a full
    /// block row has a power-of-two pixel count, so its rounding division is a shift (the same quotient).
    @inline(__always)
    static func packBlocks<V: SIMD>(
        _: V.Type, redBlue rb: UnsafePointer<UInt32>, green g: UnsafePointer<UInt32>, blocks: Int, rows: Int,
        into out: UnsafeMutablePointer<UInt32>
    ) where V.Scalar == UInt32 {
        let b = V.scalarCount
        let n = UInt32(rows * b)
        let rbRaw = UnsafeRawPointer(rb), gRaw = UnsafeRawPointer(g)
        if n.nonzeroBitCount == 1 {
            let shift = UInt32(n.trailingZeroBitCount), half = n / 2
            for x in 0..<blocks {
                let o = x &* b &* 4
                let srb = rbRaw.loadUnaligned(fromByteOffset: o, as: V.self).wrappedSum()
                let sg = gRaw.loadUnaligned(fromByteOffset: o, as: V.self).wrappedSum()
                let r = ((srb & 0xFFFF) &+ half) &>> shift, bl = ((srb &>> 16) &+ half) &>> shift
                let gg = (sg &+ half) &>> shift
                out[x] = UInt32(littleEndian: r | gg &<< 8 | bl &<< 16 | 0xFF00_0000)
            }
        } else {
            for x in 0..<blocks {
                let o = x &* b &* 4
                let srb = rbRaw.loadUnaligned(fromByteOffset: o, as: V.self).wrappedSum()
                let sg = gRaw.loadUnaligned(fromByteOffset: o, as: V.self).wrappedSum()
                out[x] = blockMean(redBlue: srb, green: sg, pixels: n)
            }
        }
    }

    /// Reference for `bin` (b > 1): each block's pixels summed block by block, row by row.
    private mutating func binReference(row j: Int, from ring: RowRing, into out: UnsafeMutablePointer<UInt32>) {
        let b = binning, w = width, fw = fullWidth
        let y0 = j * b, y1 = min(fullHeight, y0 + b)
        let whole = fw / b  // binned columns made of b full columns
        // Red and blue travel together in 16-bit halves of one 32-bit sum (at most 8 × 8 × 255 < 2¹⁶ per half).
        binSums.removeAll(keepingCapacity: true)
        binSums.append(contentsOf: repeatElement(0, count: 2 * w))
        binSums.withUnsafeMutableBufferPointer { sums in
            let rb = sums.baseAddress!, g = sums.baseAddress! + w
            for y in y0..<y1 {
                let p = ring.row(y).assumingMemoryBound(to: UInt32.self)
                for x in 0..<whole {
                    var srb: UInt32 = 0, sg: UInt32 = 0
                    for k in 0..<b {
                        let v = UInt32(littleEndian: p[x &* b &+ k])
                        srb &+= v & 0x00FF_00FF
                        sg &+= (v &>> 8) & 0xFF
                    }
                    rb[x] &+= srb
                    g[x] &+= sg
                }
                if whole < w {  // the last, partial block
                    for xx in whole * b..<fw {
                        let v = UInt32(littleEndian: p[xx])
                        rb[whole] &+= v & 0x00FF_00FF
                        g[whole] &+= (v &>> 8) & 0xFF
                    }
                }
            }
            for x in 0..<w {
                let n = UInt32((y1 - y0) * (min(fw, (x + 1) * b) - x * b)), half = n / 2
                let r = ((rb[x] & 0xFFFF) + half) / n, bl = ((rb[x] &>> 16) + half) / n, gg = (g[x] + half) / n
                out[x] = UInt32(littleEndian: r | gg << 8 | bl << 16 | 0xFF00_0000)
            }
        }
    }

    private mutating func cellRowStatistics(ring: RowRing) {
        let mesh = meshes[0]
        let rows = mesh.rows(ofCellRow: mesh.rawRows)
        let cellsX = mesh.cellsX, cell = mesh.cell, w = width, step = sampleStep
        let plane = cellsX * 256
        var stats: [[(Float, Float)]] = [[], [], []]
        var counts = [Int](repeating: 0, count: cellsX)
        histograms.withUnsafeMutableBufferPointer { h in
            // The histograms are all zero here: they are cleared after use, below.
            for y in stride(from: rows.lowerBound, to: rows.upperBound, by: step) {
                let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
                for x in stride(from: 0, to: w, by: step) {
                    let (l, cb, cr) = Self.yccBytes(Int32(p[4 * x]), Int32(p[4 * x + 1]), Int32(p[4 * x + 2]))
                    let i = x / cell
                    h[i * 256 + l] += 1
                    h[plane + i * 256 + cb] += 1
                    h[2 * plane + i * 256 + cr] += 1
                    counts[i] += 1
                }
            }
            for c in 0..<3 {
                for i in 0..<cellsX {
                    stats[c].append(RobustKernels.medianMAD(histogram: h.baseAddress! + c * plane + i * 256, count: counts[i]))
                }
            }
            // Clear the cell row's histograms (one memset: cheaper than converting every sample again).
            UnsafeMutableBufferPointer(rebasing: h[0..<3 * plane]).update(repeating: 0)
        }
        for c in 0..<3 {
            let offset: Float = c == 0 ? 0 : 128
            for (i, s) in stats[c].enumerated() { meshes[c].setRaw(cell: i, median: s.0 - offset, mad: s.1) }
        }
    }

    /// Whether row `y` can be scored now.
    public func canScore(row y: Int) -> Bool { meshes[0].canInterpolate(row: y) }

    /// Scores binned row `y` and passes its runs at each of `levels` (ascending), in binned pixels, to the labelers.
    public mutating func process(row y: Int, labelers: inout [RunLabeler], levels: [Float]) {
        precondition(canScore(row: y), "row \(y) scored before its background exists")
        if reference { scoreReference(ring: binned, row: y) } else { scoreFast(ring: binned, row: y) }
        for (i, level) in levels.enumerated() {
            runs.removeAll(keepingCapacity: true)
            if reference {
                RunBuilder.runsReference(score, count: width, threshold: level, into: &runs)
            } else {
                RunBuilder.runs(score, count: width, threshold: level, into: &runs, avx2: avx2)
            }
            if runs.isEmpty { labelers[i].addEmpty(row: y) } else { labelers[i].add(row: y, runs: runs) }
        }
    }

    private mutating func scoreFast(ring: RowRing, row y: Int) {
        for c in 0..<3 { meshes[c].interpolate(row: y, background: row(3 + c), inverseScale: row(6 + c)) }
        RGBContrastKernels.score(
            UnsafeRawPointer(ring.row(y)).assumingMemoryBound(to: UInt32.self), count: width,
            luma: row(0), cb: row(1), cr: row(2), backgrounds: (row(3), row(4), row(5)),
            inverseScales: (row(6), row(7), row(8)), into: score)
    }

    /// Reference: per pixel, straight from the definition and the meshes' bilinear formula.
    private mutating func scoreReference(ring: RowRing, row y: Int) {
        let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
        for x in 0..<width {
            let (l, cb, cr) = ColourFeatures.ycc(Float(p[4 * x]), Float(p[4 * x + 1]), Float(p[4 * x + 2]))
            var sum: Float = 0
            for (c, v) in [l, cb, cr].enumerated() {
                let (bg, s) = meshes[c].at(x: x, y: y)
                sum += ((v - bg) / s) * ((v - bg) / s)
            }
            score[x] = sum.squareRoot()
        }
    }

    /// The z-scores of the last processed row (for tests).
    public func lastScores() -> [Float] { Array(UnsafeBufferPointer(start: score, count: width)) }

    /// The R, G, B of binned pixel (x, y) (for tests).
    func binnedPixel(x: Int, y: Int) -> [Int] {
        let v = UInt32(littleEndian: binned.row(y).assumingMemoryBound(to: UInt32.self)[x])
        return [Int(v & 0xFF), Int((v >> 8) & 0xFF), Int((v >> 16) & 0xFF)]
    }

    /// A blob found in binned pixels, in full-resolution pixels (its box covers the blocks; peak at a block's centre).
    public func fullResolution(_ b: Blob) -> Blob {
        let k = binning
        guard k > 1 else { return b }
        return Blob(
            minX: b.minX * k, minY: b.minY * k, maxX: min(fullWidth - 1, b.maxX * k + k - 1),
            maxY: min(fullHeight - 1, b.maxY * k + k - 1), area: b.area * k * k, scoreSum: b.scoreSum * Double(k * k),
            peak: b.peak, peakX: min(fullWidth - 1, b.peakX * k + k / 2), peakY: min(fullHeight - 1, b.peakY * k + k / 2))
    }
}

/// The per-pixel part of the contrast stage, kept out of line so its loops vectorise.
enum RGBContrastKernels {
    /// Adds (or with `first`, stores) each RGBX pixel's R and B (in the 16-bit halves of one word: at most 16 rows of
    /// 255 each) and its G to per-column sums.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    static func columnSums(
        _ q: UnsafePointer<UInt32>, count: Int, redBlue rb: UnsafeMutablePointer<UInt32>, green g: UnsafeMutablePointer<UInt32>,
        first: Bool
    ) {
        if first {
            for x in 0..<count {
                let v = UInt32(littleEndian: q[x])
                rb[x] = v & 0x00FF_00FF
                g[x] = (v &>> 8) & 0xFF
            }
        } else {
            for x in 0..<count {
                let v = UInt32(littleEndian: q[x])
                rb[x] &+= v & 0x00FF_00FF
                g[x] &+= (v &>> 8) & 0xFF
            }
        }
    }

    /// Converts `count` RGBX pixels to Y, Cb, Cr planes and writes √(Σ ((value − background) · inverse scale)²).
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    static func score(
        _ q: UnsafePointer<UInt32>, count: Int, luma l: UnsafeMutablePointer<Float>, cb: UnsafeMutablePointer<Float>,
        cr: UnsafeMutablePointer<Float>,
        backgrounds b: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
        inverseScales i: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
        into s: UnsafeMutablePointer<Float>
    ) {
        for x in 0..<count {
            let v = UInt32(littleEndian: q[x])
            let r = Float(Int32(bitPattern: v & 0xFF)), g = Float(Int32(bitPattern: (v &>> 8) & 0xFF))
            let bl = Float(Int32(bitPattern: (v &>> 16) & 0xFF))
            l[x] = 0.299 * r + 0.587 * g + 0.114 * bl
            cb[x] = -0.168736 * r - 0.331264 * g + 0.5 * bl
            cr[x] = 0.5 * r - 0.418688 * g - 0.081312 * bl
        }
        for x in 0..<count {
            let zl = (l[x] - b.0[x]) * i.0[x], zb = (cb[x] - b.1[x]) * i.1[x], zr = (cr[x] - b.2[x]) * i.2[x]
            s[x] = (zl * zl + zb * zb + zr * zr).squareRoot()
        }
    }
}
