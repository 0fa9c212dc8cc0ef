import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Reference labelling: flood fill with 8-connectivity over a whole mask.
func floodFillBlobs(_ mask: [[Float]]) -> [Blob] {
    let h = mask.count, w = mask.first?.count ?? 0
    var seen = [[Bool]](repeating: [Bool](repeating: false, count: w), count: h)
    var blobs: [Blob] = []
    for y in 0..<h {
        for x in 0..<w where mask[y][x] > 0 && !seen[y][x] {
            var stack = [(x, y)]
            seen[y][x] = true
            var b = Blob(minX: x, minY: y, maxX: x, maxY: y, area: 0, scoreSum: 0, peak: -.infinity, peakX: x, peakY: y)
            while let (cx, cy) = stack.popLast() {
                let v = mask[cy][cx]
                b.minX = min(b.minX, cx); b.maxX = max(b.maxX, cx)
                b.minY = min(b.minY, cy); b.maxY = max(b.maxY, cy)
                b.area += 1
                b.scoreSum += Double(v)
                if v > b.peak || (v == b.peak && (cy, cx) < (b.peakY, b.peakX)) { b.peak = v; b.peakX = cx; b.peakY = cy }
                for dy in -1...1 {
                    for dx in -1...1 {
                        let nx = cx + dx, ny = cy + dy
                        if nx >= 0, ny >= 0, nx < w, ny < h, mask[ny][nx] > 0, !seen[ny][nx] {
                            seen[ny][nx] = true
                            stack.append((nx, ny))
                        }
                    }
                }
            }
            blobs.append(b)
        }
    }
    return blobs
}

func streamingBlobs(_ mask: [[Float]], maxBlobs: Int = 100_000) -> [Blob] {
    var labeler = RunLabeler(maxBlobs: maxBlobs)
    for (y, row) in mask.enumerated() {
        var runs: [Run] = []
        row.withUnsafeBufferPointer { p in RunBuilder.runsReference(p.baseAddress!, count: row.count, threshold: 0.5, into: &runs) }
        if !runs.isEmpty { labeler.add(row: y, runs: runs) }
    }
    return labeler.finish()
}

func canonical(_ blobs: [Blob]) -> [String] {
    blobs.map { "\($0.minX),\($0.minY),\($0.maxX),\($0.maxY) a\($0.area) p\($0.peak)@\($0.peakX),\($0.peakY) s\($0.scoreSum)" }.sorted()
}

@Suite struct RunLabelerTests {
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 40, 2), (40, 1, 2), (13, 9, 2), (37, 23, 3), (64, 64, 4), (50, 30, 8)]

    @Test(arguments: shapes)
    func matchesFloodFill(width: Int, height: Int, sparsity: Int) {
        for seed in 0..<6 as Range<UInt64> {
            var rng = SplitMix64(seed: seed &* 31 &+ UInt64(width * height))
            let mask = (0..<height).map { _ in
                (0..<width).map { _ in rng.below(sparsity) == 0 ? Float(1 + rng.below(100)) : 0 }
            }
            #expect(canonical(streamingBlobs(mask)) == canonical(floodFillBlobs(mask)), "seed \(seed)")
        }
    }

    @Test func diagonalNeighboursJoinAndUShapesMerge() {
        // A diagonal line is one blob with 8-connectivity; a U opened at the top merges at its bottom row.
        let diagonal: [[Float]] = (0..<5).map { y in (0..<5).map { x in x == y ? 1 : 0 } }
        #expect(streamingBlobs(diagonal).count == 1)
        let u: [[Float]] = [
            [1, 0, 0, 0, 2],
            [1, 0, 0, 0, 2],
            [1, 1, 1, 1, 1],
        ]
        let blobs = streamingBlobs(u)
        #expect(blobs.count == 1)
        #expect(blobs[0].area == 9)
        #expect(blobs[0].peak == 2)
        #expect(blobs[0].peakX == 4 && blobs[0].peakY == 0)
    }

    @Test func gapRowsCloseBlobs() {
        var labeler = RunLabeler()
        labeler.add(row: 0, runs: [Run(x0: 0, x1: 3, scoreSum: 3, peak: 1, peakX: 0)])
        labeler.add(row: 2, runs: [Run(x0: 0, x1: 3, scoreSum: 3, peak: 1, peakX: 0)])
        #expect(labeler.finish().count == 2)
    }

    /// Empty rows announced with `addEmpty` close the blobs above them at once; the blobs are the same as without.
    @Test func anEmptyRowClosesTheBlobsAboveItAtOnce() {
        var labeler = RunLabeler()
        let run = Run(x0: 2, x1: 4, scoreSum: 2, peak: 1, peakX: 2)
        labeler.add(row: 5, runs: [run])
        labeler.add(row: 6, runs: [run])
        var closed: [Blob] = []
        labeler.drainClosed(into: &closed)
        #expect(closed.isEmpty)
        labeler.addEmpty(row: 7)
        labeler.drainClosed(into: &closed)
        #expect(closed.count == 1 && closed.first?.minY == 5 && closed.first?.maxY == 6)
        for y in 8..<300 { labeler.addEmpty(row: y) }
        labeler.add(row: 300, runs: [run])
        labeler.add(row: 301, runs: [run])  // joins row 300's blob, not the closed one
        labeler.drainClosed(into: &closed)
        #expect(closed.count == 1)
        #expect(labeler.finish().map(\.minY) == [300])
        // Any mask labels to the same blobs with or without empty rows announced.
        var rng = SplitMix64(seed: 12)
        let mask = (0..<60).map { y in (0..<30).map { _ in y % 7 < 3 && rng.below(3) == 0 ? Float(1 + rng.below(50)) : 0 } }
        var announced = RunLabeler()
        for (y, row) in mask.enumerated() {
            var runs: [Run] = []
            row.withUnsafeBufferPointer { RunBuilder.runsReference($0.baseAddress!, count: row.count, threshold: 0.5, into: &runs) }
            if runs.isEmpty { announced.addEmpty(row: y) } else { announced.add(row: y, runs: runs) }
        }
        #expect(canonical(announced.finish()) == canonical(streamingBlobs(mask)))
    }

    @Test func keepsTheStrongestWhenOverTheCap() {
        // 40 isolated pixels with distinct peaks; keep 10.
        var mask = [[Float]](repeating: [Float](repeating: 0, count: 20), count: 8)
        for y in stride(from: 0, to: 8, by: 2) {
            for x in stride(from: 0, to: 20, by: 2) { mask[y][x] = Float(1 + x + 20 * y) }
        }
        let all = floodFillBlobs(mask).sorted { $0.peak > $1.peak }
        let kept = streamingBlobs(mask, maxBlobs: 10)
        #expect(kept.count == 10)
        #expect(kept.map(\.peak) == all.prefix(10).map(\.peak))
    }

    @Test func resetForgetsThePreviousFrame() {
        var labeler = RunLabeler()
        labeler.add(row: 5, runs: [Run(x0: 0, x1: 2, scoreSum: 2, peak: 1, peakX: 0)])
        labeler.reset()
        labeler.add(row: 0, runs: [Run(x0: 1, x1: 2, scoreSum: 1, peak: 1, peakX: 1)])
        let blobs = labeler.finish()
        #expect(blobs.count == 1 && blobs[0].minY == 0)
    }
}

