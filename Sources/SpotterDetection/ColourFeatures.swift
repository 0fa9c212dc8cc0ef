import SpotterImaging

/// The features of an RGB candidate, computed from the decoded RGBX rows around it while they are in the ring.
///
/// Colours are compared in Y-Cb-Cr (full-range BT.601, chroma centred on 0): luma and a chroma vector, whose
/// differences stay small on grey water where hue would be noise. "Inside" is the candidate's box; the "ring" is the
/// band of `ringWidth` pixels around it.
public enum ColourFeatures {
    public static let names: [String] = [
        "area", "width", "height", "elongation", "fill", "peak_score", "mean_score",
        "rx_peak_final", "rx_mean_final",
        "d_luma", "d_cb", "d_cr", "d_chroma", "d_luma_in_ring_sd", "d_chroma_in_ring_sd",
        "ring_luma", "ring_chroma", "inside_chroma", "ring_luma_sd", "inside_luma_sd", "peak_distance",
        "half_max_area", "half_max_fraction", "touches_border", "y_fraction", "aspect", "from_contrast", "level",
    ] + (0..<25).map { "luma_\($0 / 5)_\($0 % 5)" } + (0..<25).map { "chroma_\($0 / 5)_\($0 % 5)" }

    static let levelIndex = 27, lumaPatchIndex = 28, chromaPatchIndex = 53, patchSide = 5
    static let rxPeakIndex = 7, rxMeanIndex = 8

    @inline(__always)
    static func ycc(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        (0.299 * r + 0.587 * g + 0.114 * b, -0.168736 * r - 0.331264 * g + 0.5 * b, 0.5 * r - 0.418688 * g - 0.081312 * b)
    }

