/// One frame's input to `Evaluation.evaluate`: what a detector found and what the labels say.
public struct FrameEvaluationInput: Sendable {
    /// In any order; the score ranks them (higher is more likely a person).
    public var detections: [(box: EvalBox, score: Double)]
    public var persons: [EvalBox]
    public var ignore: [EvalBox]
    /// Whether the frame counts as positive for frame-level AP.
    public var hasPerson: Bool

    /// `hasPerson` defaults to whether `persons` is non-empty.
    public init(
        detections: [(box: EvalBox, score: Double)], persons: [EvalBox], ignore: [EvalBox] = [], hasPerson: Bool? = nil
    ) {
        self.detections = detections
        self.persons = persons
        self.ignore = ignore
        self.hasPerson = hasPerson ?? !persons.isEmpty
    }

    /// A labelled frame with a detector's output.
    public init(image: LabelledImage, detections: [(box: EvalBox, score: Double)]) {
        self.init(detections: detections, persons: image.persons, ignore: image.ignore, hasPerson: image.hasPerson)
    }
}

/// One threshold of a ranking: everything scoring at least `score` is accepted.
///
/// On the detection curve positives are persons found and `falseAlarms` unmatched detections; on the frame curve
/// positives are frames with a person whose best detection scores at least `score`, and `falseAlarms` frames without.
public struct CurvePoint: Sendable, Equatable {
    /// The threshold: a distinct score of the ranking (all items with this score enter together).
    public var score: Double
    public var truePositives: Int
    public var falseAlarms: Int
    /// truePositives / positives (0 when there are no positives).
    public var recall: Double
    /// truePositives / (truePositives + falseAlarms).
    public var precision: Double
    /// falseAlarms / frames.
    public var fppi: Double

    public init(score: Double, truePositives: Int, falseAlarms: Int, recall: Double, precision: Double, fppi: Double) {
        self.score = score
        self.truePositives = truePositives
        self.falseAlarms = falseAlarms
        self.recall = recall
        self.precision = precision
        self.fppi = fppi
    }

    /// 2PR / (P + R), 0 when nothing was found.
    public var f1: Double { truePositives > 0 ? 2 * precision * recall / (precision + recall) : 0 }
}

/// The metrics of DESIGN.md's evaluation protocol over a set of frames.
public struct EvaluationReport: Sendable, Equatable {
    /// Frames evaluated (every one counts in the FPPI denominator, with or without detections).
    public var frames: Int
    /// Labelled persons over all frames.
    public var persons: Int
    /// Frames with `hasPerson`.
    public var positiveFrames: Int
    /// Persons found with every detection accepted.
    public var truePositives: Int
    /// Detections that found nobody and are neither duplicates nor ignored, with every detection accepted.
    public var falseAlarms: Int
    /// Detections that hit only already-found persons (not counted).
    public var duplicates: Int
    /// Unmatched detections centred in an ignore box (not counted).
    public var ignored: Int
    /// Recall with every detection accepted (0 when there are no persons).
    public var maxRecall: Double
    /// Area under the interpolated precision–recall curve (all points, precision envelope from the right, recall from
    /// 0); nil when there are no persons.
    public var ap: Double?
    /// The best 2PR/(P+R) over the thresholds (0 when nothing is found).
    public var bestF1: Double
    /// The threshold (lowest accepted score) giving `bestF1`; nil when nothing is found.
    public var bestF1Threshold: Double?
    /// AP over frames ranked by their best detection score, positive = `hasPerson`; frames without detections are
    /// never predicted positive. Nil when no frame is positive.
    public var frameAP: Double?
    /// The detection-level curve, one point per distinct score, best first.
    public var curve: [CurvePoint]
    /// The frame-level curve, one point per distinct frame score, best first.
    public var frameCurve: [CurvePoint]

    public init(
        frames: Int, persons: Int, positiveFrames: Int, truePositives: Int, falseAlarms: Int, duplicates: Int,
        ignored: Int, maxRecall: Double, ap: Double?, bestF1: Double, bestF1Threshold: Double?, frameAP: Double?,
        curve: [CurvePoint], frameCurve: [CurvePoint]
    ) {
        self.frames = frames
        self.persons = persons
        self.positiveFrames = positiveFrames
        self.truePositives = truePositives
        self.falseAlarms = falseAlarms
        self.duplicates = duplicates
        self.ignored = ignored
        self.maxRecall = maxRecall
        self.ap = ap
        self.bestF1 = bestF1
        self.bestF1Threshold = bestF1Threshold
        self.frameAP = frameAP
        self.curve = curve
        self.frameCurve = frameCurve
    }

    /// The FPPI budgets DESIGN.md reports recall at.
    public static let standardFPPI: [Double] = [1, 5, 10]

    /// The best recall over the thresholds whose false alarms per frame are at most `fppi` (0 when none is).
    public func recallAt(fppi: Double) -> Double {
        curve.reduce(0) { $1.fppi <= fppi ? max($0, $1.recall) : $0 }
    }
}
