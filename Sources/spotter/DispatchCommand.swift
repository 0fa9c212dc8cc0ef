import ArgumentParser
import SpotterStore

extension TaskStatus: ExpressibleByArgument {}

/// `spotter dispatch DETECTION --team CALLSIGN`: creates a task.
struct DispatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch", abstract: "Send a team to a detection (or to a position): creates a task.")

    @Argument(help: "The detection's id; leave out with --position.")
    var detection: Int64?

    @Option(help: "The team's call sign.")
    var team: String

    @Option(help: "LAT,LON instead of a detection (decimal degrees).")
    var position: String?

    @Option(help: "Instructions for the team.")
    var note: String = ""

    @Flag(help: "Dispatch even a dismissed detection, or a team already on a task or out of service.")
    var force = false

    @OptionGroup var mission: MissionOption
    @OptionGroup var store: StoreArguments
    @OptionGroup var output: FormatOption

    func validate() throws {
        if detection == nil && position == nil { throw ValidationError("give a DETECTION id or --position LAT,LON") }
        if detection != nil && position != nil { throw ValidationError("give a DETECTION id or --position, not both") }
        if let position, Self.parse(position) == nil {
            throw ValidationError("--position must be LAT,LON in decimal degrees (got \(position))")
        }
    }

    static func parse(_ text: String) -> (Double, Double)? {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else { return nil }
        return (lat, lon)
    }

    func run() throws {
        let position = position.flatMap(Self.parse)
        let task = try store.with { s in
            let missionID: Int64? = (detection == nil || mission.mission != nil) ? try mission.resolve(s).id : nil
            return try s.dispatch(
                mission: missionID, detection: detection, latitude: position?.0, longitude: position?.1,
                callSign: team, instructions: note, force: force, actor: store.actorName)
        }
        RecordOutput.print([task.record], columns: [], format: output.format)
    }
}

/// `spotter task update|list`.
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Report on and list the teams' tasks.", subcommands: [Update.self, List.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report a task's progress: en-route, on-scene, then found, not-found, false-alarm; or stood-down.")

        @Argument(help: "The task's id.")
        var task: Int64

        @Option(help: "en-route, on-scene, found, not-found, false-alarm or stood-down.")
        var status: TaskStatus

        @Option(help: "With found: the person's condition as reported.")
        var condition: String?

        @Option(help: "A note for the log.")
        var note: String = ""

        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let update = try store.with { s in
                try s.updateTask(id: task, status: status, condition: condition, note: note, actor: store.actorName)
            }
            RecordOutput.print([update.record], columns: [], format: output.format)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The mission's tasks and where each stands.")
        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let tasks = try store.with { s in try s.tasks(mission: try mission.resolve(s).id) }
            RecordOutput.print(
                tasks.map(\.record),
                columns: ["id", "team", "detection", "latitude", "longitude", "status", "condition", "instructions",
                          "assigned_by", "assigned_at", "updated_at"], format: output.format)
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
