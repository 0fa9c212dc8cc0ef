/// Greedy non-maximum suppression.
public enum NonMaximumSuppression {
    /// Keeps detections best first, dropping any that overlaps an already kept one by `iou` or more; at most
    /// `limit` are kept, and once `after` are kept, none scored under `floor`. Ties in score keep the top-left one
    /// first, so the result does not depend on input order.
    ///
    /// - Complexity: O(n log n + n · kept).
    public static func apply(
        _ detections: [Detection], iou: Double, limit: Int, floor: Double = -.infinity, after: Int = Int.max
    ) -> [Detection] {
        let sorted = detections.sorted(by: rankedBefore)
        var kept: [Detection] = []
        kept.reserveCapacity(min(limit, sorted.count))
        for d in sorted {
            if kept.count >= limit { break }
            // Sorted by score: past `after` kept, the first one under the floor ends the list.
            if kept.count >= after && d.score < floor { break }
            if kept.allSatisfy({ $0.box.iou(d.box) < iou }) { kept.append(d) }
        }
        return kept
    }

    /// Ranking order: higher score first, then top-left first.
    public static func rankedBefore(_ a: Detection, _ b: Detection) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.box.y != b.box.y { return a.box.y < b.box.y }
        if a.box.x != b.box.x { return a.box.x < b.box.x }
        return a.detector < b.detector
    }
}
