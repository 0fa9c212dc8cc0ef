import SpotterEval
import Testing
import _SpotterTestSupport

/// A detection with its score.
func det(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ score: Double) -> (box: EvalBox, score: Double) {
    (EvalBox(x, y, w, h), score)
}

/// A 2×2 detection centred on (cx, cy).
func dot(_ cx: Double, _ cy: Double) -> EvalBox { EvalBox(cx - 1, cy - 1, 2, 2) }

@Suite("Matching: which detection finds which person")
struct MatchingTests {
    /// 3×9 person at (100, 100): half its longer side is 4.5, so it grows by max(8, 4.5) = 8 on every side, to
    /// x 92…111, y 92…117. The 2×2 probes do not overlap it (IoU 0), so only the centre rule can hit.
    @Test func smallPersonGrowsByEightPixels() {
        let person = EvalBox(100, 100, 3, 9)
        #expect(Evaluation.growth(for: person) == 8)
        #expect(Evaluation.hits(dot(101.5, 93), person))   // 7 px above the top edge: inside
        #expect(Evaluation.hits(dot(101.5, 92), person))   // 8 px: on the grown edge, which counts
        #expect(!Evaluation.hits(dot(101.5, 91), person))  // 9 px: outside
        #expect(Evaluation.hits(dot(95, 105), person))     // 5 px left of x 100: inside (93 ≥ 92)
        #expect(!Evaluation.hits(dot(91, 105), person))    // 9 px left: outside
        #expect(dot(101.5, 93).iou(person) == 0)
    }

    /// 40×20 person at (100, 100): grows by max(8, 40/2) = 20 on every side (the longer side, also vertically), to
    /// x 80…160, y 80…140.
    @Test func largePersonGrowsByHalfItsLongerSide() {
        let person = EvalBox(100, 100, 40, 20)
        #expect(Evaluation.growth(for: person) == 20)
        #expect(Evaluation.hits(dot(159, 110), person))    // 19 px right of x 140
        #expect(!Evaluation.hits(dot(161, 110), person))   // 21 px right
        #expect(Evaluation.hits(dot(120, 135), person))    // 15 px below y 120: a growth of 8 or of half the height (10) would miss
        #expect(!Evaluation.hits(dot(120, 141), person))   // 21 px below
    }

    /// Person 10×10 at the origin; detection 100×10 at the origin: intersection 10·10 = 100, union 100 + 1000 − 100
    /// = 1000, IoU = 0.1 exactly; its centre (50, 5) is far outside the grown box (x −8…18). Widening the detection
    /// to 101 gives 100 / 1010 ≈ 0.099: a miss.
    @Test func iouOfExactlyOneTenthHits() {
        let person = EvalBox(0, 0, 10, 10)
        let wide = EvalBox(0, 0, 100, 10), wider = EvalBox(0, 0, 101, 10)
        #expect(wide.iou(person) == 0.1)
        #expect(!person.grown(by: 8).containsCentre(of: wide))
        #expect(Evaluation.hits(wide, person))
        #expect(wider.iou(person) < 0.1)
        #expect(!Evaluation.hits(wider, person))
    }

    /// Persons B = (12, 0, 10, 10) (index 0) and A = (0, 0, 10, 10) (index 1); D = (5, 0, 10, 10) overlaps A by
    /// 5·10 = 50 (IoU 50/150 = 1/3) and B by 3·10 = 30 (IoU 30/170 ≈ 0.18): it hits both and finds only A, the higher
    /// IoU, though B has the lower index. B stays unfound: recall 1/2. A later E = (14, 0, 10, 10) finds B.
    @Test func oneDetectionOnTwoPersonsFindsOnlyTheBetterOne() {
        let persons = [EvalBox(12, 0, 10, 10), EvalBox(0, 0, 10, 10)]
        let d = det(5, 0, 10, 10, 0.9)
        #expect(Evaluation.hits(d.box, persons[0]) && Evaluation.hits(d.box, persons[1]))
        #expect(Evaluation.match(detections: [d], persons: persons, ignore: []) == [.found(person: 1)])
        let report = Evaluation.evaluate([FrameEvaluationInput(detections: [d], persons: persons)])
        #expect(report.truePositives == 1 && report.falseAlarms == 0 && report.duplicates == 0)
        #expect(report.maxRecall == 0.5)
        let e = det(14, 0, 10, 10, 0.5)
        #expect(Evaluation.match(detections: [e, d], persons: persons, ignore: []) == [.found(person: 0), .found(person: 1)])
    }

    /// D = (5, 0, 20, 10), centre (15, 5). A = (0, 0, 10, 10): overlap 5·10 = 50, union 200 + 100 − 50 = 250, IoU 0.2,
    /// centre distance² 10² = 100. B = (20, 0, 5, 20): overlap 5·10 = 50, union 250, IoU 0.2, distance² 7.5² + 5² =
    /// 81.25. Equal IoU: the nearer centre (B) wins. With C = (20, 0, 10, 10) instead (IoU 0.2, distance² 100) IoU and
    /// distance tie: the lower index wins.
    @Test func equalIoUGoesToTheNearerCentreThenTheLowerIndex() {
        let d = det(5, 0, 20, 10, 1)
        let a = EvalBox(0, 0, 10, 10), b = EvalBox(20, 0, 5, 20), c = EvalBox(20, 0, 10, 10)
        #expect(d.box.iou(a) == 0.2 && d.box.iou(b) == 0.2 && d.box.iou(c) == 0.2)
        #expect(Evaluation.match(detections: [d], persons: [a, b], ignore: []) == [.found(person: 1)])
        #expect(Evaluation.match(detections: [d], persons: [b, a], ignore: []) == [.found(person: 0)])
        #expect(Evaluation.match(detections: [d], persons: [a, c], ignore: []) == [.found(person: 0)])
        #expect(Evaluation.match(detections: [d], persons: [c, a], ignore: []) == [.found(person: 0)])
    }

