import SpotterEval
import Testing
import _SpotterTestSupport

/// Person `i` of a synthetic frame: 10×10 boxes 100 px apart along the top.
func person(_ i: Int) -> EvalBox { EvalBox(Double(100 * i), 0, 10, 10) }

/// A detection exactly on person `i`.
func onPerson(_ i: Int, _ score: Double) -> (box: EvalBox, score: Double) { (person(i), score) }

/// A detection far from every synthetic person (the `k`-th, so several do not overlap each other).
func stray(_ k: Int, _ score: Double) -> (box: EvalBox, score: Double) { (EvalBox(Double(50 * k), 500, 10, 10), score) }

/// `a ≈ b` to 1e-12.
func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-12 } ?? false }

@Suite("Metrics: recall at FPPI, AP, best F1, frame AP")
struct MetricsTests {
    /// Frame 1: persons P0, P1; a TP on P0 and a stray FP, both scored 0.5. Frame 2: empty, no detections.
    /// Equal scores enter together: one curve point (TP 1, FP 1, recall 1/2, precision 1/2, FPPI 1/2), not two.
    /// AP = (1/2 − 0) · 1/2 = 0.25 (TP first would give 0.5). Best F1 = 2 · ¼ / 1 = 0.5 at 0.5.
    /// recall@0.25 FPPI = 0 (the only threshold has FPPI 0.5; TP first would give 0.5), recall@0.5 = recall@1 = 0.5.
    @Test func equalScoresAreOneThresholdStep() {
        let frames = [
            FrameEvaluationInput(detections: [onPerson(0, 0.5), stray(0, 0.5)], persons: [person(0), person(1)]),
            FrameEvaluationInput(detections: [], persons: []),
        ]
        for input in [frames, frames.map { var f = $0; f.detections.reverse(); return f }] {
            let r = Evaluation.evaluate(input)
            #expect(r.curve == [CurvePoint(score: 0.5, truePositives: 1, falseAlarms: 1, recall: 0.5, precision: 0.5, fppi: 0.5)])
            #expect(r.ap == 0.25)
            #expect(r.bestF1 == 0.5 && r.bestF1Threshold == 0.5)
            #expect(r.recallAt(fppi: 0.25) == 0)
            #expect(r.recallAt(fppi: 0.5) == 0.5 && r.recallAt(fppi: 1) == 0.5)
            #expect(r.frames == 2 && r.persons == 2 && r.maxRecall == 0.5)
        }
    }

    /// One frame, 3 persons, ranking TP 0.9, FP 0.8, TP 0.7, FP 0.6:
    ///   0.9: TP 1 FP 0  R 1/3 P 1     F1 2·(1/3)/(4/3) = 1/2
    ///   0.8: TP 1 FP 1  R 1/3 P 1/2   F1 2·(1/6)/(5/6) = 2/5
    ///   0.7: TP 2 FP 1  R 2/3 P 2/3   F1 2/3
    ///   0.6: TP 2 FP 2  R 2/3 P 1/2   F1 2·(1/3)/(7/6) = 4/7
    /// Envelope from the right: 1, 2/3, 2/3, 1/2. AP = 1/3 · 1 + 1/3 · 2/3 = 5/9 ≈ 0.5556.
    /// Best F1 = 2/3 at 0.7; max recall 2/3. One frame, so FPPI = FP: recall@0.5 FPPI (0 FP) = 1/3, recall@1 (≤ 1 FP,
    /// reached at 0.8; the TP at 0.7 costs no further FP) = 2/3, recall@5 = 2/3.
    @Test func apOnAKnownRanking() {
        let frame = FrameEvaluationInput(
            detections: [onPerson(0, 0.9), stray(0, 0.8), onPerson(1, 0.7), stray(1, 0.6)],
            persons: [person(0), person(1), person(2)])
        let r = Evaluation.evaluate([frame])
        #expect(r.curve.map(\.truePositives) == [1, 1, 2, 2] && r.curve.map(\.falseAlarms) == [0, 1, 1, 2])
        #expect(close(r.ap, 5.0 / 9))
        #expect(close(r.bestF1, 2.0 / 3) && r.bestF1Threshold == 0.7)
        #expect(close(r.maxRecall, 2.0 / 3))
        #expect(r.truePositives == 2 && r.falseAlarms == 2)
        #expect(close(r.recallAt(fppi: 0.5), 1.0 / 3))
        #expect(close(r.recallAt(fppi: 1), 2.0 / 3) && close(r.recallAt(fppi: 5), 2.0 / 3) && close(r.recallAt(fppi: 10), 2.0 / 3))
    }

