import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Widths that hit every vector tail and the loop edges.
let tailWidths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1001]

/// `width` random RGBX pixels (padding byte random too, so kernels must ignore it).
func randomRGBX(_ width: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    return rng.bytes(width * 4)
}

func sampleModel(seed: UInt64) -> RXModel {
    var rng = SplitMix64(seed: seed)
    var m = ColourMoments()
    let pixels = rng.bytes(4 * 5000)
    for i in 0..<5000 {
        // Correlated channels, like real colour.
        let base = Int64(pixels[4 * i])
        let c0 = base, c1 = (base * 3 + Int64(pixels[4 * i + 1])) / 4, c2 = (base + Int64(pixels[4 * i + 2])) / 2
        m.count += 1
        m.s0 += c0; m.s1 += c1; m.s2 += c2
        m.s00 += c0 * c0; m.s01 += c0 * c1; m.s02 += c0 * c2
        m.s11 += c1 * c1; m.s12 += c1 * c2; m.s22 += c2 * c2
    }
    return RXModel(m, floor: 4)!
}

@Suite struct RXKernelTests {
    @Test(arguments: tailWidths)
    func accumulateMatchesReferenceBitForBit(width: Int) {
        let row = randomRGBX(width, seed: UInt64(width) &+ 11)
        var fast = ColourMoments(), reference = ColourMoments()
        row.withUnsafeBufferPointer { p in
            RXKernels.accumulate(p.baseAddress!, count: width, into: &fast)
            RXKernels.accumulateReference(p.baseAddress!, count: width, into: &reference)
        }
        #expect(fast == reference)
        #expect(fast.count == Int64(width))
    }

    @Test(.enabled(if: KernelMode.cpuHasAVX2), arguments: tailWidths + [65_535])
    func accumulateAVX2MatchesTheReferenceBitForBit(width: Int) {
        let row = width == 65_535 ? [UInt8](repeating: 255, count: width * 4) : randomRGBX(width, seed: UInt64(width) &+ 12)
        var avx2 = ColourMoments(), reference = ColourMoments()
        row.withUnsafeBufferPointer { p in
            RXKernels.accumulate(p.baseAddress!, count: width, into: &avx2, avx2: true)
            RXKernels.accumulateReference(p.baseAddress!, count: width, into: &reference)
        }
        #expect(avx2 == reference)
    }

    @Test func accumulateIsExactAtTheWidestAllowedRowOfWhite() {
        // 65,535 pixels of (255, 255, 255): the 32-bit lane sums sit right below overflow.
        let width = 65_535
        let row = [UInt8](repeating: 255, count: width * 4)
        var fast = ColourMoments(), reference = ColourMoments()
        row.withUnsafeBufferPointer { p in
            RXKernels.accumulate(p.baseAddress!, count: width, into: &fast)
            RXKernels.accumulateReference(p.baseAddress!, count: width, into: &reference)
        }
        #expect(fast == reference)
        #expect(fast.s00 == 65_535 * 255 * 255)
    }

    @Test(arguments: tailWidths)
    func scoreMatchesReference(width: Int) {
        let row = randomRGBX(width, seed: UInt64(width) &+ 99)
        let model = sampleModel(seed: 5)
        var fast = [Float](repeating: -1, count: width + 1)
        var reference = [Float](repeating: -1, count: width + 1)
        let threshold: Float = 9
        var fastAny = false, referenceAny = false
        row.withUnsafeBufferPointer { p in
            fast.withUnsafeMutableBufferPointer { f in
                fastAny = RXKernels.score(p.baseAddress!, count: width, model: model, threshold: threshold, into: f.baseAddress!)
            }
            reference.withUnsafeMutableBufferPointer { r in
                referenceAny = RXKernels.scoreReference(p.baseAddress!, count: width, model: model, threshold: threshold, into: r.baseAddress!)
            }
        }
        for i in 0..<width {
            #expect(abs(fast[i] - reference[i]) <= 1e-3 + 1e-4 * abs(reference[i]), "pixel \(i)")
        }
        #expect(fast[width] == -1, "wrote past the end")
        #expect(fastAny == reference[0..<width].contains { $0 >= threshold })
        #expect(referenceAny == fastAny)
    }

