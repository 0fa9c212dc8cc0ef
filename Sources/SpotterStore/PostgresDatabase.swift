import Foundation
import PostgresNIO

/// The shared backend: one connection to a PostgreSQL server through postgres-nio.
///
/// postgres-nio is asynchronous; the store is synchronous (a command-line tool runs one step at a time). Each
/// statement is sent with postgres-nio's `EventLoopFuture` API and the calling thread waits for the result: the work
/// runs on NIO's event-loop threads, never on Swift concurrency's cooperative pool, so waiting cannot starve it.
/// Statements on one connection are serialised by a lock.
///
/// Write transactions take `pg_advisory_xact_lock` on the chain head first (READ COMMITTED): writers queue there, and
/// every statement after the lock sees everything committed before it. Advisory locks need no table privilege, so a
/// station's role can be limited to SELECT and INSERT.
final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    let dialect = SQLDialect.postgres
    let location: String
    private let connection: PostgresConnection
    private let lock = NSLock()
    private let logger: Logger

    /// The advisory lock key every writer takes: "Spot" in ASCII.
    static let chainLockKey: Int64 = 0x5370_6F74

    init(url: String) throws {
        let target = try PostgresURL(url)
        location = target.redacted
        var logger = Logger(label: "spotter.store")
        logger.logLevel = .critical
        self.logger = logger
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: try target.configuration(), id: 1,
                logger: logger
            ).wait()
        } catch {
            throw StoreError(.backend, "cannot connect to the PostgreSQL store \(location): \(Self.describe(error))")
        }
    }

    deinit { close() }

    func close() {
        _ = try? connection.close().wait()
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", lockChain: true, body)
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", lockChain: false, body)
    }

    func unmanaged<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(PostgresSession(database: self))
    }

    private func transaction<T>(begin: String, lockChain: Bool, _ body: (any SQLSession) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let session = PostgresSession(database: self)
        try session.execute(begin)
        do {
            if lockChain { try session.execute("SELECT pg_advisory_xact_lock(?)", [.int(Self.chainLockKey)]) }
            let result = try body(session)
            try session.execute("COMMIT")
            return result
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    /// Sends one statement and waits for all its rows.
    fileprivate func run(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .null: binds.appendNull()
            case .int(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .text(let s): binds.append(s)
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numberPlaceholders(sql), binds: binds)
        let result: PostgresQueryResult
        do {
            result = try connection.query(query, logger: logger).wait()
        } catch {
            throw StoreError(.backend, "PostgreSQL store \(location): \(Self.describe(error)) while executing `\(sql)`")
        }
        var rows: [SQLRow] = []
        var names: [String]?
        for row in result.rows {
            var values: [SQLValue] = []
            var rowNames: [String] = []
            for cell in row {
                if names == nil { rowNames.append(cell.columnName) }
                values.append(try Self.value(cell))
            }
            if names == nil { names = rowNames }
            rows.append(SQLRow(names: names!, values: values))
        }
        return rows
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
            case .float4, .float8: return .double(try cell.decode(Double.self))
            case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
            case .void: return .null
            default: return .text(try cell.decode(String.self))
            }
        } catch {
            throw StoreError(.backend, "cannot read column \(cell.columnName) (type \(cell.dataType)): \(error)")
        }
    }

    /// `?` placeholders become `$1`, `$2`, … (the store's SQL has no `?` inside literals).
    static func numberPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        for c in sql {
            if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                var s = "PostgreSQL error"
                if let state = info[.sqlState] { s += " \(state)" }
                if let m = info[.message] { s += ": \(m)" }
                if let d = info[.detail] { s += " (\(d))" }
                return s
            }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }
}

private struct PostgresSession: SQLSession {
    let database: PostgresDatabase
    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws { _ = try database.run(sql, arguments) }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] { try database.run(sql, arguments) }
}

/// A `postgres://user:password@host:port/database?sslmode=…` URL (also `postgresql://`). `host=/dir` in the query
/// connects through the Unix socket in that folder. `sslmode` is `disable`, `prefer` or `require` (`verify-full` is
/// `require`, which verifies the certificate); without it, TLS is off for localhost and required elsewhere.
struct PostgresURL: Sendable {
    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    var socketDirectory: String?
    var sslmode: String

    init(_ text: String) throws {
        guard let c = URLComponents(string: text), let scheme = c.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw StoreError(.invalid, "not a PostgreSQL URL (postgres://user@host:port/database): \(Self.redact(text))")
        }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        user = c.user?.removingPercentEncoding ?? c.user ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = c.password?.removingPercentEncoding ?? c.password ?? query["password"]
        host = c.host ?? "localhost"
        if host.isEmpty { host = "localhost" }
        port = c.port ?? 5432
        var db = c.path
        while db.hasPrefix("/") { db.removeFirst() }
        database = db.isEmpty ? user : (db.removingPercentEncoding ?? db)
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let local = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) || socketDirectory != nil
        sslmode = query["sslmode"] ?? (local ? "disable" : "require")
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslmode) else {
            throw StoreError(.invalid, "unknown sslmode \(sslmode) in \(redacted)")
        }
    }

    /// The URL without its password, for messages.
    var redacted: String {
        let at = socketDirectory.map { "\(host)?host=\($0)" } ?? "\(host):\(port)"
        return "postgres://\(user)@\(at)/\(database)"
    }

    static func redact(_ text: String) -> String {
        guard var c = URLComponents(string: text) else { return "(unparsable URL)" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "(unparsable URL)"
    }

    func configuration() throws -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let dir = socketDirectory {
            config = .init(
                unixSocketPath: dir + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch sslmode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            config = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        config.options.additionalStartupParameters = [("application_name", "spotter")]
        return config
    }
}
