import Testing

/// Argument mistakes exit with 64 (EX_USAGE) and say what is wrong on stderr, before anything is scanned.
struct UsageErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// Text the error message must contain.
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// Any readable path will do: usage errors are reported before files are opened.
    static let path = "/dev/null"

    static let cases: [Case] = [
        Case(arguments: ["scan", path, "--threads", "0"], message: "--threads must be at least 1"),
        Case(arguments: ["scan", path, "--threads", "-2"], message: "--threads"),
        Case(arguments: ["scan", path, "--scale", "3"], message: "--scale must be 1, 2, 4 or 8"),
        Case(arguments: ["scan", path, "--scale", "16"], message: "--scale must be 1, 2, 4 or 8"),
        Case(arguments: ["scan", path, "--top", "0"], message: "--top must be at least 1"),
        Case(arguments: ["scan", path, "--max-megapixels", "0"], message: "--max-megapixels"),
        Case(arguments: ["scan", path, "--format", "xml"], message: "'xml' is invalid for '--format"),
        Case(arguments: ["scan", path, "--profile", "infrared"], message: "'infrared' is invalid for '--profile"),
        Case(arguments: ["scan", path, "--threads", "many"], message: "'many' is invalid for '--threads"),
        Case(arguments: ["scan", path, "--frobnicate"], message: "Unknown option '--frobnicate'"),
        Case(arguments: ["scan"], message: "Missing expected argument '<paths> ...'"),
        Case(arguments: ["scan", "--quiet"], message: "Missing expected argument '<paths> ...'"),
        Case(arguments: ["teleport", path], message: "teleport"),
        Case(arguments: ["bench-speed", path, "--rounds", "0"], message: "--rounds must be at least 1"),
        Case(arguments: ["bench-speed", path, "--threads", "0"], message: "--threads must be at least 1"),
        Case(arguments: ["bench-speed", path, "--repeat", "0"], message: "--repeat must be at least 1"),
        Case(arguments: ["bench-speed", path, "--format", "jsonl"], message: "'jsonl' is invalid for '--format"),
        Case(arguments: ["bench-speed"], message: "Missing expected argument '<paths> ...'"),
    ]

    @Test(arguments: cases)
    func exitsWith64AndSaysWhy(_ c: Case) throws {
        let run = try SpotterProcess.run(c.arguments)
        #expect(run.exitCode == 64, "\(run)")
        #expect(run.stdout.isEmpty, "nothing on stdout: \(run)")
        #expect(run.stderr.contains("Error: "), "\(run)")
        #expect(run.stderr.contains(c.message), "\(run)")
        #expect(run.stderr.contains("Usage: spotter"), "a usage hint: \(run)")
    }

    @Test func helpAndVersionSucceed() throws {
        let help = try SpotterProcess.run(["scan", "--help"])
        #expect(help.exitCode == 0, "\(help)")
        for option in ["--profile", "--threads", "--scale", "--top", "--format", "--quiet", "--max-megapixels"] {
            #expect(help.stdout.contains(option), "scan --help mentions \(option)")
        }
        let version = try SpotterProcess.run(["--version"])
        #expect(version.exitCode == 0 && !version.stdout.isEmpty, "\(version)")
    }
}
