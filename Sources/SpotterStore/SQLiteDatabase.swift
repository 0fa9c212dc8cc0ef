import Foundation
import GRDB

/// The embedded backend: one SQLite file through GRDB, in WAL mode (readers never block the writer), with a busy
/// timeout, and every write transaction `BEGIN IMMEDIATE` so concurrent processes queue for the write lock instead
/// of failing on a lock upgrade.
final class SQLiteDatabase: SQLDatabase, @unchecked Sendable {
    let dialect = SQLDialect.sqlite
    let location: String
    private let queue: DatabaseQueue

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 60

    init(path: String) throws {
        location = path
        var config = Configuration()
        config.journalMode = .wal  // and synchronous = NORMAL: a killed process loses nothing committed
        config.busyMode = .timeout(Self.busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "spotter"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw StoreError(.backend, "cannot open the SQLite store \(path): \(Self.describe(error))")
        }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try run {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteSession(db: db))
                    return .commit
                }
                return result!
            }
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try run {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(SQLiteSession(db: db))
                    return .commit
                }
                return result!
            }
        }
    }

    func unmanaged<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try run { try queue.writeWithoutTransaction { db in try body(SQLiteSession(db: db)) } }
    }

    func close() { try? queue.close() }

    /// Store errors pass through; GRDB's errors become backend errors that say what was being done.
    private func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(.backend, "SQLite store \(location): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError {
            var s = "SQLite error \(e.resultCode.rawValue)"
            if let m = e.message { s += ": \(m)" }
            if let sql = e.sql { s += " while executing `\(sql)`" }
            return s
        }
        return "\(error)"
    }
}

private struct SQLiteSession: SQLSession {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    // Statements are prepared once per connection and reused (GRDB's statement cache).
    func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments.map(Self.bind)))
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments.map(Self.bind)))
        guard let first = rows.first else { return [] }
        let names = Array(first.columnNames)
        return rows.map { row in
            SQLRow(
                names: names,
                values: row.databaseValues.map { v in
                    switch v.storage {
                    case .null: .null
                    case .int64(let i): .int(i)
                    case .double(let d): .double(d)
                    case .string(let s): .text(s)
                    case .blob(let b): .text(String(decoding: b, as: UTF8.self))
                    }
                })
        }
    }

    static func bind(_ v: SQLValue) -> DatabaseValue {
        switch v {
        case .null: .null
        case .int(let i): i.databaseValue
        case .double(let d): d.databaseValue
        case .text(let s): s.databaseValue
        }
    }
}
