import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// An RGBX frame: a smooth sea-like background with seeded noise, plus the given small colour targets.
func seaFrame(width: Int, height: Int, seed: UInt64, targets: [(x: Int, y: Int, w: Int, h: Int, rgb: (UInt8, UInt8, UInt8))]) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var px = [UInt8](repeating: 255, count: width * height * 4)
    for y in 0..<height {
        for x in 0..<width {
            let i = 4 * (y * width + x)
            let wave = (x * 7 + y * 3) % 23
            px[i] = UInt8(20 + wave / 3 + rng.below(6))
            px[i + 1] = UInt8(70 + wave / 2 + rng.below(8))
            px[i + 2] = UInt8(110 + wave + rng.below(10))
        }
    }
    for t in targets {
        for y in t.y..<t.y + t.h { for x in t.x..<t.x + t.w {
            let i = 4 * (y * width + x)
            px[i] = t.rgb.0; px[i + 1] = t.rgb.1; px[i + 2] = t.rgb.2
        } }
    }
    return px
}

/// Runs the RX stage over `pixels` in bands through a ring smaller than the frame; returns the candidate blobs
/// (at the stage's permissive threshold) and the whole frame's model.
func streamRX(_ pixels: [UInt8], width: Int, height: Int, band: Int, parameters: RXParameters, reference: Bool = false)
    -> (blobs: [Blob], model: RXModel?)
{
    let ring = RowRing()
    ring.reserve(rows: band, rowBytes: width * 4)
    var stage = RXGlobalStage(parameters: parameters, reference: reference)
    defer { stage.deallocate() }
    stage.begin(width: width, height: height)
    var labeler = RunLabeler(maxBlobs: 100_000)
    var y = 0
    while y < height {
        let n = min(band, height - y)
        for r in y..<y + n {
            pixels.withUnsafeBytes { src in ring.row(r).copyMemory(from: src.baseAddress! + r * width * 4, byteCount: width * 4) }
        }
        stage.consume(ring: ring, rows: y, y + n, width: width, into: &labeler)
        y += n
    }
    return (labeler.finish(), stage.finalModel)
}

/// Pixels whose squared distance under `model` is at least `threshold`.
func exactAnomalies(_ pixels: [UInt8], width: Int, height: Int, model: RXModel, threshold: Float) -> [(x: Int, y: Int)] {
    var out: [(x: Int, y: Int)] = []
    for y in 0..<height { for x in 0..<width {
        let i = 4 * (y * width + x)
        if model.distance(pixels[i], pixels[i + 1], pixels[i + 2]) >= threshold { out.append((x, y)) }
    } }
    return out
}

@Suite struct RXStageTests {
    static let targets: [(x: Int, y: Int, w: Int, h: Int, rgb: (UInt8, UInt8, UInt8))] = [
        (10, 5, 2, 4, (200, 40, 30)),    // red jacket, top rows (scored before the statistics are complete)
        (60, 30, 3, 6, (230, 200, 40)),  // yellow
        (95, 58, 2, 3, (250, 250, 250)), // white, touching the right and bottom edges
    ]

    @Test(arguments: [1, 7, 16, 64])
    func candidatesCoverEveryPixelThatIsAnomalousForTheWholeFrame(band: Int) throws {
        let (w, h) = (97, 61)
        let pixels = seaFrame(width: w, height: h, seed: 42, targets: Self.targets)
        let streamed = streamRX(pixels, width: w, height: h, band: band, parameters: RXParameters())
        let model = try #require(streamed.model)
        // Everything global RX would report at 30 (against the final statistics) is inside a candidate found at 16
        // against the running statistics.
        let anomalies = exactAnomalies(pixels, width: w, height: h, model: model, threshold: 30)
        #expect(anomalies.count >= 6 + 18 + 6)
        for a in anomalies {
            #expect(streamed.blobs.contains { $0.minX <= a.x && a.x <= $0.maxX && $0.minY <= a.y && a.y <= $0.maxY }, "pixel \(a)")
        }
    }

