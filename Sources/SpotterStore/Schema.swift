/// The store's schema as numbered migrations, applied in order and recorded in `schema_migrations`. Both backends
/// run the same statements, with `{id}` (an auto-numbered primary key) and `{int}` (a 64-bit integer) spelled per
/// dialect. A migration is never edited once released: changes are new migrations.
enum Schema {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    static var latestVersion: Int { migrations.last!.version }

    /// The tables that only ever grow: every one of them, and each row is named by the log entry that created it.
    static let appendOnlyTables = [
        "events", "missions", "operational_periods", "flights", "frames", "detections", "reviews", "teams",
        "team_status", "tasks", "task_updates", "notes",
    ]

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "missions, frames, detections, dispatch and the hash-chained event log",
            statements: [
                """
                CREATE TABLE events (
                    seq {int} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
                    mission_id {int}, refers_to {int}, payload TEXT NOT NULL,
                    prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)
                """,
                """
                CREATE TABLE missions (
                    id {id}, name TEXT NOT NULL UNIQUE, area TEXT NOT NULL, created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL, event_seq {int} NOT NULL)
                """,
                """
                CREATE TABLE operational_periods (
                    id {id}, mission_id {int} NOT NULL REFERENCES missions(id), starts_at TEXT NOT NULL,
                    ends_at TEXT, event_seq {int} NOT NULL)
                """,
                """
                CREATE TABLE flights (
                    id {id}, mission_id {int} NOT NULL REFERENCES missions(id), name TEXT NOT NULL,
                    drone TEXT NOT NULL, camera TEXT NOT NULL, takeoff_altitude_m DOUBLE PRECISION,
                    created_at TEXT NOT NULL, event_seq {int} NOT NULL, UNIQUE (mission_id, name))
                """,
                """
                CREATE TABLE frames (
                    id {id}, mission_id {int} NOT NULL REFERENCES missions(id), flight_id {int} REFERENCES flights(id),
                    path TEXT NOT NULL, sha256 TEXT, frame_key TEXT NOT NULL, size {int} NOT NULL,
                    profile TEXT NOT NULL, detector_set TEXT,
                    status TEXT NOT NULL CHECK (status IN ('scanned', 'failed')), error_code TEXT, error TEXT,
                    width {int} NOT NULL, height {int} NOT NULL, metadata TEXT NOT NULL, scanned_at TEXT NOT NULL,
                    event_seq {int} NOT NULL, UNIQUE (mission_id, profile, frame_key))
                """,
                """
                CREATE TABLE detections (
                    id {id}, frame_id {int} NOT NULL REFERENCES frames(id), x {int} NOT NULL, y {int} NOT NULL,
                    w {int} NOT NULL, h {int} NOT NULL, score DOUBLE PRECISION NOT NULL, detector TEXT NOT NULL,
                    features TEXT NOT NULL, rank {int} NOT NULL)
                """,
                "CREATE INDEX detections_frame ON detections (frame_id)",
                """
                CREATE TABLE reviews (
                    id {id}, detection_id {int} NOT NULL REFERENCES detections(id),
                    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'dismissed', 'unsure')),
                    note TEXT NOT NULL, supersedes {int} REFERENCES reviews(id), actor TEXT NOT NULL,
                    at TEXT NOT NULL, event_seq {int} NOT NULL)
                """,
                "CREATE INDEX reviews_detection ON reviews (detection_id)",
                """
                CREATE TABLE teams (
                    id {id}, mission_id {int} NOT NULL REFERENCES missions(id), call_sign TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('lifeguard', 'boat', 'kayak', 'shore', 'drone')),
                    members TEXT NOT NULL, contact TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
                    event_seq {int} NOT NULL, UNIQUE (mission_id, call_sign))
                """,
                """
                CREATE TABLE team_status (
                    id {id}, team_id {int} NOT NULL REFERENCES teams(id),
                    status TEXT NOT NULL CHECK (status IN ('available', 'out-of-service')), note TEXT NOT NULL,
                    actor TEXT NOT NULL, at TEXT NOT NULL, event_seq {int} NOT NULL)
                """,
                """
                CREATE TABLE tasks (
                    id {id}, mission_id {int} NOT NULL REFERENCES missions(id), team_id {int} NOT NULL REFERENCES teams(id),
                    detection_id {int} REFERENCES detections(id), latitude DOUBLE PRECISION, longitude DOUBLE PRECISION,
                    instructions TEXT NOT NULL, forced {int} NOT NULL, assigned_by TEXT NOT NULL,
                    assigned_at TEXT NOT NULL, event_seq {int} NOT NULL)
                """,
                "CREATE INDEX tasks_team ON tasks (team_id)",
                "CREATE INDEX tasks_detection ON tasks (detection_id)",
                """
                CREATE TABLE task_updates (
                    id {id}, task_id {int} NOT NULL REFERENCES tasks(id),
                    status TEXT NOT NULL CHECK (status IN ('en-route', 'on-scene', 'found', 'not-found', 'false-alarm', 'stood-down')),
                    condition TEXT, note TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
                    event_seq {int} NOT NULL)
                """,
                "CREATE INDEX task_updates_task ON task_updates (task_id)",
                """
                CREATE TABLE notes (
                    id {id}, mission_id {int} REFERENCES missions(id), text TEXT NOT NULL, refers_to {int},
                    actor TEXT NOT NULL, at TEXT NOT NULL, event_seq {int} NOT NULL)
                """,
            ] + appendOnlyGuards),
    ]

    /// Triggers that refuse UPDATE and DELETE on every table, so a bug or a careless hand cannot rewrite history
    /// through Spotter's own connection. (Whoever can drop a trigger can still tamper: `log verify` catches that.)
    static var appendOnlyGuards: [String] {
        ["{guard-function}"] + appendOnlyTables.flatMap { t in ["{guard \(t)}"] }
    }

    /// The statements of a migration, spelled for `dialect`.
    static func statements(_ m: Migration, _ dialect: SQLDialect) -> [String] {
        m.statements.flatMap { s -> [String] in
            if s == "{guard-function}" {
                guard dialect == .postgres else { return [] }
                return [
                    """
                    CREATE OR REPLACE FUNCTION spotter_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'spotter: % is append-only (a correction is a new entry)', TG_TABLE_NAME; END $$
                    """
                ]
            }
            if s.hasPrefix("{guard ") {
                let table = String(s.dropFirst(7).dropLast())
                switch dialect {
                case .sqlite:
                    return ["UPDATE", "DELETE"].map { op in
                        """
                        CREATE TRIGGER \(table)_no_\(op.lowercased()) BEFORE \(op) ON \(table)
                        BEGIN SELECT RAISE(ABORT, 'spotter: \(table) is append-only (a correction is a new entry)'); END
                        """
                    }
                case .postgres:
                    return [
                        """
                        CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON \(table)
                        FOR EACH STATEMENT EXECUTE FUNCTION spotter_append_only()
                        """
                    ]
                }
            }
            switch dialect {
            case .sqlite:
                return [s.replacingAll("{id}", "INTEGER PRIMARY KEY").replacingAll("{int}", "INTEGER")]
            case .postgres:
                return [
                    s.replacingAll("{id}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                        .replacingAll("{int}", "BIGINT")
                ]
            }
        }
    }

    /// Applies the migrations the database lacks. Safe to run from several processes at once: the check and the
    /// migrations run inside one write transaction (SQLite's write lock, PostgreSQL's chain-head lock).
    static func migrate(_ db: any SQLDatabase) throws {
        if try appliedVersion(db) >= latestVersion { return }
        try db.write { s in
            let exists = try tableExists(s, "schema_migrations")
            if !exists {
                try s.execute(
                    "CREATE TABLE schema_migrations (version \(s.dialect == .sqlite ? "INTEGER" : "BIGINT") PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
            }
            let applied = Set(try s.query("SELECT version FROM schema_migrations").compactMap { $0[0].int })
            for m in migrations where !applied.contains(Int64(m.version)) {
                for statement in statements(m, s.dialect) { try s.execute(statement) }
                try s.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(Int64(m.version)), .text(m.name), .text(Clock.now())])
            }
        }
    }

    /// The highest migration applied (0 for an empty database).
    static func appliedVersion(_ db: any SQLDatabase) throws -> Int {
        try db.read { s in
            guard try tableExists(s, "schema_migrations") else { return 0 }
            return Int(try s.first("SELECT MAX(version) AS v FROM schema_migrations")?[0].int ?? 0)
        }
    }

    static func tableExists(_ s: any SQLSession, _ name: String) throws -> Bool {
        switch s.dialect {
        case .sqlite:
            return try s.first("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)]) != nil
        case .postgres:
            return try s.first("SELECT to_regclass(?)::text AS t", [.text(name)])?[0].isNull == false
        }
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
