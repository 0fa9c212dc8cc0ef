import SpotterImaging

/// The features of a thermal candidate, computed from the decoded rows around it while they are in the ring.
///
/// "Inside" is the candidate's box; the "ring" is the band of `ringWidth` pixels around it. Signs are chosen so that
/// "more like the anomaly" is positive for cold spots too (their contrasts are negated).
public enum ThermalFeatures {
    public static let names: [String] = [
        "area", "width", "height", "elongation", "fill", "peak_z", "mean_z",
        "contrast", "contrast_in_ring_sd", "ring_sd", "inside_sd", "peak_minus_ring", "background", "local_scale",
        "frame_median", "frame_scale", "peak_vs_frame", "touches_border", "cold", "half_max_area",
        "half_max_fraction", "aspect", "y_fraction", "ring_extreme_minus_peak",
    ]

    static let frameMedianIndex = 14, frameScaleIndex = 15, peakVsFrameIndex = 16
    static let peakValueSlot = names.count  // scratch slot: the peak value, kept until the frame is finished

    /// Features of `blob` from rows `rows` of `ring` (the ones still available), with the mesh background and scale
    /// at its peak. Frame-level features are filled by `finish`.
    static func compute(
        blob: Blob, kind: CandidateKind, ring: RowRing, rows: Range<Int>, width: Int, height: Int,
        bytesPerSample: Int, ringWidth m: Int, background: Float, localScale: Float
    ) -> [Float] {
        let cold = kind == .coldspot
        let sign: Float = cold ? -1 : 1
        let x0 = max(0, blob.minX - m), x1 = min(width, blob.maxX + 1 + m)
        let y0 = max(rows.lowerBound, blob.minY - m), y1 = min(rows.upperBound, blob.maxY + 1 + m)
        var inN = 0.0, inSum = 0.0, inSq = 0.0
        var ringN = 0.0, ringSum = 0.0, ringSq = 0.0
        var peakValue: Float = -.infinity  // in "anomaly" orientation (sign × value)
        var ringExtreme: Float = -.infinity
        for y in y0..<max(y0, y1) {
            let raw = ring.row(y)
            let insideRow = y >= blob.minY && y <= blob.maxY
            for x in x0..<x1 {
                let v = bytesPerSample == 2
                    ? Float(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x]))
                    : Float(raw.assumingMemoryBound(to: UInt8.self)[x])
                let d = Double(v)
                if insideRow && x >= blob.minX && x <= blob.maxX {
                    inN += 1; inSum += d; inSq += d * d
                    peakValue = max(peakValue, sign * v)
                } else {
                    ringN += 1; ringSum += d; ringSq += d * d
                    ringExtreme = max(ringExtreme, sign * v)
                }
            }
        }
        let inMean = inN > 0 ? inSum / inN : 0
        let inSD = inN > 0 ? max(0, inSq / inN - inMean * inMean).squareRoot() : 0
        let ringMean = ringN > 0 ? ringSum / ringN : inMean
        let ringSD = ringN > 0 ? max(0, ringSq / ringN - ringMean * ringMean).squareRoot() : 0
        if peakValue == -.infinity { peakValue = sign * Float(inMean) }
        if ringExtreme == -.infinity { ringExtreme = peakValue }
        // Pixels of the box at least half-way from the ring's mean to the peak: the size of the warm (cold) core.
        let half = (Double(peakValue) + Double(sign) * ringMean) / 2
        var halfArea = 0
        for y in max(y0, blob.minY)..<max(max(y0, blob.minY), min(y1, blob.maxY + 1)) {
            let raw = ring.row(y)
            for x in blob.minX...blob.maxX {
                let v = bytesPerSample == 2
                    ? Double(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x]))
                    : Double(raw.assumingMemoryBound(to: UInt8.self)[x])
                if Double(sign) * v >= half { halfArea += 1 }
            }
        }
        let w = Float(blob.width), h = Float(blob.height)
        let contrast = Float(Double(sign) * (inMean - ringMean))
        var f = [Float](repeating: 0, count: names.count + 1)
        f[0] = Float(blob.area)
        f[1] = w
        f[2] = h
        f[3] = max(w, h) / min(w, h)
        f[4] = Float(blob.area) / (w * h)
        f[5] = blob.peak
        f[6] = Float(blob.meanScore)
        f[7] = contrast
        f[8] = contrast / Float(max(ringSD, 1))
        f[9] = Float(ringSD)
        f[10] = Float(inSD)
        f[11] = peakValue - sign * Float(ringMean)
        f[12] = background
        f[13] = localScale
        // 14…16: frame level, see `finish`.
        f[17] = (blob.minX == 0 || blob.minY == 0 || blob.maxX == width - 1 || blob.maxY == height - 1) ? 1 : 0
        f[18] = cold ? 1 : 0
        f[19] = Float(halfArea)
        f[20] = Float(halfArea) / (w * h)
        f[21] = w / h
        f[22] = (Float(blob.minY) + h / 2) / Float(height)
        f[23] = ringExtreme - peakValue
        f[peakValueSlot] = sign * peakValue  // raw peak value, for the frame-level feature
        return f
    }

    /// Fills the frame-level features once the frame's background statistics are known, and drops the scratch slot.
    static func finish(_ c: inout Candidate, frameMedian: Float, frameScale: Float) {
        let sign: Float = c.kind == .coldspot ? -1 : 1
        let peak = c.features[peakValueSlot]
        c.features[frameMedianIndex] = frameMedian
        c.features[frameScaleIndex] = frameScale
        c.features[peakVsFrameIndex] = sign * (peak - frameMedian) / max(frameScale, 1)
        c.features.removeLast()
    }
}