    @Test func referenceKernelsGiveTheSameBlobs() {
        let (w, h) = (50, 40)
        let pixels = seaFrame(width: w, height: h, seed: 7, targets: [(20, 20, 2, 5, (220, 30, 30))])
        let fast = streamRX(pixels, width: w, height: h, band: 8, parameters: RXParameters())
        let reference = streamRX(pixels, width: w, height: h, band: 8, parameters: RXParameters(), reference: true)
        #expect(canonical(fast.blobs).count == canonical(reference.blobs).count)
        #expect(!fast.blobs.isEmpty)
        for (a, b) in zip(fast.blobs, reference.blobs) {
            #expect((a.minX, a.minY, a.maxX, a.maxY, a.area) == (b.minX, b.minY, b.maxX, b.maxY, b.area))
            #expect(abs(a.peak - b.peak) <= 1e-3 + 1e-4 * b.peak)
        }
    }

    @Test func statisticsFromEveryEighthRowStayCloseToAllRows() throws {
        // A sea with a slow gradient and noise, no periodic pattern (which every-8th-row sampling would alias).
        let (w, h) = (120, 600)
        var rng = SplitMix64(seed: 9)
        var pixels = [UInt8](repeating: 255, count: w * h * 4)
        for y in 0..<h { for x in 0..<w {
            let i = 4 * (y * w + x)
            pixels[i] = UInt8(20 + y / 40 + rng.below(9)); pixels[i + 1] = UInt8(70 + x / 12 + rng.below(11))
            pixels[i + 2] = UInt8(110 + (x + y) / 30 + rng.below(13))
        } }
        var all = RXParameters()
        all.statisticsRowStep = 1
        let every8 = try #require(streamRX(pixels, width: w, height: h, band: 16, parameters: RXParameters()).model)
        let every1 = try #require(streamRX(pixels, width: w, height: h, band: 16, parameters: all).model)
        for t in Self.targets {
            let (a, b) = (every8.distance(t.rgb.0, t.rgb.1, t.rgb.2), every1.distance(t.rgb.0, t.rgb.1, t.rgb.2))
            #expect(abs(a - b) <= 0.05 * b, "\(t.rgb): \(a) vs \(b)")
        }
    }
}

@Suite struct CandidateTrackerTests {
    func blob(_ y: Int, peak: Float) -> Blob {
        Blob(minX: 0, minY: y, maxX: 2, maxY: y + 2, area: 9, scoreSum: 9, peak: peak, peakX: 1, peakY: y + 1)
    }

    @Test func waitsForTheRowsBelowThenMeasures() {
        var t = CandidateTracker(limit: 10)
        t.add([blob(10, peak: 5)], kind: .rx)
        var made = 0
        t.process(decoded: 14, height: 100, firstRowKept: 0, margin: 4) { b, k in made += 1; return Candidate(kind: k, blob: b, features: []) }
        #expect(made == 0, "rows 13…16 are needed, 14 decoded")
        t.process(decoded: 17, height: 100, firstRowKept: 0, margin: 4) { b, k in made += 1; return Candidate(kind: k, blob: b, features: []) }
        #expect(made == 1)
    }

    @Test func measuresEarlyWhenItsRowsAreAboutToLeaveTheRing() {
        var t = CandidateTracker(limit: 10)
        t.add([blob(10, peak: 5)], kind: .rx)
        var made = 0
        t.process(decoded: 14, height: 100, firstRowKept: 7, margin: 4) { b, k in made += 1; return Candidate(kind: k, blob: b, features: []) }
        #expect(made == 1)
    }

    @Test func keepsTheStrongest() {
        var t = CandidateTracker(limit: 3)
        t.add((0..<10).map { blob($0 * 5, peak: Float($0)) }, kind: .hotspot)
        t.process(decoded: 100, height: 100, firstRowKept: 0, margin: 4) { b, k in Candidate(kind: k, blob: b, features: []) }
        let kept = t.finish()
        #expect(kept.map(\.blob.peak) == [9, 8, 7])
        #expect(t.dropped == 7)
    }
}

