import Testing
import _SpotterTestSupport

@testable import SpotterStore

/// The backends every store test runs against: SQLite always, PostgreSQL when a test server is configured.
enum StoreBackend: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let all: [StoreBackend] = TestPostgres.isConfigured ? [.sqlite, .postgres] : [.sqlite]

    var testDescription: String { rawValue }

    /// Runs `body` with a new, empty store of this kind and its location (removed afterwards).
    func withStore<R>(_ body: (SQLMissionStore, String) throws -> R) throws -> R {
        switch self {
        case .sqlite:
            return try TemporaryDirectory.with { dir in
                let path = dir.url("mission.db")
                let store = try SQLiteStore(path: path)
                defer { store.close() }
                return try body(store, path)
            }
        case .postgres:
            return try TestPostgres.withFreshDatabase { url in
                let store = try PostgresStore(url: url)
                defer { store.close() }
                return try body(store, url)
            }
        }
    }
}

/// Reports the PostgreSQL tests as skipped, with why, when no server is configured.
@Suite struct PostgresAvailability {
    @Test(.enabled(if: TestPostgres.isConfigured, .init(rawValue: TestPostgres.skipNote)))
    func postgresServerAnswers() throws {
        try TestPostgres.withFreshDatabase { url in
            let store = try PostgresStore(url: url)
            defer { store.close() }
            #expect(try store.schemaVersion() == Schema.latestVersion)
        }
    }
}

/// Records the store's state, to check that a refused step wrote nothing.
struct StoreSnapshot: Equatable {
    var entries: Int
    var head: String

    init(_ store: SQLMissionStore) throws {
        let report = try store.verifyLog()
        entries = report.entries
        head = report.headHash
    }
}

/// Expects `body` to throw a `StoreError` with `code`, whose message contains `fragment`, and to leave the store as
/// it was.
func expectRefusal(
    _ store: SQLMissionStore, _ code: StoreError.Code, _ fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) throws {
    let before = try StoreSnapshot(store)
    do {
        try body()
        Issue.record("expected a \(code) refusal mentioning \"\(fragment)\"", sourceLocation: sourceLocation)
    } catch let e as StoreError {
        #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
        #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
    }
    #expect(try StoreSnapshot(store) == before, "a refused step wrote something", sourceLocation: sourceLocation)
}

/// A frame with `n` detections of decreasing score.
func sampleFrame(_ name: String, detections n: Int, profile: String = "auto", content: String? = nil) -> NewFrame {
    NewFrame(
        path: "/frames/\(name).jpg", sha256: SHA256Hex.of(content ?? name), size: 1000 + n, profile: profile,
        detectorSet: "thermal", width: 640, height: 512, metadata: ["diagnostics": "none"],
        detections: (0..<n).map { i in
            NewDetection(
                x: 10 * i, y: 20 + i, width: 12, height: 18, score: 0.9 - Double(i) * 0.1, detector: "hotspot",
                features: ["area": Double(100 + i)])
        })
}
