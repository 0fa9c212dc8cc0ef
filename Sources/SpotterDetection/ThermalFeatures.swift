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
        "half_max_fraction", "aspect", "y_fraction", "ring_extreme_minus_peak", "level", "frame_candidates",
        "peak_rank_fraction", "core_elongation", "prominence", "neighbours",
    ] + (0..<49).map { "patch_\($0 / 7)_\($0 % 7)" }

    static let patchIndex = 30
    static let patchSide = 7

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
        // Large boxes are sampled on a grid, so no candidate costs more than about 2,000 pixel visits.
        let step = max(1, Int((Double((x1 - x0) * max(1, y1 - y0)) / 2048).squareRoot()))
        for y in stride(from: y0, to: max(y0, y1), by: step) {
            let raw = ring.row(y)
            let insideRow = y >= blob.minY && y <= blob.maxY
            for x in stride(from: x0, to: x1, by: step) {
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
        // Second moments of the core, for its elongation whatever its orientation.
        var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0, n = 0.0
        for y in stride(from: max(y0, blob.minY), to: max(max(y0, blob.minY), min(y1, blob.maxY + 1)), by: step) {
            let raw = ring.row(y)
            for x in stride(from: blob.minX, through: blob.maxX, by: step) {
                let v = bytesPerSample == 2
                    ? Double(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x]))
                    : Double(raw.assumingMemoryBound(to: UInt8.self)[x])
                if Double(sign) * v >= half {
                    halfArea += step * step
                    let fx = Double(x), fy = Double(y)
                    sx += fx; sy += fy; sxx += fx * fx; syy += fy * fy; sxy += fx * fy; n += 1
                }
            }
        }
        var coreElongation: Float = 1
        if n > 1 {
            let cxx = sxx / n - (sx / n) * (sx / n), cyy = syy / n - (sy / n) * (sy / n), cxy = sxy / n - (sx / n) * (sy / n)
            let mean = (cxx + cyy) / 2, diff = ((cxx - cyy) * (cxx - cyy) / 4 + cxy * cxy).squareRoot()
            let l1 = mean + diff, l2 = max(mean - diff, 1.0 / 12)  // 1/12: the variance of one pixel's extent
            coreElongation = Float((max(l1, 1.0 / 12) / l2).squareRoot())
        }
        let w = Float(blob.width), h = Float(blob.height)
        let contrast = Float(Double(sign) * (inMean - ringMean))
        var f = [Float](repeating: 0, count: names.count + 1)
        blob.writeShapeFeatures(into: &f)
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
        f[27] = coreElongation
        // A coarse picture of the candidate and its surroundings: a square around the box's centre, 1.5 times its
        // longer side plus the ring, averaged over a 5 × 5 grid, in local deviations from the background (signed
        // so that "like the anomaly" is positive).
        let side = Float(max(blob.width, blob.height)) * 1.5 + Float(2 * m)
        let cx = Float(blob.minX + blob.maxX + 1) / 2, cy = Float(blob.minY + blob.maxY + 1) / 2
        let cellSide = side / Float(patchSide)
        for gy in 0..<patchSide {
            for gx in 0..<patchSide {
                let px0 = Int((cx - side / 2 + Float(gx) * cellSide).rounded(.down))
                let py0 = Int((cy - side / 2 + Float(gy) * cellSide).rounded(.down))
                let px1 = max(px0 + 1, Int((cx - side / 2 + Float(gx + 1) * cellSide).rounded(.down)))
                let py1 = max(py0 + 1, Int((cy - side / 2 + Float(gy + 1) * cellSide).rounded(.down)))
                let sx0 = max(0, px0), sx1 = min(width, px1), sy0 = max(rows.lowerBound, py0), sy1 = min(rows.upperBound, py1)
                var sum: Float = 0, count: Float = 0
                let stepX = max(1, (sx1 - sx0) / 4), stepY = max(1, (sy1 - sy0) / 4)
                if sx1 > sx0 && sy1 > sy0 {
                    for y in stride(from: sy0, to: sy1, by: stepY) {
                        let raw = ring.row(y)
                        for x in stride(from: sx0, to: sx1, by: stepX) {
                            sum += bytesPerSample == 2
                                ? Float(UInt16(littleEndian: raw.assumingMemoryBound(to: UInt16.self)[x]))
                                : Float(raw.assumingMemoryBound(to: UInt8.self)[x])
                            count += 1
                        }
                    }
                }
                // Outside the frame (or the rows kept): the background itself, i.e. 0.
                f[patchIndex + gy * patchSide + gx] = count > 0 ? sign * (sum / count - background) / max(localScale, 1e-3) : 0
            }
        }
        f[peakValueSlot] = sign * peakValue  // raw peak value, for the frame-level feature
        return f
    }

    /// Fills the frame-level features once the frame's background statistics and all its candidates are known, and
    /// drops the scratch slot.
    static func finish(_ candidates: inout [Candidate], frameMedian: Float, frameScale: Float) {
        let peaks = candidates.map(\.blob.peak).sorted()
        for i in candidates.indices {
            let sign: Float = candidates[i].kind == .coldspot ? -1 : 1
            let peak = candidates[i].features[peakValueSlot]
            candidates[i].features[frameMedianIndex] = frameMedian
            candidates[i].features[frameScaleIndex] = frameScale
            candidates[i].features[peakVsFrameIndex] = sign * (peak - frameMedian) / max(frameScale, 1)
            candidates[i].features[levelIndex] = candidates[i].level
            candidates[i].features[frameCandidatesIndex] = Float(candidates.count)
            // Fraction of the frame's candidates with a stronger peak (0: the strongest).
            let stronger = peaks.count - upperBound(peaks, candidates[i].blob.peak)
            candidates[i].features[rankIndex] = Float(stronger) / Float(max(1, peaks.count))
            candidates[i].features[prominenceIndex] = candidates[i].blob.peak - candidates[i].level
            candidates[i].features.removeLast()
        }
        countNeighbours(&candidates, index: neighboursIndex)
    }

    static let prominenceIndex = 28, neighboursIndex = 29

    /// Writes, for each candidate, how many other candidates of the same kind and level have their centre within
    /// three box diagonals of its centre (isolated warm spots are more person-like than rows of lamps or car parts).
    ///
    /// - Complexity: O(n · k) with a grid of buckets, k the candidates in nearby buckets.
    static func countNeighbours(_ candidates: inout [Candidate], index: Int) {
        struct Key: Hashable { var kind: CandidateKind; var level: Float; var gx: Int; var gy: Int }
        let bucket = 32
        var grid: [Key: [Int]] = [:]
        func centre(_ b: Blob) -> (Float, Float) { (Float(b.minX + b.maxX) / 2, Float(b.minY + b.maxY) / 2) }
        for (i, c) in candidates.enumerated() {
            let (x, y) = centre(c.blob)
            grid[Key(kind: c.kind, level: c.level, gx: Int(x) / bucket, gy: Int(y) / bucket), default: []].append(i)
        }
        for i in candidates.indices {
            let b = candidates[i].blob
            let (x, y) = centre(b)
            let radius = 3 * Float(b.width * b.width + b.height * b.height).squareRoot()
            let reach = Int(radius) / bucket + 1
            var count = 0
            for gy in Int(y) / bucket - reach...Int(y) / bucket + reach {
                for gx in Int(x) / bucket - reach...Int(x) / bucket + reach {
                    for j in grid[Key(kind: candidates[i].kind, level: candidates[i].level, gx: gx, gy: gy)] ?? [] where j != i {
                        let (ox, oy) = centre(candidates[j].blob)
                        if (ox - x) * (ox - x) + (oy - y) * (oy - y) <= radius * radius { count += 1 }
                    }
                }
            }
            candidates[i].features[index] = Float(count)
        }
    }

    static let levelIndex = 24, frameCandidatesIndex = 25, rankIndex = 26

    private static func upperBound(_ sorted: [Float], _ v: Float) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
