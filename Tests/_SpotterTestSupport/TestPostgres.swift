import Foundation

/// The PostgreSQL server the store tests run against: `SPOTTER_TEST_POSTGRES_URL` (a role that may create
/// databases), which `.ci/run` always sets after starting a throwaway cluster (`tools/test-postgres`). Without it the
/// PostgreSQL variants of the tests are skipped, and one test says so.
public enum TestPostgres {
    public static let url: String? = {
        guard let v = ProcessInfo.processInfo.environment["SPOTTER_TEST_POSTGRES_URL"], !v.isEmpty else { return nil }
        return v
    }()

    public static var isConfigured: Bool { url != nil }

    public static let skipNote =
        "SPOTTER_TEST_POSTGRES_URL is not set: the PostgreSQL store tests are skipped (.ci/run starts a server and sets it; tools/test-postgres start does it by hand)"

    /// Creates an empty database, runs `body` with its URL, then drops it.
    public static func withFreshDatabase<R>(_ body: (String) throws -> R) throws -> R {
        guard let url else { throw TestPostgresError(message: skipNote) }
        let name = "spotter_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try psql(url, "CREATE DATABASE \(name)")
        defer { _ = try? psql(url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        return try body(databaseURL(url, name))
    }

    /// `url` with its database replaced by `name`.
    public static func databaseURL(_ url: String, _ name: String) -> String {
        var c = URLComponents(string: url)!
        c.path = "/" + name
        return c.string!
    }

    /// Runs SQL through the `psql` client (as an operator would behind Spotter's back); returns its stdout.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TestPostgresError(message: "psql failed (\(sql)): " + String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