/// A gray frame as ring rows (8- or 16-bit), fed whole to the hotspot stage, scored row by row.
func hotspotScores(_ image: Image, cellSize: Int, reference: Bool) -> [[Float]] {
    var p = HotspotParameters()
    p.cellSize = cellSize
    p.threshold = 1e9  // scores only
    var stage = HotspotStage(parameters: p, reference: reference)
    let ring = RowRing()
    ring.reserve(rows: image.height, rowBytes: image.rowBytes)
    for y in 0..<image.height {
        image.pixels.withUnsafeBytes { src in ring.row(y).copyMemory(from: src.baseAddress! + y * image.rowBytes, byteCount: image.rowBytes) }
    }
    stage.begin(width: image.width, height: image.height, bytesPerSample: image.bytesPerSample)
    stage.rowsDecoded(image.height, ring: ring)
    var hot = RunLabeler(), cold = RunLabeler()
    return (0..<image.height).map { y in
        stage.process(ring: ring, row: y, hot: &hot, cold: &cold)
        return stage.lastScores()
    }
}

@Suite struct RobustKernelTests {
    @Test(arguments: [1, 2, 3, 10, 64, 1024, 1023])
    func histogramMedianAndMADMatchSorting(count: Int) {
        for seed in 0..<5 as Range<UInt64> {
            var rng = SplitMix64(seed: seed &+ UInt64(count))
            // Narrow and wide distributions, with a few outliers.
            let spread = [3, 40, 256][Int(seed) % 3]
            let samples = (0..<count).map { _ in UInt8(clamping: 100 + rng.below(spread) - spread / 2 + (rng.below(20) == 0 ? 120 : 0)) }
            var histogram = [UInt32](repeating: 0, count: 256)
            for s in samples { histogram[Int(s)] += 1 }
            let fast = histogram.withUnsafeBufferPointer { RobustKernels.medianMAD(histogram: $0.baseAddress!, count: count) }
            let reference = RobustKernels.medianMADReference(samples.map(Float.init))
            #expect(fast == reference, "seed \(seed)")
        }
    }

    @Test func handComputedMedianAndMAD() {
        // Sorted: 1 2 3 4 100 → median 3; deviations 2 1 0 1 97 → sorted 0 1 1 2 97 → MAD 1.
        #expect(RobustKernels.medianMADReference([4, 1, 100, 3, 2]) == (3, 1))
        // Even count takes the lower median: 1 2 3 4 → 2; deviations 1 0 1 2 → 0 1 1 2 → 1.
        #expect(RobustKernels.medianMADReference([4, 3, 2, 1]) == (2, 1))
    }
}

@Suite struct HotspotStageTests {
    static let cases: [(Int, Int, Int)] = [(1, 1, 4), (17, 5, 4), (33, 31, 8), (64, 70, 16), (9, 40, 4), (100, 37, 32)]

    @Test(arguments: cases)
    func fastScoresMatchTheReference(width: Int, height: Int, cell: Int) {
        let image = SyntheticImage.scene(width: width, height: height, channels: 1, seed: UInt64(width * 131 + height))
        let fast = hotspotScores(image, cellSize: cell, reference: false)
        let reference = hotspotScores(image, cellSize: cell, reference: true)
        for y in 0..<height { for x in 0..<width {
            #expect(abs(fast[y][x] - reference[y][x]) <= 1e-4 * max(1, abs(reference[y][x])), "pixel \(x),\(y)")
        } }
    }

    @Test func sixteenBitSamplesMatchToo() {
        let image = SyntheticImage.gray16Noise(width: 23, height: 19, seed: 9)
        let fast = hotspotScores(image, cellSize: 8, reference: false)
        let reference = hotspotScores(image, cellSize: 8, reference: true)
        for y in 0..<19 { for x in 0..<23 {
            #expect(abs(fast[y][x] - reference[y][x]) <= 1e-4 * max(1, abs(reference[y][x])))
        } }
    }

    @Test func backgroundIgnoresAPersonSizedWarmBlob() {
        // A 12×16 warm blob inside one 32-px cell does not move the mesh, so it scores as strongly as a small one.
        var image = Image(width: 128, height: 128, channels: 1)
        var rng = SplitMix64(seed: 3)
        for i in image.pixels.indices { image.pixels[i] = UInt8(100 + rng.below(7)) }
        for y in 40..<56 { for x in 70..<82 { image.pixels[y * 128 + x] = 180 } }
        let z = hotspotScores(image, cellSize: 32, reference: false)
        #expect(z[48][76] > 15)
        #expect(abs(z[10][10]) < 4)
    }
}