    /// Features of `blob` from rows `rows` of `ring` (RGBX); the frame-level RX features are filled by `finish`.
    /// Also returns the RGB colour of the box's most distinct pixel and the box's mean RGB colour.
    static func compute(
        blob: Blob, kind: CandidateKind, ring: RowRing, rows: Range<Int>, width: Int, height: Int, ringWidth m: Int
    ) -> (features: [Float], peak: (Float, Float, Float), mean: (Float, Float, Float)) {
        let x0 = max(0, blob.minX - m), x1 = min(width, blob.maxX + 1 + m)
        let y0 = max(rows.lowerBound, blob.minY - m), y1 = max(max(rows.lowerBound, blob.minY - m), min(rows.upperBound, blob.maxY + 1 + m))
        // Regions (box and ring) under 2,048 pixels are read whole, larger ones on a grid of step ⌊√(area / 512)⌋, so
        // no candidate costs more than 2,048 pixel visits.
        let step = max(1, Int((Double((x1 - x0) * max(1, y1 - y0)) / 512).squareRoot()))
        var inside = RGBMoments(), around = RGBMoments()
        for y in stride(from: y0, to: y1, by: step) {
            let p = UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt32.self))
            if y >= blob.minY && y <= blob.maxY {
                // Columns on the sampling grid: left of the box, the box, right of it.
                let firstIn = x0 + ((max(x0, blob.minX) - x0 + step - 1) / step) * step
                let firstOut = x0 + ((blob.maxX + 1 - x0 + step - 1) / step) * step
                around.add(p, from: x0, to: min(firstIn, x1), step: step)
                inside.add(p, from: firstIn, to: min(firstOut, x1), step: step)
                around.add(p, from: firstOut, to: x1, step: step)
            } else {
                around.add(p, from: x0, to: x1, step: step)
            }
        }
        let inStats = inside.ycc(), ringStats = around.n > 0 ? around.ycc() : inStats
        let inMeanY = inStats.meanY, inMeanCb = inStats.meanCb, inMeanCr = inStats.meanCr
        let ringMeanY = ringStats.meanY, ringMeanCb = ringStats.meanCb, ringMeanCr = ringStats.meanCr
        let ringSDY = around.n > 0 ? ringStats.sdY : 0, ringSDC = around.n > 0 ? ringStats.sdChroma : 0
        let inSDY = inStats.sdY
        let iN = Float(max(inside.n, 1))
        let inR = Float(inside.r), inG = Float(inside.g), inB = Float(inside.b)
        // The inside pixel farthest from the ring's mean colour, and how many are at least half as far.
        let insideTop = max(y0, blob.minY), insideBottom = max(insideTop, min(y1, blob.maxY + 1))
        let insideRows = stride(from: insideTop, to: insideBottom, by: step)
        var peakDistance: Float = 0
        var peak: (Float, Float, Float) = (inR / iN, inG / iN, inB / iN)
        var halfCount = 0
        // The inside pixels: rows `insideRows`, columns minX, minX + step, … through maxX.
        let columns = (blob.maxX - blob.minX) / step + 1
        let pixels = (insideBottom - insideTop + step - 1) / step * columns
        if pixels > 0 {
            // Each inside pixel's distance once, row by row into scratch; then the first farthest, then the count.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: pixels) { scratch in
                let d = scratch.baseAddress!
                var k = 0
                for y in insideRows {
                    ColourFeatureKernels.distances(
                        UnsafePointer(ring.row(y).assumingMemoryBound(to: UInt32.self)) + blob.minX, count: columns,
                        step: step, from: (ringMeanY, ringMeanCb, ringMeanCr), into: d + k)
                    k += columns
                }
                var farthest = -1
                for i in 0..<pixels where d[i] > peakDistance {
                    peakDistance = d[i]
                    farthest = i
                }
                if farthest >= 0 {
                    let y = insideTop + (farthest / columns) * step, x = blob.minX + (farthest % columns) * step
                    let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
                    peak = (Float(p[4 * x]), Float(p[4 * x + 1]), Float(p[4 * x + 2]))
                }
                halfCount = ColourFeatureKernels.count(d, pixels, atLeast: peakDistance / 2)
            }
        }
        let halfArea = Float(halfCount * step * step)
        let dY = inMeanY - ringMeanY, dCb = inMeanCb - ringMeanCb, dCr = inMeanCr - ringMeanCr
        let dC = (dCb * dCb + dCr * dCr).squareRoot()
        let w = Float(blob.width), h = Float(blob.height)
        var f = [Float](repeating: 0, count: names.count)
        blob.writeShapeFeatures(into: &f)
        // 7, 8: frame level, see `finish`.
        f[9] = dY
        f[10] = dCb
        f[11] = dCr
        f[12] = dC
        f[13] = dY / max(ringSDY, 1)
        f[14] = dC / max(ringSDC, 1)
        f[15] = ringMeanY
        f[16] = (ringMeanCb * ringMeanCb + ringMeanCr * ringMeanCr).squareRoot()
        f[17] = (inMeanCb * inMeanCb + inMeanCr * inMeanCr).squareRoot()
        f[18] = ringSDY
        f[19] = inSDY
        f[20] = peakDistance
        f[21] = halfArea
        f[22] = halfArea / (w * h)
        f[23] = (blob.minX == 0 || blob.minY == 0 || blob.maxX == width - 1 || blob.maxY == height - 1) ? 1 : 0
        f[24] = (Float(blob.minY) + h / 2) / Float(height)
        f[25] = w / h
        f[26] = kind == .contrast ? 1 : 0
        // 27: the level, set by the tracker (see `finish`).
        // A coarse picture of the candidate and its surroundings: a square around the box's centre, 1.5 times its
        // longer side plus the ring, averaged over a 5 × 5 grid: luma and chroma distance from the ring's mean, in
        // units of the ring's spread.
        let side = Float(max(blob.width, blob.height)) * 1.5 + Float(2 * m)
        let cx = Float(blob.minX + blob.maxX + 1) / 2, cy = Float(blob.minY + blob.maxY + 1) / 2
        let cellSide = side / Float(patchSide)
        let lumaUnit = max(ringSDY, 2), chromaUnit = max(ringSDC, 2)
        for gy in 0..<patchSide {
            for gx in 0..<patchSide {
                let px0 = Int((cx - side / 2 + Float(gx) * cellSide).rounded(.down))
                let py0 = Int((cy - side / 2 + Float(gy) * cellSide).rounded(.down))
                let px1 = max(px0 + 1, Int((cx - side / 2 + Float(gx + 1) * cellSide).rounded(.down)))
                let py1 = max(py0 + 1, Int((cy - side / 2 + Float(gy + 1) * cellSide).rounded(.down)))
                let sx0 = max(0, px0), sx1 = min(width, px1), sy0 = max(rows.lowerBound, py0), sy1 = min(rows.upperBound, py1)
                var sl: Float = 0, scb: Float = 0, scr: Float = 0, count: Float = 0
                let stepX = max(1, (sx1 - sx0) / 2), stepY = max(1, (sy1 - sy0) / 2)
                if sx1 > sx0 && sy1 > sy0 {
                    for y in stride(from: sy0, to: sy1, by: stepY) {
                        let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
                        for x in stride(from: sx0, to: sx1, by: stepX) {
                            let (l, cb, cr) = ycc(Float(p[4 * x]), Float(p[4 * x + 1]), Float(p[4 * x + 2]))
                            sl += l; scb += cb; scr += cr; count += 1
                        }
                    }
                }
                let k = gy * patchSide + gx
                if count > 0 {
                    let dl = sl / count - ringMeanY, dcb = scb / count - ringMeanCb, dcr = scr / count - ringMeanCr
                    f[lumaPatchIndex + k] = dl / lumaUnit
                    f[chromaPatchIndex + k] = (dcb * dcb + dcr * dcr).squareRoot() / chromaUnit
                }
            }
        }
        return (f, peak, (inR / iN, inG / iN, inB / iN))
    }

    /// Sums of R, G, B and their products over sampled pixels: enough for the mean and spread of any linear colour
    /// space (Y, Cb, Cr here) without converting each pixel.
    struct RGBMoments: Equatable {
        var n = 0, r = 0, g = 0, b = 0, rr = 0, gg = 0, bb = 0, rg = 0, rb = 0, gb = 0

        /// Adds the pixels `a, a + step, …` below `e`. Contiguous pixels (step 1) go through the vectorised
        /// `RXKernels.accumulate` (the same integer sums); others one at a time.
        @inline(__always)
        mutating func add(_ p: UnsafePointer<UInt32>, from a: Int, to e: Int, step: Int) {
            guard e > a else { return }
            guard step == 1 else { return addStrided(p, from: a, to: e, step: step) }
            var m = ColourMoments()
            RXKernels.accumulate(UnsafeRawPointer(p + a).assumingMemoryBound(to: UInt8.self), count: e - a, into: &m)
            n &+= Int(m.count); r &+= Int(m.s0); g &+= Int(m.s1); b &+= Int(m.s2)
            rr &+= Int(m.s00); gg &+= Int(m.s11); bb &+= Int(m.s22); rg &+= Int(m.s01); rb &+= Int(m.s02); gb &+= Int(m.s12)
        }

        @inline(__always)
        mutating func addStrided(_ p: UnsafePointer<UInt32>, from a: Int, to e: Int, step: Int) {
            var x = a
            while x < e {
                let v = UInt32(littleEndian: p[x])
                let cr = Int(v & 0xFF), cg = Int((v &>> 8) & 0xFF), cb = Int((v &>> 16) & 0xFF)
                n &+= 1; r &+= cr; g &+= cg; b &+= cb
                rr &+= cr &* cr; gg &+= cg &* cg; bb &+= cb &* cb; rg &+= cr &* cg; rb &+= cr &* cb; gb &+= cg &* cb
                x &+= step
            }
        }

        /// Reference for `add`: one pixel at a time.
        mutating func addReference(_ p: UnsafePointer<UInt32>, from a: Int, to e: Int, step: Int) {
            var x = a
            while x < e {
                let v = UInt32(littleEndian: p[x])
                let cr = Int(v & 0xFF), cg = Int((v >> 8) & 0xFF), cb = Int((v >> 16) & 0xFF)
                n += 1; r += cr; g += cg; b += cb
                rr += cr * cr; gg += cg * cg; bb += cb * cb; rg += cr * cg; rb += cr * cb; gb += cg * cb
                x += step
            }
        }

        /// Mean Y, Cb, Cr, the spread of Y, and the spread of the chroma vector (√ of Cb and Cr variances summed).
        func ycc() -> (meanY: Float, meanCb: Float, meanCr: Float, sdY: Float, sdChroma: Float) {
            guard n > 0 else { return (0, 0, 0, 0, 0) }
            let k = 1 / Double(n)
            let mr = Double(r) * k, mg = Double(g) * k, mb = Double(b) * k
            let crr = Double(rr) * k - mr * mr, cgg = Double(gg) * k - mg * mg, cbb = Double(bb) * k - mb * mb
            let crg = Double(rg) * k - mr * mg, crb = Double(rb) * k - mr * mb, cgb = Double(gb) * k - mg * mb
            func variance(_ w: (Double, Double, Double)) -> Double {
                w.0 * w.0 * crr + w.1 * w.1 * cgg + w.2 * w.2 * cbb + 2 * (w.0 * w.1 * crg + w.0 * w.2 * crb + w.1 * w.2 * cgb)
            }
            let wy = (0.299, 0.587, 0.114), wcb = (-0.168736, -0.331264, 0.5), wcr = (0.5, -0.418688, -0.081312)
            func mean(_ w: (Double, Double, Double)) -> Float { Float(w.0 * mr + w.1 * mg + w.2 * mb) }
            return (
                mean(wy), mean(wcb), mean(wcr), Float(max(0, variance(wy)).squareRoot()),
                Float(max(0, variance(wcb) + variance(wcr)).squareRoot())
            )
        }
    }

    /// Fills the RX features from the whole frame's colour statistics, and the level.
    static func finish(_ c: inout Candidate, model: RXModel?) {
        c.features[levelIndex] = c.level
        guard let model else { return }
        func d2(_ c: (Float, Float, Float)) -> Float {
            let u0 = c.0 - model.mean.0, u1 = c.1 - model.mean.1, u2 = c.2 - model.mean.2
            return u0 * (model.a00 * u0 + model.a01 * u1 + model.a02 * u2) + u1 * (model.a11 * u1 + model.a12 * u2)
                + model.a22 * u2 * u2
        }
        c.features[rxPeakIndex] = max(0, d2(c.peakColour)).squareRoot()
        c.features[rxMeanIndex] = max(0, d2(c.meanColour)).squareRoot()
    }
}