@Suite struct SuppressionTests {
    @Test func overlappingWeakerBoxesAreDropped() {
        let d = [
            Detection(box: Box(x: 0, y: 0, width: 10, height: 10), score: 5, detector: "rx"),
            Detection(box: Box(x: 1, y: 1, width: 10, height: 10), score: 9, detector: "rx"),
            Detection(box: Box(x: 50, y: 50, width: 4, height: 4), score: 1, detector: "rx"),
        ]
        let kept = NonMaximumSuppression.apply(d, iou: 0.3, limit: 10)
        #expect(kept.map(\.score) == [9, 1])
        #expect(NonMaximumSuppression.apply(d, iou: 0.3, limit: 1).map(\.score) == [9])
        // Order of input does not matter.
        #expect(NonMaximumSuppression.apply(d.reversed(), iou: 0.3, limit: 10) == kept)
    }

    @Test func scoreFloorAppliesOnlyPastTheFirstKept() {
        // Disjoint boxes, except the 0.4 one, which overlaps the 0.6 one and is suppressed (it counts for nothing).
        let scores = [0.004, 0.6, 0.02, 0.009, 0.4, 0.05, 0.003]
        let d = scores.enumerated().map { i, s in
            Detection(box: Box(x: s == 0.4 ? 21 : 20 * i, y: 0, width: 10, height: 10), score: s, detector: "rx")
        }
        func kept(_ after: Int, limit: Int = 100) -> [Double] {
            NonMaximumSuppression.apply(d, iou: 0.3, limit: limit, floor: 0.01, after: after).map(\.score)
        }
        #expect(kept(0) == [0.6, 0.05, 0.02])
        #expect(kept(2) == [0.6, 0.05, 0.02])
        #expect(kept(4) == [0.6, 0.05, 0.02, 0.009])
        #expect(kept(5) == [0.6, 0.05, 0.02, 0.009, 0.004])
        #expect(kept(5, limit: 4) == [0.6, 0.05, 0.02, 0.009])
        // Without a floor, as before.
        #expect(NonMaximumSuppression.apply(d, iou: 0.3, limit: 100).count == 6)
    }

    @Test func iouOfKnownBoxes() {
        let a = Box(x: 0, y: 0, width: 4, height: 4), b = Box(x: 2, y: 0, width: 4, height: 4)
        #expect(abs(a.iou(b) - 8.0 / 24.0) < 1e-12)
        #expect(a.iou(Box(x: 10, y: 10, width: 1, height: 1)) == 0)
        #expect(a.iou(Box(x: 0, y: 0, width: 0, height: 0)) == 0)
    }
}