    /// Person (0, 0, 10, 10). D1 (0.9) on it finds it; D2 (0.8, shifted by 1 px) hits only the found person: a
    /// duplicate, not counted; D3 (0.7) far away is a false alarm. Outcomes come back in input order.
    @Test func secondDetectionOnAFoundPersonIsADuplicate() {
        let person = [EvalBox(0, 0, 10, 10)]
        let d1 = det(0, 0, 10, 10, 0.9), d2 = det(1, 1, 10, 10, 0.8), d3 = det(100, 100, 10, 10, 0.7)
        #expect(Evaluation.match(detections: [d2, d3, d1], persons: person, ignore: []) == [.duplicate, .falseAlarm, .found(person: 0)])
        let report = Evaluation.evaluate([FrameEvaluationInput(detections: [d2, d3, d1], persons: person)])
        // Counted: 0.9 TP, 0.7 FP; the duplicate is in neither.
        #expect(report.truePositives == 1 && report.falseAlarms == 1 && report.duplicates == 1)
        #expect(report.curve.map(\.score) == [0.9, 0.7])
    }

    /// Equal scores keep input order: whichever comes first finds the person, the other is the duplicate.
    @Test func equalScoresMatchInInputOrder() {
        let person = [EvalBox(0, 0, 10, 10)]
        let tight = det(0, 0, 10, 10, 0.5), loose = det(3, 3, 10, 10, 0.5)
        #expect(Evaluation.match(detections: [loose, tight], persons: person, ignore: []) == [.found(person: 0), .duplicate])
        #expect(Evaluation.match(detections: [tight, loose], persons: person, ignore: []) == [.found(person: 0), .duplicate])
    }

    /// Person (0, 0, 10, 10) inside the ignore box (0, 0, 50, 50).
    /// - D1 0.9 on the person: found (a find inside an ignore region counts).
    /// - D2 0.8 at (30, 30, 6, 6), centre (33, 33) in the ignore box: ignored.
    /// - D3 0.7 at (100, 100, 4, 4): false alarm.
    /// - D4 0.6 at (48, 48, 6, 6): overlaps the ignore box but its centre (51, 51) is outside: false alarm.
    /// - D5 0.5 at (2, 2, 10, 10): hits the found person (and is centred in the ignore box): duplicate.
    /// Counted ranking: 0.9 TP, 0.7 FP, 0.6 FP: three curve points, precision 1, 1/2, 1/3, recall 1 throughout.
    @Test func ignoreBoxesExcuseFalseAlarmsOnly() {
        let persons = [EvalBox(0, 0, 10, 10)], ignore = [EvalBox(0, 0, 50, 50)]
        let dets = [
            det(0, 0, 10, 10, 0.9), det(30, 30, 6, 6, 0.8), det(100, 100, 4, 4, 0.7), det(48, 48, 6, 6, 0.6),
            det(2, 2, 10, 10, 0.5),
        ]
        #expect(
            Evaluation.match(detections: dets, persons: persons, ignore: ignore)
                == [.found(person: 0), .ignored, .falseAlarm, .falseAlarm, .duplicate])
        let report = Evaluation.evaluate([FrameEvaluationInput(detections: dets, persons: persons, ignore: ignore)])
        #expect(report.truePositives == 1 && report.falseAlarms == 2 && report.ignored == 1 && report.duplicates == 1)
        #expect(report.curve.map(\.score) == [0.9, 0.7, 0.6])
        #expect(report.curve.map(\.precision) == [1, 0.5, 1.0 / 3])
        #expect(report.ap == 1)
        #expect(report.curve.last?.fppi == 2)
    }

    /// Seeded random frames: each person is found at most once and by a detection that hits it, every detection has
    /// one outcome, and with distinct scores the outcomes do not depend on the input order.
    @Test(arguments: 0..<20 as Range<UInt64>)
    func invariantsOnSeededFrames(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func coord(_ n: Int) -> Double { Double(rng.below(n * 4)) / 4 }
        let persons = (0..<rng.below(12)).map { _ in EvalBox(coord(200), coord(200), 1 + coord(30), 1 + coord(30)) }
        let ignore = (0..<rng.below(3)).map { _ in EvalBox(coord(200), coord(200), coord(80), coord(80)) }
        var scores = Array(0..<rng.below(30)).map { Double($0) / 7 }
        scores.shuffle(using: &rng)
        let dets = scores.map { s in (box: EvalBox(coord(220), coord(220), 1 + coord(25), 1 + coord(25)), score: s) }
        let outcomes = Evaluation.match(detections: dets, persons: persons, ignore: ignore)
        #expect(outcomes.count == dets.count)
        var foundBy: [Int: Int] = [:]
        for (i, o) in outcomes.enumerated() {
            if case .found(let p) = o {
                #expect(foundBy[p] == nil, "person \(p) found twice")
                foundBy[p] = i
                #expect(Evaluation.hits(dets[i].box, persons[p]))
            }
        }
        var order = Array(dets.indices)
        order.shuffle(using: &rng)
        let shuffled = Evaluation.match(detections: order.map { dets[$0] }, persons: persons, ignore: ignore)
        for (k, i) in order.enumerated() { #expect(shuffled[k] == outcomes[i]) }
        let report = Evaluation.evaluate([FrameEvaluationInput(detections: dets, persons: persons, ignore: ignore)])
        #expect(report.truePositives + report.falseAlarms + report.duplicates + report.ignored == dets.count)
        #expect(report.truePositives == foundBy.count)
    }
}
