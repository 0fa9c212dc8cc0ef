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
        "half_max_area", "half_max_fraction", "touches_border", "y_fraction", "aspect", "from_contrast",
    ]
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
        var ringN: Float = 0, ringY: Float = 0, ringCb: Float = 0, ringCr: Float = 0, ringYY: Float = 0, ringCC: Float = 0
        var inN: Float = 0, inY: Float = 0, inCb: Float = 0, inCr: Float = 0, inYY: Float = 0
        var inR: Float = 0, inG: Float = 0, inB: Float = 0
        // Large boxes are sampled on a grid, so no candidate costs more than about 2,000 pixel visits.
        let step = max(1, Int((Double((x1 - x0) * max(1, y1 - y0)) / 2048).squareRoot()))
        for y in stride(from: y0, to: y1, by: step) {
            let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
            let insideRow = y >= blob.minY && y <= blob.maxY
            for x in stride(from: x0, to: x1, by: step) {
                let r = Float(p[4 * x]), g = Float(p[4 * x + 1]), b = Float(p[4 * x + 2])
                let (l, cb, cr) = ycc(r, g, b)
                if insideRow && x >= blob.minX && x <= blob.maxX {
                    inN += 1; inY += l; inCb += cb; inCr += cr; inYY += l * l
                    inR += r; inG += g; inB += b
                } else {
                    ringN += 1; ringY += l; ringCb += cb; ringCr += cr; ringYY += l * l; ringCC += cb * cb + cr * cr
                }
            }
        }
        let iN = max(inN, 1)
        let inMeanY = inY / iN, inMeanCb = inCb / iN, inMeanCr = inCr / iN
        let rN = max(ringN, 1)
        let ringMeanY = ringN > 0 ? ringY / rN : inMeanY
        let ringMeanCb = ringN > 0 ? ringCb / rN : inMeanCb
        let ringMeanCr = ringN > 0 ? ringCr / rN : inMeanCr
        let ringSDY = ringN > 0 ? max(0, ringYY / rN - ringMeanY * ringMeanY).squareRoot() : 0
        let ringSDC = ringN > 0
            ? max(0, ringCC / rN - ringMeanCb * ringMeanCb - ringMeanCr * ringMeanCr).squareRoot() : 0
        let inSDY = max(0, inYY / iN - inMeanY * inMeanY).squareRoot()
        // The inside pixel farthest from the ring's mean colour, and how many are at least half as far.
        let insideRows = stride(from: max(y0, blob.minY), to: max(max(y0, blob.minY), min(y1, blob.maxY + 1)), by: step)
        let insideColumns = stride(from: blob.minX, through: blob.maxX, by: step)
        func distance(_ p: UnsafeMutablePointer<UInt8>, _ x: Int) -> (Float, (Float, Float, Float)) {
            let r = Float(p[4 * x]), g = Float(p[4 * x + 1]), b = Float(p[4 * x + 2])
            let (l, cb, cr) = ycc(r, g, b)
            let d = ((l - ringMeanY) * (l - ringMeanY) + (cb - ringMeanCb) * (cb - ringMeanCb)
                + (cr - ringMeanCr) * (cr - ringMeanCr)).squareRoot()
            return (d, (r, g, b))
        }
        var peakDistance: Float = 0
        var peak: (Float, Float, Float) = (inR / iN, inG / iN, inB / iN)
        for y in insideRows {
            let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
            for x in insideColumns {
                let (d, rgb) = distance(p, x)
                if d > peakDistance { peakDistance = d; peak = rgb }
            }
        }
        var halfCount = 0
        for y in insideRows {
            let p = ring.row(y).assumingMemoryBound(to: UInt8.self)
            for x in insideColumns where distance(p, x).0 >= peakDistance / 2 { halfCount += 1 }
        }
        let halfArea = Float(halfCount * step * step)
        let dY = inMeanY - ringMeanY, dCb = inMeanCb - ringMeanCb, dCr = inMeanCr - ringMeanCr
        let dC = (dCb * dCb + dCr * dCr).squareRoot()
        let w = Float(blob.width), h = Float(blob.height)
        var f = [Float](repeating: 0, count: names.count)
        f[0] = Float(blob.area)
        f[1] = w
        f[2] = h
        f[3] = max(w, h) / min(w, h)
        f[4] = Float(blob.area) / (w * h)
        f[5] = blob.peak
        f[6] = Float(blob.meanScore)
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
        return (f, peak, (inR / iN, inG / iN, inB / iN))
    }

    /// Fills the RX features from the whole frame's colour statistics.
    static func finish(_ c: inout Candidate, model: RXModel?) {
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