    /// 2 persons, ranking FP 0.9, TP 0.8, TP 0.7: points (R 0, P 0), (1/2, 1/2), (1, 2/3). The envelope lifts the
    /// precision at recall 1/2 to 2/3: AP = 1/2 · 2/3 + 1/2 · 2/3 = 2/3 (the raw curve would give 1/4 + 1/3 = 7/12).
    /// Best F1 at 0.7: 2 · (2/3) · 1 / (5/3) = 4/5.
    @Test func envelopeMakesPrecisionMonotone() {
        let frame = FrameEvaluationInput(
            detections: [stray(0, 0.9), onPerson(0, 0.8), onPerson(1, 0.7)], persons: [person(0), person(1)])
        let r = Evaluation.evaluate([frame])
        #expect(close(r.ap, 2.0 / 3))
        #expect(close(r.bestF1, 0.8) && r.bestF1Threshold == 0.7)
    }

    /// Frame A: persons P0, P1, P2. Frame B: no persons. Ranking (frame): 0.9 TP(A), 0.8 FP(B), 0.7 TP(A), 0.6 FP(A),
    /// 0.5 TP(A), 0.4 FP(B). With 2 frames:
    ///   0.9: TP 1 FP 0  R 1/3  FPPI 0     P 1
    ///   0.8: TP 1 FP 1  R 1/3  FPPI 0.5   P 1/2
    ///   0.7: TP 2 FP 1  R 2/3  FPPI 0.5   P 2/3
    ///   0.6: TP 2 FP 2  R 2/3  FPPI 1     P 1/2
    ///   0.5: TP 3 FP 2  R 1    FPPI 1     P 3/5
    ///   0.4: TP 3 FP 3  R 1    FPPI 1.5   P 1/2
    /// recall@0.25 = 1/3; recall@0.5 = 2/3 (budget of 1 FP reached exactly, the TP at 0.7 still inside);
    /// recall@0.99 = 2/3; recall@1 = 1 (budget of 2 FP reached at 0.6, the TP at 0.5 costs no further FP).
    /// AP: envelope 1, 2/3, 2/3, 3/5, 3/5, 1/2 → 1/3 · 1 + 1/3 · 2/3 + 1/3 · 3/5 = 1/3 + 2/9 + 1/5 = 34/45 ≈ 0.7556.
    /// F1: 1/2, 2/5, 2/3, 4/7, 3/4, 2/3 → best 3/4 at 0.5.
    @Test func recallAtFPPIWhenTheBudgetIsReachedExactly() {
        let a = FrameEvaluationInput(
            detections: [onPerson(0, 0.9), onPerson(1, 0.7), stray(0, 0.6), onPerson(2, 0.5)],
            persons: [person(0), person(1), person(2)])
        let b = FrameEvaluationInput(detections: [stray(0, 0.8), stray(1, 0.4)], persons: [])
        let r = Evaluation.evaluate([a, b])
        #expect(r.curve.map(\.fppi) == [0, 0.5, 0.5, 1, 1, 1.5])
        #expect(close(r.recallAt(fppi: 0.25), 1.0 / 3))
        #expect(close(r.recallAt(fppi: 0.5), 2.0 / 3))
        #expect(close(r.recallAt(fppi: 0.99), 2.0 / 3))
        #expect(r.recallAt(fppi: 1) == 1 && r.recallAt(fppi: 5) == 1 && r.recallAt(fppi: 10) == 1)
        #expect(close(r.ap, 34.0 / 45))
        #expect(close(r.bestF1, 0.75) && r.bestF1Threshold == 0.5)
        #expect(r.truePositives == 3 && r.falseAlarms == 3)
    }

