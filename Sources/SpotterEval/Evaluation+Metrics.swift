extension Evaluation {
    /// Matches every frame and computes the protocol's metrics over all of them.
    ///
    /// Counted detections (found persons and false alarms) of all frames are pooled and ranked by score; the
    /// thresholds lie between distinct scores only, so detections with equal scores enter together.
    ///
    /// - Complexity: the matching of each frame, plus O(n log n) for n counted detections.
    public static func evaluate(_ frames: [FrameEvaluationInput]) -> EvaluationReport {
        var counted: [(score: Double, positive: Bool)] = []
        var frameScores: [(score: Double, positive: Bool)] = []
        var persons = 0, positiveFrames = 0, duplicates = 0, ignored = 0
        for frame in frames {
            persons += frame.persons.count
            if frame.hasPerson { positiveFrames += 1 }
            let outcomes = match(detections: frame.detections, persons: frame.persons, ignore: frame.ignore)
            for (detection, outcome) in zip(frame.detections, outcomes) {
                let score = rankingScore(detection.score)
                switch outcome {
                case .found: counted.append((score, true))
                case .falseAlarm: counted.append((score, false))
                case .duplicate: duplicates += 1
                case .ignored: ignored += 1
                }
            }
            if let best = frame.detections.lazy.map({ rankingScore($0.score) }).max() {
                frameScores.append((best, frame.hasPerson))
            }
        }
        let curve = rankedCurve(counted, positives: persons, frames: frames.count)
        let frameCurve = rankedCurve(frameScores, positives: positiveFrames, frames: frames.count)
        let last = curve.last
        var bestF1 = 0.0
        var bestF1Threshold: Double? = nil
        for point in curve where point.f1 > bestF1 {
            bestF1 = point.f1
            bestF1Threshold = point.score
        }
        return EvaluationReport(
            frames: frames.count, persons: persons, positiveFrames: positiveFrames,
            truePositives: last?.truePositives ?? 0, falseAlarms: last?.falseAlarms ?? 0, duplicates: duplicates,
            ignored: ignored, maxRecall: last?.recall ?? 0,
            ap: persons > 0 ? averagePrecision(curve, positives: persons) : nil,
            bestF1: bestF1, bestF1Threshold: bestF1Threshold,
            frameAP: positiveFrames > 0 ? averagePrecision(frameCurve, positives: positiveFrames) : nil,
            curve: curve, frameCurve: frameCurve)
    }

    /// The cumulative counts after each distinct score, best first.
    ///
    /// - Parameters:
    ///   - items: scored items, each a positive (true positive) or not (false alarm); in any order. NaN scores rank
    ///     as −∞.
    ///   - positives: the recall denominator (may exceed the positive items: those never found).
    ///   - frames: the FPPI denominator.
    public static func rankedCurve(
        _ items: [(score: Double, positive: Bool)], positives: Int, frames: Int
    ) -> [CurvePoint] {
        let ranked = items.map { (score: rankingScore($0.score), positive: $0.positive) }.sorted { $0.score > $1.score }
        var curve: [CurvePoint] = []
        var tp = 0, fp = 0, i = 0
        while i < ranked.count {
            let score = ranked[i].score
            while i < ranked.count && ranked[i].score == score {
                if ranked[i].positive { tp += 1 } else { fp += 1 }
                i += 1
            }
            curve.append(
                CurvePoint(
                    score: score, truePositives: tp, falseAlarms: fp,
                    recall: positives > 0 ? Double(tp) / Double(positives) : 0,
                    precision: Double(tp) / Double(tp + fp),
                    fppi: frames > 0 ? Double(fp) / Double(frames) : 0))
        }
        return curve
    }

    /// Area under the interpolated precision–recall curve, as in PASCAL VOC 2010 and later: recall starts at 0, the
    /// precision at each point is the best precision at that recall or beyond, summed over every recall step.
    ///
    /// Summed in whole true positives and divided by `positives` once, so a perfect ranking gives exactly 1.
    ///
    /// - Parameter positives: the recall denominator the curve was built with (must be > 0).
    public static func averagePrecision(_ curve: [CurvePoint], positives: Int) -> Double {
        precondition(positives > 0, "average precision needs at least one positive")
        var area = 0.0, envelope = 0.0
        for i in curve.indices.reversed() {
            envelope = max(envelope, curve[i].precision)
            let previous = i > 0 ? curve[i - 1].truePositives : 0
            area += Double(curve[i].truePositives - previous) * envelope
        }
        return area / Double(positives)
    }
}
