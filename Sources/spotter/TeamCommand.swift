import ArgumentParser
import SpotterStore

extension TeamKind: ExpressibleByArgument {}
extension TeamAvailability: ExpressibleByArgument {}

/// `spotter team add|list|status`.
struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "The rescue teams of a mission.", subcommands: [Add.self, List.self, Status.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a team in to the mission.")

        @Argument(help: "The team's radio call sign (unique in the mission, whatever the case).")
        var callSign: String

        @Option(help: "lifeguard, boat, kayak, shore or drone.")
        var kind: TeamKind

        @Option(help: "Members' names, comma-separated or repeated.")
        var members: [String] = []

        @Option(help: "How to reach the team (radio channel, phone).")
        var contact: String = ""

        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let names = members.flatMap { $0.split(separator: ",").map(String.init) }
            let team = try store.with { s in
                try s.addTeam(
                    mission: try mission.resolve(s).id, callSign: callSign, kind: kind, members: names, contact: contact,
                    actor: store.actorName)
            }
            RecordOutput.print([team.record], columns: [], format: output.format)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The mission's teams and what each is doing.")
        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let teams = try store.with { s in try s.teams(mission: try mission.resolve(s).id) }
            RecordOutput.print(
                teams.map(\.record), columns: ["id", "call_sign", "kind", "members", "contact", "status", "task"],
                format: output.format)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a team's status, or set its availability with --set.")

        @Argument(help: "The team's call sign.")
        var callSign: String

        @Option(help: "available or out-of-service.")
        var set: TeamAvailability?

        @Option(help: "Why (with --set).")
        var note: String = ""

        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let team = try store.with { s -> Team in
                let m = try mission.resolve(s)
                if let set {
                    return try s.setTeamAvailability(
                        mission: m.id, callSign: callSign, availability: set, note: note, actor: store.actorName)
                }
                return try s.team(mission: m.id, callSign: callSign)
            }
            RecordOutput.print([team.record], columns: [], format: output.format)
        }
    }
}