/// The per-pixel loops of `ColourFeatures.compute`, kept out of line so they vectorise.
enum ColourFeatureKernels {
    /// Writes, for `count` RGBX pixels `step` apart from `q`, the Euclidean distance of the pixel's Y-Cb-Cr from
    /// `mean` (Y, Cb, Cr), with exactly the arithmetic of `ColourFeatures.ycc` and the distance it is used in.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    static func distances(
        _ q: UnsafePointer<UInt32>, count: Int, step: Int, from mean: (Float, Float, Float), into out: UnsafeMutablePointer<Float>
    ) {
        let m0 = mean.0, m1 = mean.1, m2 = mean.2
        @inline(__always) func distance(_ v: UInt32) -> Float {
            let r = Float(Int32(bitPattern: v & 0xFF)), g = Float(Int32(bitPattern: (v &>> 8) & 0xFF))
            let b = Float(Int32(bitPattern: (v &>> 16) & 0xFF))
            let (l, cb, cr) = ColourFeatures.ycc(r, g, b)
            return ((l - m0) * (l - m0) + (cb - m1) * (cb - m1) + (cr - m2) * (cr - m2)).squareRoot()
        }
        if step == 1 {
            for i in 0..<count { out[i] = distance(UInt32(littleEndian: q[i])) }
        } else {
            for i in 0..<count { out[i] = distance(UInt32(littleEndian: q[i &* step])) }
        }
    }

    /// How many of `values[0..<count]` are at least `threshold`.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)
    static func count(_ values: UnsafePointer<Float>, _ count: Int, atLeast threshold: Float) -> Int {
        var n: UInt32 = 0
        for i in 0..<count { n &+= values[i] >= threshold ? 1 : 0 }
        return Int(n)
    }
}
