import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Where the CLI store tests keep their store: a SQLite file in a temporary folder, or a fresh PostgreSQL database
/// when a test server is configured (`SPOTTER_TEST_POSTGRES_URL`).
enum StoreKind: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let all: [StoreKind] = TestPostgres.isConfigured ? [.sqlite, .postgres] : [.sqlite]

    var testDescription: String { rawValue }

    /// Runs `body` with the `--db` value of a new, empty store and a temporary folder.
    func with<R>(_ body: (String, TemporaryDirectory) throws -> R) throws -> R {
        try TemporaryDirectory.with { dir in
            switch self {
            case .sqlite: return try body(dir.url("mission.db"), dir)
            case .postgres: return try TestPostgres.withFreshDatabase { url in try body(url, dir) }
            }
        }
    }
}

/// Runs SQL behind Spotter's back: with the sqlite3 client on a file, with psql on a server.
func tamper(_ db: String, _ sql: String) throws {
    if db.hasPrefix("postgres") {
        try TestPostgres.psql(db, sql)
        return
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sqlite3", db, sql]
    let err = Pipe()
    p.standardError = err
    try p.run()
    p.waitUntilExit()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard p.terminationStatus == 0 else { throw SpotterProcessError(message: "sqlite3 failed: \(message)") }
}

/// The SQL that drops the append-only guard of `table` (as someone determined to tamper would).
func dropGuard(_ table: String, postgres: Bool) -> String {
    postgres
        ? "DROP TRIGGER \(table)_append_only ON \(table);"
        : "DROP TRIGGER \(table)_no_update; DROP TRIGGER \(table)_no_delete;"
}

/// The bundled thermal sample frames (in the repository, so these tests need no shared dataset).
enum SampleFrames {
    static let folder = SharedDatasets.packageRoot + "/Datasets/hit-uav-sample/images"

    static func thermal(_ count: Int) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Array(names.filter { $0.hasSuffix(".jpg") }.sorted().prefix(count)).map { folder + "/" + $0 }
    }

    /// A folder of links to the first `count` frames.
    static func folder(_ count: Int, in dir: TemporaryDirectory) throws -> String {
        for (i, f) in thermal(count).enumerated() {
            try CLIInputs.link(f, as: "frames/f\(i < 10 ? "0" : "")\(i).jpg", in: dir)
        }
        return dir.url("frames")
    }
}

/// A `spotter` process started without waiting for it: for concurrent runs and for killing mid-way.
final class SpotterChild {
    let process = Process()
    let stderrPath: String

    init(_ arguments: [String], environment: [String: String] = [:], stderrPath: String) throws {
        self.stderrPath = stderrPath
        process.executableURL = URL(fileURLWithPath: SpotterProcess.executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    func kill() { Glibc.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the process; its exit code (or the signal that ended it) and its stderr.
    func wait() -> (status: Int32, killed: Bool, stderr: String) {
        process.waitUntilExit()
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, err)
    }
}

/// Parses `--format json` output: an array of objects.
func jsonRecords(_ run: SpotterRun, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]]? {
    guard let data = run.stdout.data(using: .utf8),
        let a = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
    else {
        Issue.record("not a JSON array of objects: \(run)", sourceLocation: sourceLocation)
        return nil
    }
    return a
}