    /// The x86-64-v3 build of `score` gives the baseline's bits (not just the reference's within tolerance), so the
    /// scan's output does not depend on the CPU: every tail, pixels right at the threshold, and extreme colours.
    @Test(.enabled(if: KernelMode.cpuHasAVX2), arguments: tailWidths)
    func scoreAVX2MatchesTheBaselineBitForBit(width: Int) {
        var row = randomRGBX(width, seed: UInt64(width) &+ 7)
        for i in stride(from: 0, to: width, by: 5) { row[4 * i] = 255; row[4 * i + 1] = 0 }  // far from the mean
        for seed in [UInt64(5), 17] {
            let model = sampleModel(seed: seed)
            var baseline = [Float](repeating: -1, count: width + 1), avx2 = [Float](repeating: -1, count: width + 1)
            // A threshold equal to one pixel's score, so ">=" is exercised at equality.
            var threshold: Float = 9
            if width > 0 { threshold = row.withUnsafeBufferPointer { model.distance($0[0], $0[1], $0[2]) } }
            var baselineAny = false, avx2Any = false
            row.withUnsafeBufferPointer { p in
                baseline.withUnsafeMutableBufferPointer { b in
                    baselineAny = RXKernels.score(p.baseAddress!, count: width, model: model, threshold: threshold, into: b.baseAddress!)
                }
                avx2.withUnsafeMutableBufferPointer { a in
                    avx2Any = RXKernels.score(
                        p.baseAddress!, count: width, model: model, threshold: threshold, into: a.baseAddress!, avx2: true)
                }
            }
            #expect(baseline.map(\.bitPattern) == avx2.map(\.bitPattern))
            #expect(avx2[width] == -1, "wrote past the end")
            #expect(avx2Any == baselineAny)
            #expect(avx2Any == (width > 0))
        }
    }

    @Test func modelMatchesHandComputedDistance() {
        // Four pixels: mean (2, 4, 6); per-channel variance 2, 8, 0 (+ floor 1) and no correlation between 0 and 1.
        var m = ColourMoments()
        for (c0, c1, c2) in [(0, 0, 6), (4, 8, 6), (0, 8, 6), (4, 0, 6)] as [(Int64, Int64, Int64)] {
            m.count += 1
            m.s0 += c0; m.s1 += c1; m.s2 += c2
            m.s00 += c0 * c0; m.s01 += c0 * c1; m.s02 += c0 * c2
            m.s11 += c1 * c1; m.s12 += c1 * c2; m.s22 += c2 * c2
        }
        let model = RXModel(m, floor: 1)!
        // Covariance diag(4+1, 16+1, 0+1); pixel (7, 4, 8): u = (5, 0, 2) → 25/5 + 0 + 4/1 = 9.
        #expect(abs(model.distance(7, 4, 8) - 9) < 1e-4)
        #expect(abs(model.distance(2, 4, 6)) < 1e-6)
    }

    @Test func modelIsNilWithoutPixels() {
        #expect(RXModel(ColourMoments(), floor: 1) == nil)
    }
}

@Suite struct ThresholdKernelTests {
    /// Every start and every hit position of the row, at both ends and in the vector tails, baseline and AVX2.
    @Test(arguments: tailWidths)
    func firstAtLeastMatchesReference(width: Int) {
        var rng = SplitMix64(seed: UInt64(width) &+ 7)
        var values = (0..<width).map { _ in Float(rng.below(1000)) / 100 }
        if width > 0 { values[0] = 50; values[width - 1] = 50 }
        if width > 10 { values[width - 2] = 60 }
        if width > 40 { values[width / 2] = 9.5 }  // equal to the threshold
        let avx2 = KernelMode.cpuHasAVX2 ? [false, true] : [false]
        values.withUnsafeBufferPointer { p in
            for start in 0...width {
                let reference = ThresholdKernels.firstAtLeastReference(p.baseAddress!, from: start, count: width, threshold: 9.5)
                #expect(reference == (start..<width).first { values[$0] >= 9.5 } ?? width)
                for a in avx2 {
                    let fast = ThresholdKernels.firstAtLeast(p.baseAddress!, from: start, count: width, threshold: 9.5, avx2: a)
                    #expect(fast == reference, "start \(start), avx2 \(a)")
                }
            }
        }
    }

    @Test(arguments: tailWidths)
    func firstAtLeastSkipsLongStretchesWithoutHits(width: Int) {
        let values = [Float](repeating: 1, count: width)
        let avx2 = KernelMode.cpuHasAVX2 ? [false, true] : [false]
        values.withUnsafeBufferPointer { p in
            for a in avx2 { #expect(ThresholdKernels.firstAtLeast(p.baseAddress!, from: 0, count: width, threshold: 2, avx2: a) == width) }
        }
    }

    @Test(arguments: tailWidths)
    func runsMatchReference(width: Int) {
        var rng = SplitMix64(seed: UInt64(width) &+ 3)
        let values = (0..<width).map { _ in rng.below(3) == 0 ? Float(5 + rng.below(50)) : 0 }
        var fast: [Run] = [], reference: [Run] = []
        var avx2: [Run] = []
        values.withUnsafeBufferPointer { p in
            RunBuilder.runs(p.baseAddress!, count: width, threshold: 1, into: &fast)
            RunBuilder.runsReference(p.baseAddress!, count: width, threshold: 1, into: &reference)
            if KernelMode.cpuHasAVX2 { RunBuilder.runs(p.baseAddress!, count: width, threshold: 1, into: &avx2, avx2: true) }
        }
        #expect(fast == reference)
        if KernelMode.cpuHasAVX2 { #expect(avx2 == reference) }
        let covered = reference.reduce(0) { $0 + $1.x1 - $1.x0 }
        #expect(covered == values.filter { $0 >= 1 }.count)
    }
}