    /// F1: one person, found at 0.7. F2: no person, one FP at 0.8. F3, F4: no person, no detections.
    /// 4 frames: curve 0.8 (TP 0, FP 1, FPPI 1/4), 0.7 (TP 1, FP 1, FPPI 1/4). recall@0.2 = 0, recall@0.25 = 1
    /// (counting only frames with detections would make the FPPI 1/2 and recall@0.25 = 0). AP = 1 · 1/2 = 0.5.
    /// Frame AP: F2 (negative, 0.8) then F1 (positive, 0.7); F3, F4 never predicted: 1 · 1/2 = 0.5.
    @Test func emptyFramesCountInTheFPPIDenominator() {
        let frames = [
            FrameEvaluationInput(detections: [onPerson(0, 0.7)], persons: [person(0)]),
            FrameEvaluationInput(detections: [stray(0, 0.8)], persons: []),
            FrameEvaluationInput(detections: [], persons: []),
            FrameEvaluationInput(detections: [], persons: []),
        ]
        let r = Evaluation.evaluate(frames)
        #expect(r.frames == 4 && r.positiveFrames == 1)
        #expect(r.curve.map(\.fppi) == [0.25, 0.25])
        #expect(r.recallAt(fppi: 0.2) == 0 && r.recallAt(fppi: 0.25) == 1)
        #expect(r.ap == 0.5 && r.frameAP == 0.5)
        #expect(close(r.bestF1, 2.0 / 3))  // P 1/2, R 1: 2 · 1/2 / (3/2)
    }

    /// Frames (hasPerson, best score): F1 (yes, 0.9 — its other detection 0.2 does not matter), F2 (no, 0.9),
    /// F3 (yes, 0.5), F4 (no, 0.3 — an ignored detection still sets the frame's score), F5 (yes, none), F6 (no, none).
    /// 3 positives. Groups: 0.9 TP 1 FP 1 (R 1/3, P 1/2), 0.5 TP 2 FP 1 (R 2/3, P 2/3), 0.3 TP 2 FP 2 (R 2/3, P 1/2).
    /// Envelope 2/3, 2/3, 1/2: frame AP = 1/3 · 2/3 + 1/3 · 2/3 = 4/9 ≈ 0.4444 (ties broken positive-first would give
    /// 5/9). F5 is never reached.
    @Test func frameAPWithTiesAndFramesWithoutDetections() {
        let frames = [
            FrameEvaluationInput(detections: [stray(0, 0.2), stray(1, 0.9)], persons: [person(0)]),
            FrameEvaluationInput(detections: [stray(0, 0.9)], persons: []),
            FrameEvaluationInput(detections: [onPerson(0, 0.5)], persons: [person(0)]),
            FrameEvaluationInput(detections: [stray(0, 0.3)], persons: [], ignore: [EvalBox(0, 490, 40, 40)]),
            FrameEvaluationInput(detections: [], persons: [person(0)]),
            FrameEvaluationInput(detections: [], persons: []),
        ]
        let r = Evaluation.evaluate(frames)
        #expect(r.ignored == 1)
        #expect(r.frameCurve.map(\.score) == [0.9, 0.5, 0.3])
        #expect(r.frameCurve.map(\.truePositives) == [1, 2, 2] && r.frameCurve.map(\.falseAlarms) == [1, 1, 2])
        #expect(close(r.frameAP, 4.0 / 9))
    }

    /// `hasPerson` is taken as given for frame AP, even when it disagrees with the boxes.
    @Test func frameAPUsesHasPerson() {
        let frames = [
            FrameEvaluationInput(detections: [stray(0, 0.9)], persons: [], hasPerson: true),
            FrameEvaluationInput(detections: [stray(0, 0.8)], persons: [person(0)], hasPerson: false),
        ]
        let r = Evaluation.evaluate(frames)
        #expect(r.positiveFrames == 1 && r.frameAP == 1)
    }

