import ArgumentParser
import SpotterStore

/// `spotter log`, `spotter log verify`, `spotter log note`.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The mission's activity log (ICS 214 style): every change, in order, hash-chained.",
        subcommands: [Show.self, Verify.self, Note.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the activity log: time, actor, team, activity (--format csv for the paper trail).")

        @Flag(help: "Every mission's entries, not just one mission's.")
        var all = false

        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let entries = try store.with { s in try s.log(mission: all ? nil : try mission.resolve(s).id) }
            var records = entries.map(\.record)
            if output.format == .table { records = records.map { Array($0.prefix(5)) } }
            RecordOutput.print(
                records, columns: output.format == .table ? ["id", "time", "actor", "team", "activity"]
                    : ["id", "time", "actor", "team", "activity", "kind", "refers_to", "hash"],
                format: output.format)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain and every recorded row's digest; exit 1 naming the first bad entry.")

        @OptionGroup var store: StoreArguments

        func run() throws {
            let report = try store.with { try $0.verifyLog() }
            if let first = report.problems.first {
                writeStderr("spotter: log verification failed: \(first)\n")
                for p in report.problems.dropFirst().prefix(20) { writeStderr("spotter:   also \(p)\n") }
                if report.problems.count > 21 { writeStderr("spotter:   … and \(report.problems.count - 21) more\n") }
                throw ExitCode(1)
            }
            print("log verified: \(report.entries) entries, head \(report.headHash)")
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a free-text entry; with --corrects, a correction of an earlier entry.")

        @Argument(help: "What happened.")
        var text: String

        @Option(help: "The id of the entry this one corrects.")
        var corrects: Int64?

        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments
        @OptionGroup var output: FormatOption

        func run() throws {
            let entry = try store.with { s in
                try s.addNote(mission: try mission.resolve(s).id, text: text, refersTo: corrects, actor: store.actorName)
            }
            RecordOutput.print([entry.record], columns: [], format: output.format)
        }
    }
}

/// `spotter store migrate`, and the load generator the concurrency tests and benchmark run.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Maintain the mission store.", subcommands: [Migrate.self, LoadTest.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or upgrade the store's schema (run once per PostgreSQL database, as its owner).")

        @OptionGroup var store: StoreArguments

        func run() throws {
            try store.with { s in print("\(s.location): schema version \(try (s as! SQLMissionStore).schemaVersion())") }
        }
    }

    /// Appends exactly `--events` entries as one coordination station would: checks a team in, then cycles
    /// dispatch → en-route → on-scene → not-found → note. Used by the concurrency test and benchmark (several of these
    /// processes against one store).
    struct LoadTest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-test", abstract: "Append N log entries as a busy station would (testing).",
            shouldDisplay: false)

        @Option(help: "The worker's name: its team's call sign and the prefix of its notes.")
        var worker: String

        @Option(help: "Entries to append.")
        var events: Int = 100

        @OptionGroup var mission: MissionOption
        @OptionGroup var store: StoreArguments

        func run() throws {
            try store.with { s in
                let actor = store.actorName
                let m = try mission.resolve(s).id
                var written = 0
                _ = try s.addTeam(mission: m, callSign: worker, kind: .boat, members: [], contact: "", actor: actor)
                written += 1
                var task: Int64 = 0
                var step = 0
                while written < events {
                    switch step % 5 {
                    case 0:
                        task = try s.dispatch(
                            mission: m, detection: nil, latitude: 43.5, longitude: -8.2, callSign: worker,
                            instructions: "\(worker) sweep \(step / 5)", force: false, actor: actor
                        ).id
                    case 1: _ = try s.updateTask(id: task, status: .enRoute, condition: nil, note: "", actor: actor)
                    case 2: _ = try s.updateTask(id: task, status: .onScene, condition: nil, note: "", actor: actor)
                    case 3: _ = try s.updateTask(id: task, status: .notFound, condition: nil, note: "", actor: actor)
                    default: _ = try s.addNote(mission: m, text: "\(worker) note \(step / 5)", refersTo: nil, actor: actor)
                    }
                    step += 1
                    written += 1
                }
            }
        }
    }
}
