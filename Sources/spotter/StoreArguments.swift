import ArgumentParser
import SpotterStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--db` and `--as`, shared by the commands that read or write the mission store.
struct StoreArguments: ParsableArguments {
    @Option(help: "The mission store: a SQLite file or a postgres:// URL (default: SPOTTER_DB, else ./spotter.db).")
    var db: String?

    @Option(name: .customLong("as"), help: "Who is acting, for the log (default: SPOTTER_ACTOR, else the OS user).")
    var actor: String?

    /// `--db`, else `SPOTTER_DB`, else `spotter.db` in the current folder.
    var location: String { db ?? environment("SPOTTER_DB") ?? "spotter.db" }

    /// `--as`, else `SPOTTER_ACTOR`, else the login name of the effective user.
    var actorName: String { Self.actor(actor) }

    static func actor(_ explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = environment("SPOTTER_ACTOR") { return env }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return environment("USER") ?? "unknown"
    }

    /// Opens the store, runs `body`, closes it. A refusal or a store failure is one line on stderr and exit code 1.
    func with<T>(_ body: (any SpotterStore) throws -> T) throws -> T {
        try storeStep {
            let store = try openStore(location)
            defer { store.close() }
            return try body(store)
        }
    }
}

/// `--mission NAME`, for the commands that work within one mission.
struct MissionOption: ParsableArguments {
    @Option(help: "The mission (default: SPOTTER_MISSION, else the most recently created one).")
    var mission: String?

    func resolve(_ store: any SpotterStore) throws -> Mission {
        try store.mission(named: mission ?? environment("SPOTTER_MISSION"))
    }
}

/// `--format`, for the commands that print records.
struct FormatOption: ParsableArguments {
    @Option(help: "table, json (an array of objects, each with its id) or csv.")
    var format: RecordFormat = .table
}

/// Runs a store step: `StoreError`s become one line on stderr and exit code 1.
func storeStep<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as StoreError {
        writeStderr("spotter: \(e.description)\n")
        throw ExitCode(1)
    }
}

func environment(_ name: String) -> String? {
    guard let v = getenv(name), v.pointee != 0 else { return nil }
    return String(cString: v)
}
