import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Feeds RGBX `pixels` whole to a contrast stage and returns its scores, row by row (binned rows).
func contrastScores(_ pixels: [UInt8], width: Int, height: Int, cell: Int, reference: Bool) -> (scores: [[Float]], stage: ContrastStage) {
    var p = ContrastParameters()
    p.cellSize = cell
    var stage = ContrastStage(parameters: p, reference: reference)
    let ring = RowRing()
    ring.reserve(rows: height, rowBytes: width * 4)
    for y in 0..<height {
        pixels.withUnsafeBytes { src in ring.row(y).copyMemory(from: src.baseAddress! + y * width * 4, byteCount: width * 4) }
    }
    stage.begin(width: width, height: height)
    stage.rowsDecoded(height, ring: ring)
    var labelers = [RunLabeler()]
    var out: [[Float]] = []
    for y in 0..<stage.height {
        stage.process(row: y, labelers: &labelers, levels: [1e9])
        out.append(stage.lastScores())
    }
    return (out, stage)
}

@Suite struct ContrastStageTests {
    static let cases: [(Int, Int, Int)] = [(1, 1, 4), (17, 9, 4), (64, 40, 8), (99, 71, 16), (33, 120, 6)]

    @Test(arguments: cases)
    func fastScoresMatchTheReference(width: Int, height: Int, cell: Int) {
        let pixels = seaFrame(width: width, height: height, seed: UInt64(width * 7 + height), targets: [])
        let fast = contrastScores(pixels, width: width, height: height, cell: cell, reference: false).scores
        let reference = contrastScores(pixels, width: width, height: height, cell: cell, reference: true).scores
        for y in 0..<height { for x in 0..<width {
            #expect(abs(fast[y][x] - reference[y][x]) <= 1e-3 * max(1, abs(reference[y][x])), "pixel \(x),\(y)")
        } }
    }

    @Test func aRedJacketOnGreyWaterStandsOut() {
        let (w, h) = (96, 64)
        let pixels = seaFrame(width: w, height: h, seed: 3, targets: [(40, 30, 2, 5, (200, 40, 30))])
        let z = contrastScores(pixels, width: w, height: h, cell: 16, reference: false).scores
        #expect(z[32][41] > 10)
        #expect(z[10][10] < 4)
    }

    @Test func wideFramesAreBinnedByPowersOfTwo() {
        #expect(ContrastStage.binning(width: 640) == 1)
        #expect(ContrastStage.binning(width: 999) == 1)
        #expect(ContrastStage.binning(width: 1000) == 2)
        #expect(ContrastStage.binning(width: 4000) == 8)
        #expect(ContrastStage.binning(width: 100_000) == 16)
    }

    @Test func binnedPixelsAreBlockMeansAndBlobsComeBackAtFullResolution() {
        // 1,100 px wide: binning 2; an odd width and height leave partial last blocks.
        let (w, h) = (1101, 7)
        var rng = SplitMix64(seed: 5)
        var pixels = [UInt8](repeating: 255, count: w * h * 4)
        for i in 0..<w * h { for c in 0..<3 { pixels[4 * i + c] = UInt8(rng.below(256)) } }
        let (_, stage) = contrastScores(pixels, width: w, height: h, cell: 16, reference: false)
        #expect(stage.binning == 2)
        #expect(stage.width == 551 && stage.height == 4)
        // Re-bin a few blocks by hand, partial ones included.
        let ring = RowRing()
        ring.reserve(rows: h, rowBytes: w * 4)
        for y in 0..<h { pixels.withUnsafeBytes { ring.row(y).copyMemory(from: $0.baseAddress! + y * w * 4, byteCount: w * 4) } }
        var p = ContrastParameters()
        p.cellSize = 16
        var s = ContrastStage(parameters: p)
        s.begin(width: w, height: h)
        s.rowsDecoded(h, ring: ring)
        for (bx, by) in [(0, 0), (100, 1), (550, 3), (550, 0), (7, 3)] {
            var sums = [0, 0, 0], n = 0
            for y in (by * 2)..<min(h, by * 2 + 2) { for x in (bx * 2)..<min(w, bx * 2 + 2) {
                for c in 0..<3 { sums[c] += Int(pixels[4 * (y * w + x) + c]) }
                n += 1
            } }
            let expected = sums.map { ($0 + n / 2) / n }
            let got = s.binnedPixel(x: bx, y: by)
            #expect(got == expected, "block \(bx),\(by)")
        }
        let blob = Blob(minX: 3, minY: 1, maxX: 550, maxY: 3, area: 10, scoreSum: 5, peak: 2, peakX: 550, peakY: 3)
        let full = stage.fullResolution(blob)
        #expect((full.minX, full.minY, full.maxX, full.maxY) == (6, 2, 1100, 6))
        #expect(full.area == 40 && full.peakX == 1100 && full.peakY == 6)
    }
}

