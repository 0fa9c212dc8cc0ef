/// A connected group of above-threshold pixels and its statistics, at the decoded scale.
public struct Blob: Sendable, Equatable {
    public var minX: Int, minY: Int, maxX: Int, maxY: Int
    /// Pixels in the blob.
    public var area: Int
    /// Sum of the pixels' scores.
    public var scoreSum: Double
    /// Highest pixel score, and where it is.
    public var peak: Float
    public var peakX: Int, peakY: Int

    public var width: Int { maxX - minX + 1 }
    public var height: Int { maxY - minY + 1 }
    public var meanScore: Double { area > 0 ? scoreSum / Double(area) : 0 }

    mutating func absorb(_ o: Blob) {
        minX = min(minX, o.minX); minY = min(minY, o.minY)
        maxX = max(maxX, o.maxX); maxY = max(maxY, o.maxY)
        area += o.area
        scoreSum += o.scoreSum
        if o.peak > peak || (o.peak == peak && (o.peakY, o.peakX) < (peakY, peakX)) {
            peak = o.peak; peakX = o.peakX; peakY = o.peakY
        }
    }
}

extension Blob {
    /// The shape features both detector families start with, at indices 0–6: area, width, height, elongation
    /// (longer side over shorter), fill (area over box area), peak score, mean score.
    func writeShapeFeatures(into f: inout [Float]) {
        let w = Float(width), h = Float(height)
        f[0] = Float(area)
        f[1] = w
        f[2] = h
        f[3] = max(w, h) / min(w, h)
        f[4] = Float(area) / (w * h)
        f[5] = peak
        f[6] = Float(meanScore)
    }
}

/// A horizontal run of above-threshold pixels `[x0, x1)` on one row, with its score statistics.
public struct Run: Sendable, Equatable {
    public var x0: Int, x1: Int
    public var scoreSum: Double
    public var peak: Float
    public var peakX: Int

    public init(x0: Int, x1: Int, scoreSum: Double, peak: Float, peakX: Int) {
        self.x0 = x0
        self.x1 = x1
        self.scoreSum = scoreSum
        self.peak = peak
        self.peakX = peakX
    }
}

/// Streaming connected-component labelling (8-connectivity) of runs that arrive one row at a time, top to bottom.
///
/// Holds only the previous row's runs and the blobs still open, so a frame is labelled across bands without
/// being held whole. A blob is reported as soon as a row passes without extending it. The strongest
/// `maxBlobs` blobs (by peak score) are kept; weaker ones are dropped as they finish, so memory stays bounded
/// even for a frame full of noise.
///
/// - Complexity: O(runs · α) per frame; arrays are reused across frames.
public struct RunLabeler {
    private var parent: [Int32] = []
    private var stats: [Blob] = []
    private var lastRow: [Int32] = []
    private var previous: [(x0: Int, x1: Int, id: Int32)] = []
    private var current: [(x0: Int, x1: Int, id: Int32)] = []
    private var previousY = Int.min
    public private(set) var finished: [Blob] = []
    public var maxBlobs: Int
    /// Blobs dropped because more than `maxBlobs` finished.
    public private(set) var dropped = 0

    public init(maxBlobs: Int = 1000) {
        self.maxBlobs = max(1, maxBlobs)
    }

    /// Forgets everything, keeping the memory.
    public mutating func reset() {
        parent.removeAll(keepingCapacity: true)
        stats.removeAll(keepingCapacity: true)
        lastRow.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        current.removeAll(keepingCapacity: true)
        finished.removeAll(keepingCapacity: true)
        previousY = Int.min
        dropped = 0
    }

    private mutating func find(_ i: Int32) -> Int32 {
        var r = i
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = i
        while parent[Int(c)] != r {
            let next = parent[Int(c)]
            parent[Int(c)] = r
            c = next
        }
        return r
    }

