import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// The vectorised loops of `ColourFeatures.compute` against their one-pixel-at-a-time references, bit for bit.
@Suite struct ColourFeatureKernelTests {
    static let steps = [1, 2, 3, 7]

    /// `count` random RGBX words (padding byte random too).
    static func pixels(_ count: Int, seed: UInt64) -> [UInt32] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
    }

    @Test(arguments: tailWidths)
    func momentsMatchTheReferenceForEveryStepAndStart(width: Int) {
        let px = Self.pixels(width + 9, seed: UInt64(width) &+ 3)
        for step in Self.steps {
            for start in [0, 1, 5] {
                var fast = ColourFeatures.RGBMoments(), reference = ColourFeatures.RGBMoments()
                px.withUnsafeBufferPointer { p in
                    fast.add(p.baseAddress!, from: start, to: start + width, step: step)
                    reference.addReference(p.baseAddress!, from: start, to: start + width, step: step)
                    // Accumulating a second segment on top.
                    fast.add(p.baseAddress!, from: 2, to: 9, step: step)
                    reference.addReference(p.baseAddress!, from: 2, to: 9, step: step)
                }
                #expect(fast == reference, "step \(step), start \(start)")
            }
        }
    }

    /// The distance `compute` used per pixel before the kernel (its exact expression).
    static func referenceDistance(_ v: UInt32, _ m: (Float, Float, Float)) -> Float {
        let r = Float(v & 0xFF), g = Float((v >> 8) & 0xFF), b = Float((v >> 16) & 0xFF)
        let (l, cb, cr) = ColourFeatures.ycc(r, g, b)
        return ((l - m.0) * (l - m.0) + (cb - m.1) * (cb - m.1) + (cr - m.2) * (cr - m.2)).squareRoot()
    }

    @Test(arguments: tailWidths)
    func distancesMatchThePerPixelFormulaBitForBit(width: Int) {
        for step in Self.steps {
            let px = Self.pixels(width * step + 1, seed: UInt64(width * 10 + step))
            let mean: (Float, Float, Float) = (117.25, -3.5, 8.125)
            var out = [Float](repeating: -1, count: width + 1)
            px.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    ColourFeatureKernels.distances(p.baseAddress!, count: width, step: step, from: mean, into: o.baseAddress!)
                }
            }
            for i in 0..<width {
                #expect(out[i].bitPattern == Self.referenceDistance(px[i * step], mean).bitPattern, "step \(step), pixel \(i)")
            }
            #expect(out[width] == -1, "wrote past the end")
        }
    }

    @Test(arguments: tailWidths)
    func countMatchesTheReference(width: Int) {
        var rng = SplitMix64(seed: UInt64(width) &+ 40)
        let values = (0..<width).map { _ in Float(rng.below(20)) / 2 }
        for threshold: Float in [-1, 0, 2.5, 5, 100] {
            let n = values.withUnsafeBufferPointer { ColourFeatureKernels.count($0.baseAddress!, width, atLeast: threshold) }
            #expect(n == values.filter { $0 >= threshold }.count)
        }
    }

    /// The farthest inside pixel (the first one in scan order among ties) and the half-maximum area, on boxes small
    /// enough to visit every pixel and large enough to be sampled on a grid, near the frame's edges too.
    @Test(arguments: [(10, 12, 3, 4), (0, 0, 5, 2), (30, 20, 60, 50), (0, 3, 79, 60), (77, 66, 2, 1)])
    func peakAndHalfMaximumAreaMatchABruteForceScan(x: Int, y: Int, w: Int, h: Int) {
        let (width, height) = (80, 70)
        var rng = SplitMix64(seed: UInt64(x * 100 + y))
        let ring = RowRing()
        ring.reserve(rows: height, rowBytes: width * 4)
        for row in 0..<height {
            let p = ring.row(row).assumingMemoryBound(to: UInt32.self)
            // Few distinct colours, so distances tie.
            for col in 0..<width { p[col] = [0x0040_6080, 0x0010_20F0, 0x0040_6080, 0x00F0_2010][Int(rng.below(4))] }
        }
        let blob = Blob(
            minX: x, minY: y, maxX: x + w - 1, maxY: y + h - 1, area: w * h, scoreSum: 1, peak: 1, peakX: x, peakY: y)
        let m = 6
        let (f, peak, _) = ColourFeatures.compute(
            blob: blob, kind: .rx, ring: ring, rows: 0..<height, width: width, height: height, ringWidth: m)
        // Brute force: the ring statistics as `compute` takes them, then every inside pixel on the sampling grid.
        let x0 = max(0, x - m), x1 = min(width, x + w + m), y0 = max(0, y - m), y1 = min(height, y + h + m)
        let step = max(1, Int((Double((x1 - x0) * max(1, y1 - y0)) / 512).squareRoot()))
        var around = ColourFeatures.RGBMoments()
        for row in stride(from: y0, to: y1, by: step) {
            let p = UnsafePointer(ring.row(row).assumingMemoryBound(to: UInt32.self))
            for col in stride(from: x0, to: x1, by: step) where !(row >= y && row < y + h && col >= x && col < x + w) {
                around.addReference(p, from: col, to: col + 1, step: 1)
            }
        }
        let ringMean = around.ycc()
        let mean = (ringMean.meanY, ringMean.meanCb, ringMean.meanCr)
        var best: Float = 0, bestRGB: (Float, Float, Float)? = nil, distances: [Float] = []
        for row in stride(from: y, to: y + h, by: step) {
            let p = ring.row(row).assumingMemoryBound(to: UInt32.self)
            for col in stride(from: x, through: x + w - 1, by: step) {
                let d = Self.referenceDistance(p[col], mean)
                distances.append(d)
                if d > best { best = d; bestRGB = (Float(p[col] & 0xFF), Float((p[col] >> 8) & 0xFF), Float((p[col] >> 16) & 0xFF)) }
            }
        }
        #expect(f[20] == best)
        if let bestRGB { #expect(peak == bestRGB) }
        #expect(f[21] == Float(distances.filter { $0 >= best / 2 }.count * step * step))
    }
}