extension ContrastStageTests {
    /// Binned rows from the fast binning and from its reference, as bytes.
    static func binnedRows(
        _ pixels: [UInt8], width: Int, height: Int, reference: Bool, avx2: Bool = false
    ) -> (rows: [[Int]], binning: Int) {
        let ring = RowRing()
        ring.reserve(rows: height, rowBytes: width * 4)
        for y in 0..<height {
            pixels.withUnsafeBytes { ring.row(y).copyMemory(from: $0.baseAddress! + y * width * 4, byteCount: width * 4) }
        }
        var p = ContrastParameters()
        p.cellSize = 16
        var s = ContrastStage(parameters: p, reference: reference)
        s.avx2 = avx2
        defer { s.deallocate() }
        s.begin(width: width, height: height)
        s.rowsDecoded(height, ring: ring)
        var rows: [[Int]] = []
        for y in 0..<s.height { rows.append((0..<s.width).flatMap { s.binnedPixel(x: $0, y: y) }) }
        return (rows, s.binning)
    }

    /// Every binning (2, 4, 8, 16), whole and partial last blocks across and down, first and last rows and columns.
    @Test(arguments: [(1000, 1), (1001, 3), (1999, 2), (2000, 5), (2003, 4), (4000, 9), (4007, 8), (8000, 16), (8015, 17), (8191, 33)])
    func fastBinningMatchesTheReferenceBitForBit(width: Int, height: Int) {
        var rng = SplitMix64(seed: UInt64(width * 31 + height))
        let pixels = rng.bytes(width * height * 4)
        let fast = Self.binnedRows(pixels, width: width, height: height, reference: false)
        let reference = Self.binnedRows(pixels, width: width, height: height, reference: true)
        #expect(fast.binning == ContrastStage.binning(width: width))
        #expect(fast.rows.count == (height + fast.binning - 1) / fast.binning)
        #expect(fast.rows == reference.rows)
        if KernelMode.cpuHasAVX2 {
            #expect(Self.binnedRows(pixels, width: width, height: height, reference: false, avx2: true).rows == reference.rows)
        }
    }

    @Test func fastBinningOfWhiteAt16x16DoesNotOverflow() {
        let (w, h) = (8000, 16)
        let pixels = [UInt8](repeating: 255, count: w * h * 4)
        let fast = Self.binnedRows(pixels, width: w, height: h, reference: false)
        #expect(fast.binning == 16)
        #expect(fast.rows == Self.binnedRows(pixels, width: w, height: h, reference: true).rows)
        #expect(fast.rows[0].allSatisfy { $0 == 255 })
        if KernelMode.cpuHasAVX2 {
            #expect(Self.binnedRows(pixels, width: w, height: h, reference: false, avx2: true).rows == fast.rows)
        }
    }
}

@Suite struct BackgroundMeshTests {
    @Test(arguments: [(5, 3, 2), (40, 30, 8), (100, 17, 16)])
    func rowInterpolationMatchesTheBilinearFormula(width: Int, height: Int, cell: Int) {
        var mesh = BackgroundMesh()
        mesh.begin(width: width, height: height, cell: cell, floor: 0.5)
        var rng = SplitMix64(seed: UInt64(width))
        for _ in 0..<mesh.cellsY {
            for i in 0..<mesh.cellsX { mesh.setRaw(cell: i, median: Float(rng.below(200)), mad: Float(rng.below(20))) }
            mesh.completeRawRow()
        }
        var bg = [Float](repeating: 0, count: width), inv = [Float](repeating: 0, count: width)
        for y in 0..<height {
            #expect(mesh.canInterpolate(row: y))
            bg.withUnsafeMutableBufferPointer { b in inv.withUnsafeMutableBufferPointer { i in
                mesh.interpolate(row: y, background: b.baseAddress!, inverseScale: i.baseAddress!)
            } }
            for x in 0..<width {
                let (b, s) = mesh.at(x: x, y: y)
                #expect(abs(bg[x] - b) <= 1e-3 * max(1, abs(b)), "\(x),\(y)")
                #expect(abs(1 / inv[x] - s) <= 1e-3 * max(1, s), "\(x),\(y)")
                #expect(s >= 0.5)
            }
        }
    }
}

@Suite struct ColourMomentTests {
    @Test func moments_giveTheSameStatisticsAsConvertingEachPixel() {
        var rng = SplitMix64(seed: 8)
        let n = 300
        var px = [UInt32](repeating: 0, count: n)
        var ys: [Float] = [], cbs: [Float] = [], crs: [Float] = []
        for i in 0..<n {
            let r = UInt32(rng.below(256)), g = UInt32(rng.below(256)), b = UInt32(rng.below(256))
            px[i] = r | g << 8 | b << 16
            let (l, cb, cr) = ColourFeatures.ycc(Float(r), Float(g), Float(b))
            ys.append(l); cbs.append(cb); crs.append(cr)
        }
        var m = ColourFeatures.RGBMoments()
        px.withUnsafeBufferPointer { m.add($0.baseAddress!, from: 0, to: n, step: 1) }
        let s = m.ycc()
        func mean(_ v: [Float]) -> Float { v.reduce(0, +) / Float(v.count) }
        func variance(_ v: [Float]) -> Float { let u = mean(v); return v.reduce(0) { $0 + ($1 - u) * ($1 - u) } / Float(v.count) }
        #expect(abs(s.meanY - mean(ys)) < 1e-2 && abs(s.meanCb - mean(cbs)) < 1e-2 && abs(s.meanCr - mean(crs)) < 1e-2)
        #expect(abs(s.sdY - variance(ys).squareRoot()) < 1e-2)
        #expect(abs(s.sdChroma - (variance(cbs) + variance(crs)).squareRoot()) < 1e-2)
    }
}
