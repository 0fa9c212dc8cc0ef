/// The SQL dialect of a backend, where the two differ (schema only: every query is written once, in the common
/// subset, with `?` placeholders).
enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// Statements inside one transaction. Arguments are always bound, never spliced into the SQL text.
protocol SQLSession {
    var dialect: SQLDialect { get }
    func execute(_ sql: String, _ arguments: [SQLValue]) throws
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
}

extension SQLSession {
    func execute(_ sql: String) throws { try execute(sql, []) }
    func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }

    func first(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, arguments).first
    }

    /// `INSERT … RETURNING id`, the new row's id.
    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        guard let id = try query(sql + " RETURNING id", arguments).first?[0].int else {
            throw StoreError(.backend, "insert returned no id: \(sql)")
        }
        return id
    }
}

/// A database connection the store runs on: the embedded SQLite file or a PostgreSQL server.
protocol SQLDatabase: AnyObject, Sendable {
    var dialect: SQLDialect { get }
    /// Where it is, for messages (no credentials).
    var location: String { get }

    /// Runs `body` in a write transaction that holds the log's chain-head lock from its first statement, so every
    /// check inside sees the latest committed state and no other writer can interleave. Commits when `body` returns,
    /// rolls back when it throws.
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` in a read-only transaction (one consistent snapshot).
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T

    /// Runs `body` outside any transaction the backend opens itself (migrations manage their own).
    func unmanaged<T>(_ body: (any SQLSession) throws -> T) throws -> T

    func close()
}
