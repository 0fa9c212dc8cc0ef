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

/// Runs the RX stage over `pixels` in bands through a ring smaller than the frame.
func streamRX(_ pixels: [UInt8], width: Int, height: Int, band: Int, parameters: RXParameters, reference: Bool = false)
    -> (blobs: [Blob], model: RXModel?, records: Int)
{
    let ring = RowRing()
    ring.reserve(rows: band, rowBytes: width * 4)
    var stage = RXGlobalStage(parameters: parameters, reference: reference)
    defer { stage.deallocate() }
    stage.begin(width: width, height: height)
    var y = 0
    while y < height {
        let n = min(band, height - y)
        for r in y..<y + n {
            pixels.withUnsafeBytes { src in ring.row(r).copyMemory(from: src.baseAddress! + r * width * 4, byteCount: width * 4) }
        }
        stage.consume(ring: ring, rows: y, y + n, width: width)
        y += n
    }
    var labeler = RunLabeler(maxBlobs: 100_000)
    let records = stage.recordCount
    stage.finish(into: &labeler)
    return (labeler.finish(), stage.finalModel, records)
}

/// Exact global RX with the given model: every pixel scored, thresholded, flood-filled.
func exactRX(_ pixels: [UInt8], width: Int, height: Int, model: RXModel, threshold: Float) -> [Blob] {
    let mask = (0..<height).map { y in
        (0..<width).map { x -> Float in
            let i = 4 * (y * width + x)
            let d = model.distance(pixels[i], pixels[i + 1], pixels[i + 2])
            return d >= threshold ? d : 0
        }
    }
    return floodFillBlobs(mask)
}

@Suite struct RXStageTests {
    @Test(arguments: [1, 7, 16, 64])
    func streamingEqualsExactGlobalRX(band: Int) {
        let (w, h) = (97, 61)
        let pixels = seaFrame(width: w, height: h, seed: 42, targets: [
            (10, 5, 2, 4, (200, 40, 30)),   // red jacket, top rows (scored before the statistics are complete)
            (60, 30, 3, 6, (230, 200, 40)), // yellow
            (95, 58, 2, 3, (250, 250, 250)), // white, touching the right and bottom edges
        ])
        var p = RXParameters()
        p.statisticsRowStep = 1
        let streamed = streamRX(pixels, width: w, height: h, band: band, parameters: p)
        let model = try! #require(streamed.model)
        let exact = exactRX(pixels, width: w, height: h, model: model, threshold: p.threshold)
        #expect(canonical(streamed.blobs) == canonical(exact))
        // The three targets are found.
        for (x, y) in [(10, 5), (60, 30), (95, 58)] {
            #expect(streamed.blobs.contains { $0.minX <= x && x <= $0.maxX && $0.minY <= y && y <= $0.maxY }, "target at \(x),\(y)")
        }
    }

    @Test func referenceKernelsGiveTheSameBlobs() {
        let (w, h) = (50, 40)
        let pixels = seaFrame(width: w, height: h, seed: 7, targets: [(20, 20, 2, 5, (220, 30, 30))])
        let fast = streamRX(pixels, width: w, height: h, band: 8, parameters: RXParameters())
        let reference = streamRX(pixels, width: w, height: h, band: 8, parameters: RXParameters(), reference: true)
        #expect(canonical(fast.blobs) == canonical(reference.blobs))
        #expect(!fast.blobs.isEmpty)
    }

    @Test func candidateCapBoundsMemoryOnAFrameFullOfAnomalies() {
        // Top half dark, bottom half bright: against the running statistics of the top half, every bottom pixel
        // looks anomalous; the cap must hold and the run must finish.
        let (w, h) = (200, 200)
        var pixels = [UInt8](repeating: 255, count: w * h * 4)
        var rng = SplitMix64(seed: 1)
        for y in 0..<h { for x in 0..<w {
            let i = 4 * (y * w + x)
            let base = y < h / 2 ? 30 : 200
            pixels[i] = UInt8(base + rng.below(5)); pixels[i + 1] = UInt8(base + rng.below(5)); pixels[i + 2] = UInt8(base + rng.below(5))
        } }
        var p = RXParameters()
        p.maxCandidateFraction = 0.05
        let result = streamRX(pixels, width: w, height: h, band: 16, parameters: p)
        #expect(result.records <= max(10_000, w * h / 20))
        // With the whole frame's statistics neither half is anomalous.
        #expect(result.blobs.isEmpty)
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