    /// No persons: AP and frame AP are undefined (nil); recall is 0 and F1 0; false alarms still count.
    @Test func noPersonsAtAll() {
        let r = Evaluation.evaluate([
            FrameEvaluationInput(detections: [stray(0, 0.9), stray(1, 0.1)], persons: []),
            FrameEvaluationInput(detections: [], persons: []),
        ])
        #expect(r.ap == nil && r.frameAP == nil)
        #expect(r.maxRecall == 0 && r.recallAt(fppi: 10) == 0)
        #expect(r.bestF1 == 0 && r.bestF1Threshold == nil)
        #expect(r.falseAlarms == 2 && r.curve.last?.fppi == 1)
        let empty = Evaluation.evaluate([])
        #expect(empty.frames == 0 && empty.curve.isEmpty && empty.ap == nil && empty.recallAt(fppi: 1) == 0)
    }

    /// NaN scores rank below everything (as −∞) instead of breaking the sort or the grouping.
    @Test func nanScoresRankLast() {
        let frame = FrameEvaluationInput(
            detections: [stray(0, .nan), onPerson(0, 0.5), stray(1, .nan)], persons: [person(0)])
        let r = Evaluation.evaluate([frame])
        #expect(r.curve.map(\.score) == [0.5, -.infinity])
        #expect(r.ap == 1 && r.falseAlarms == 2)
    }

    /// Seeded random rankings with distinct scores: AP equals the textbook PASCAL VOC computation (one point per
    /// detection, sentinels (0, 0) and (1, 0), envelope, sum over recall changes).
    @Test(arguments: 0..<25 as Range<UInt64>)
    func apMatchesTheVOCReference(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let n = 1 + rng.below(40)
        var items = (0..<n).map { i in (score: Double(i) / 3, positive: rng.below(3) == 0) }
        items.shuffle(using: &rng)
        let positives = max(1, items.filter(\.positive).count + rng.below(4))
        let ours = Evaluation.averagePrecision(Evaluation.rankedCurve(items, positives: positives, frames: 1), positives: positives)
        #expect(abs(ours - vocAP(items, positives: positives)) <= 1e-12, "seed \(seed)")
    }

    /// With many equal scores, there is one curve point per distinct score.
    @Test(arguments: 0..<10 as Range<UInt64>)
    func onePointPerDistinctScore(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let items = (0..<(1 + rng.below(60))).map { _ in (score: Double(rng.below(8)), positive: rng.below(2) == 0) }
        let curve = Evaluation.rankedCurve(items, positives: items.count, frames: 3)
        #expect(curve.count == Set(items.map(\.score)).count)
        #expect(curve.last?.truePositives == items.filter(\.positive).count)
        #expect(curve.map(\.score) == curve.map(\.score).sorted(by: >))
    }
}

/// PASCAL VOC 2010+ AP, written as in the devkit's `VOCap`: per-detection recall/precision, then the envelope.
func vocAP(_ items: [(score: Double, positive: Bool)], positives: Int) -> Double {
    let ranked = items.sorted { $0.score > $1.score }
    var tp = 0, fp = 0
    var rec: [Double] = [0], prec: [Double] = [0]
    for item in ranked {
        if item.positive { tp += 1 } else { fp += 1 }
        rec.append(Double(tp) / Double(positives))
        prec.append(Double(tp) / Double(tp + fp))
    }
    rec.append(1)
    prec.append(0)
    for i in stride(from: prec.count - 2, through: 0, by: -1) { prec[i] = max(prec[i], prec[i + 1]) }
    var ap = 0.0
    for i in 1..<rec.count where rec[i] != rec[i - 1] { ap += (rec[i] - rec[i - 1]) * prec[i] }
    return ap
}
