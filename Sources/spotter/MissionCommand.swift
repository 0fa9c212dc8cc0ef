import ArgumentParser
import SpotterStore

/// `spotter mission new|list|show`.
struct MissionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mission", abstract: "Create and list missions (searches) in the mission store.",
        subcommands: [New.self, List.self, Show.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a mission.")

        @Argument(help: "The mission's name (unique in the store).")
        var name: String

        @Option(help: "The area searched, in words.")
        var area: String = ""

        @Option(help: "An operational period, START or START/END (ISO 8601 times); repeatable.")
        var period: [String] = []

        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let periods = period.map { p -> OperationalPeriod in
                let parts = p.split(separator: "/", maxSplits: 1).map(String.init)
                return OperationalPeriod(start: parts.first ?? "", end: parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil)
            }
            let mission = try store.with { s in
                try s.createMission(name: name, area: area, periods: periods, actor: store.actorName)
            }
            RecordOutput.print([mission.record], columns: [], format: output.format)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the missions.")
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let missions = try store.with { try $0.missions() }
            RecordOutput.print(
                missions.map(\.record), columns: ["id", "name", "area", "periods", "created", "by"], format: output.format)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One mission with its counts: frames, detections, reviews, teams, tasks.")

        @Argument(help: "The mission (default: SPOTTER_MISSION, else the most recent).")
        var name: String?

        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let record = try store.with { s -> Record in
                let m = try s.mission(named: name ?? environment("SPOTTER_MISSION"))
                let frames = try s.frames(mission: m.id)
                let detections = try s.detections(mission: m.id, filter: DetectionFilter())
                let teams = try s.teams(mission: m.id)
                let tasks = try s.tasks(mission: m.id)
                func count(_ v: Verdict) -> FieldValue { .int(detections.filter { $0.verdict == v }.count) }
                return m.record + [
                    ("frames", .int(frames.count)), ("failed", .int(frames.filter { $0.status == .failed }.count)),
                    ("detections", .int(detections.count)), ("confirmed", count(.confirmed)),
                    ("dismissed", count(.dismissed)), ("unsure", count(.unsure)),
                    ("unreviewed", .int(detections.filter { $0.verdict == nil }.count)), ("teams", .int(teams.count)),
                    ("tasks", .int(tasks.count)), ("active_tasks", .int(tasks.filter { $0.status.isActive }.count)),
                ]
            }
            RecordOutput.print([record], columns: [], format: output.format)
        }
    }
}
