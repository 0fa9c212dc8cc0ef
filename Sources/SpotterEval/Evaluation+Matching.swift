/// The evaluation protocol of DESIGN.md ("Evaluation protocol"): which detection finds which person, and the
/// metrics over a set of frames.
public enum Evaluation {
    /// A detection hits a person at this IoU or more.
    public static let minimumIoU = 0.1
    /// The least a person's box is grown by for the centre rule, in pixels.
    public static let minimumGrowth = 8.0

    /// How far `person`'s box is grown on every side for the centre rule: max(8 px, half its longer side).
    public static func growth(for person: EvalBox) -> Double {
        max(minimumGrowth, person.longerSide / 2)
    }

    /// True when `detection` hits `person`: IoU ≥ 0.1, or the detection's centre lies inside (or on the edge of) the
    /// person's box grown by max(8 px, half its longer side) on every side.
    public static func hits(_ detection: EvalBox, _ person: EvalBox) -> Bool {
        if detection.iou(person) >= minimumIoU { return true }
        return person.grown(by: growth(for: person)).containsCentre(of: detection)
    }

    /// Matches one frame's detections to its persons, one-to-one and greedily by descending score.
    ///
    /// Detections are taken best first (equal scores in input order; a NaN score ranks below every other). Each
    /// takes, among the persons it hits that no better detection has found, the one with the highest IoU (then the
    /// nearest centre, then the lowest index). One that finds nobody is a `duplicate` when it hits an already-found
    /// person, else `ignored` when its centre lies inside (or on the edge of) an ignore box, else a `falseAlarm`.
    ///
    /// - Returns: one outcome per detection, in the input order.
    /// - Complexity: O(d log d + d · (p + i)) for d detections, p persons and i ignore boxes.
    public static func match(
        detections: [(box: EvalBox, score: Double)], persons: [EvalBox], ignore: [EvalBox]
    ) -> [MatchOutcome] {
        let order = detections.indices.sorted { a, b in
            let sa = rankingScore(detections[a].score), sb = rankingScore(detections[b].score)
            return sa != sb ? sa > sb : a < b
        }
        var found = [Bool](repeating: false, count: persons.count)
        var outcomes = [MatchOutcome](repeating: .falseAlarm, count: detections.count)
        for d in order {
            let box = detections[d].box
            var best: (person: Int, iou: Double, distance: Double)? = nil
            var hitsFound = false
            for (p, person) in persons.enumerated() where hits(box, person) {
                if found[p] { hitsFound = true; continue }
                let iou = box.iou(person), distance = box.centreDistanceSquared(to: person)
                if let b = best, iou < b.iou || (iou == b.iou && distance >= b.distance) { continue }
                best = (p, iou, distance)
            }
            if let best {
                found[best.person] = true
                outcomes[d] = .found(person: best.person)
            } else if hitsFound {
                outcomes[d] = .duplicate
            } else if ignore.contains(where: { $0.containsCentre(of: box) }) {
                outcomes[d] = .ignored
            } else {
                outcomes[d] = .falseAlarm
            }
        }
        return outcomes
    }

    /// The score used for ranking: NaN becomes −∞ so the order is total.
    static func rankingScore(_ score: Double) -> Double { score.isNaN ? -.infinity : score }
}

/// What one detection amounted to under the evaluation protocol.
public enum MatchOutcome: Sendable, Equatable, Hashable {
    /// It found this person (an index into the frame's persons): a true positive.
    case found(person: Int)
    /// It hit only persons already found by better detections: not counted.
    case duplicate
    /// It matched nobody and its centre lies inside an ignore box: not counted.
    case ignored
    /// Everything else: a false positive.
    case falseAlarm

    /// True for the outcomes that enter the metrics (`found` and `falseAlarm`).
    public var isCounted: Bool {
        switch self {
        case .found, .falseAlarm: true
        case .duplicate, .ignored: false
        }
    }
}
