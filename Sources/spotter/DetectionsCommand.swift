import ArgumentParser
import SpotterStore

/// `spotter detections`: the mission's detections, ranked.
struct DetectionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detections", abstract: "List a mission's recorded detections, best score first.")

    @Option(help: "Show the K best.")
    var top: Int?

    @Flag(help: "Only detections nobody has reviewed yet.")
    var unreviewed = false

    @Option(help: "Only detections scoring at least S.")
    var minScore: Double?

    @OptionGroup var mission: MissionOption
    @OptionGroup var store: StoreArguments
    @OptionGroup var output: FormatOption

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1 (got \(top))") }
    }

    func run() throws {
        let rows = try store.with { s in
            try s.detections(
                mission: try mission.resolve(s).id,
                filter: DetectionFilter(top: top, unreviewedOnly: unreviewed, minScore: minScore))
        }
        RecordOutput.print(
            rows.map(\.record), columns: ["id", "rank", "frame", "x", "y", "w", "h", "score", "detector", "verdict"],
            format: output.format)
    }
}

/// `spotter review DETECTION confirm|dismiss|unsure`.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Record a verdict on a detection (a later review corrects an earlier one; both stay in the log).")

    enum Verb: String, ExpressibleByArgument, CaseIterable {
        case confirm, dismiss, unsure
        var verdict: Verdict {
            switch self {
            case .confirm: .confirmed
            case .dismiss: .dismissed
            case .unsure: .unsure
            }
        }
    }

    @Argument(help: "The detection's id (spotter detections shows them).")
    var detection: Int64

    @Argument(help: "confirm, dismiss or unsure.")
    var verdict: Verb

    @Option(help: "Why, in a few words.")
    var note: String = ""

    @OptionGroup var store: StoreArguments
    @OptionGroup var output: FormatOption

    func run() throws {
        let review = try store.with { s in
            try s.review(detection: detection, verdict: verdict.verdict, note: note, actor: store.actorName)
        }
        RecordOutput.print([review.record], columns: [], format: output.format)
    }
}