    /// Adds the runs of row `y` (sorted by x, not overlapping). Rows must come in increasing order; skipped rows
    /// count as empty.
    public mutating func add(row y: Int, runs: some Collection<Run>) {
        precondition(y > previousY, "rows must arrive top to bottom")
        if y != previousY + 1 { closeRow(before: y, keep: false) }
        current.removeAll(keepingCapacity: true)
        var p = 0  // first previous run that might touch the current one
        for run in runs {
            precondition(run.x1 > run.x0)
            var root: Int32 = -1
            // 8-connectivity: a previous run [a, b) touches [x0, x1) when a <= x1 and b >= x0.
            while p < previous.count && previous[p].x1 < run.x0 { p += 1 }
            var q = p
            if y == previousY + 1 {
                while q < previous.count && previous[q].x0 <= run.x1 {
                    let r = find(previous[q].id)
                    if root < 0 {
                        root = r
                    } else if r != root {
                        // Merge the younger root into the older one.
                        let (keep, drop) = r < root ? (r, root) : (root, r)
                        parent[Int(drop)] = keep
                        stats[Int(keep)].absorb(stats[Int(drop)])
                        lastRow[Int(keep)] = max(lastRow[Int(keep)], lastRow[Int(drop)])
                        root = keep
                    }
                    q += 1
                }
            }
            let blob = Blob(
                minX: run.x0, minY: y, maxX: run.x1 - 1, maxY: y, area: run.x1 - run.x0, scoreSum: run.scoreSum,
                peak: run.peak, peakX: run.peakX, peakY: y)
            if root < 0 {
                root = Int32(stats.count)
                parent.append(root)
                stats.append(blob)
                lastRow.append(Int32(y))
            } else {
                stats[Int(root)].absorb(blob)
                lastRow[Int(root)] = Int32(y)
            }
            current.append((run.x0, run.x1, root))
        }
        closeRow(before: y, keep: true)
        previousY = y
    }

    /// Row `y` has no runs: the blobs of the row before it close now, not when the next row with runs arrives, which
    /// may be hundreds of rows later, after the rows around them have left the caller's ring. The blobs are the same
    /// either way; only when they are handed over changes.
    public mutating func addEmpty(row y: Int) {
        precondition(y > previousY, "rows must arrive top to bottom")
        if !previous.isEmpty { closeRow(before: y, keep: false) }
        previousY = y
    }

    /// Reports every blob of the previous row that row `y` did not extend, then makes the current row previous.
    private mutating func closeRow(before y: Int, keep: Bool) {
        let limit = Int32(clamping: y)
        for r in previous {
            let root = find(r.id)
            if lastRow[Int(root)] < limit && lastRow[Int(root)] >= 0 {
                emit(stats[Int(root)])
                lastRow[Int(root)] = -1  // reported
            }
        }
        if keep {
            swap(&previous, &current)
        } else {
            previous.removeAll(keepingCapacity: true)
        }
    }

    /// Hands over the blobs closed so far (in the order they closed) and forgets them.
    public mutating func drainClosed(into out: inout [Blob]) {
        out.append(contentsOf: finished)
        finished.removeAll(keepingCapacity: true)
    }

    /// Closes every open blob without sorting or capping; the caller drains them with `drainClosed`.
    public mutating func closeAll() {
        closeRow(before: Int.max, keep: false)
        previousY = Int.max - 1
    }

    /// Closes every open blob; call once after the last row. Returns the kept blobs, strongest first.
    public mutating func finish() -> [Blob] {
        closeRow(before: Int.max, keep: false)
        previousY = Int.max - 1
        finished.sort { $0.peak > $1.peak || ($0.peak == $1.peak && ($0.minY, $0.minX) < ($1.minY, $1.minX)) }
        if finished.count > maxBlobs {
            dropped += finished.count - maxBlobs
            finished.removeLast(finished.count - maxBlobs)
        }
        return finished
    }

    private mutating func emit(_ b: Blob) {
        finished.append(b)
        if finished.count >= 2 * maxBlobs {
            finished.sort { $0.peak > $1.peak || ($0.peak == $1.peak && ($0.minY, $0.minX) < ($1.minY, $1.minX)) }
            dropped += finished.count - maxBlobs
            finished.removeLast(finished.count - maxBlobs)
        }
    }
}
