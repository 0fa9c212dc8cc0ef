import ArgumentParser

@main
struct Spotter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spotter",
        abstract: "Find people in drone frames over sea and coast, fast.",
        discussion: """
            Exit codes: 0 success, 2 when at least one frame failed (the others are still reported), \
            64 for usage errors.
            """,
        version: "0.1.0",
        subcommands: [Scan.self, Crop.self, Bench.self, BenchSpeed.self, Info.self, Locate.self, Export.self, ReportCommand.self,
            MissionCommand.self, DetectionsCommand.self, ReviewCommand.self, TeamCommand.self, DispatchCommand.self,
            TaskCommand.self, LogCommand.self, StoreCommand.self,
        ],
        defaultSubcommand: nil)
}
