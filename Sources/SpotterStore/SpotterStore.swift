/// The mission store and dispatch log: what was scanned, what was seen, who was sent, when, and what they found.
///
/// Every method that changes something runs in one transaction that also appends its entry to the hash-chained
/// event log, after checking the store's rules; a refused step throws a `StoreError` and writes nothing. Nothing is
/// ever updated in place or deleted: a correction is a new entry that refers to the old one.
///
/// Two implementations: `SQLiteStore` (an embedded file, the default) and `PostgresStore` (a server several stations
/// share). Both run the same rules and the same SQL; they differ only in how a transaction is opened and locked.
public protocol SpotterStore: AnyObject {
    /// Where the store is, for messages (a path, or a URL without its password).
    var location: String { get }
    func close()

    // MARK: Missions and flights
    func createMission(name: String, area: String, periods: [OperationalPeriod], actor: String) throws -> Mission
    func missions() throws -> [Mission]
    /// The mission with this name; with nil, the most recently created one.
    func mission(named: String?) throws -> Mission
    /// The mission with this name, created (with an empty area) when there is none.
    func ensureMission(named: String, actor: String) throws -> Mission
    /// The flight with this name in the mission, registered when new.
    func ensureFlight(
        mission: Int64, name: String, drone: String, camera: String, takeoffAltitude: Double?, actor: String
    ) throws -> Flight

    // MARK: Frames and detections
    /// The keys (`NewFrame.key`) of the frames of `mission` already recorded with `profile`.
    func recordedFrameKeys(mission: Int64, profile: String) throws -> Set<String>
    /// Records a frame and its detections in one transaction; nil (and nothing written) when a frame with the same
    /// key and profile is already in the mission.
    func recordFrame(_ frame: NewFrame, mission: Int64, flight: Int64?, actor: String) throws -> FrameRecord?
    /// Records several frames in one transaction, each whole with its detections and its own log entry (what a
    /// scan's writer does when it has fallen behind); nil for each frame already in the mission.
    func recordFrames(_ frames: [NewFrame], mission: Int64, flight: Int64?, actor: String) throws -> [FrameRecord?]
    func frames(mission: Int64) throws -> [FrameRecord]
    /// The mission's detections, best score first, numbered by rank in the whole mission.
    func detections(mission: Int64, filter: DetectionFilter) throws -> [DetectionRecord]
    func detection(id: Int64) throws -> DetectionRecord

    // MARK: Review and dispatch
    func review(detection: Int64, verdict: Verdict, note: String, actor: String) throws -> Review
    func reviews(detection: Int64) throws -> [Review]
    func addTeam(
        mission: Int64, callSign: String, kind: TeamKind, members: [String], contact: String, actor: String
    ) throws -> Team
    func teams(mission: Int64) throws -> [Team]
    func team(mission: Int64, callSign: String) throws -> Team
    func setTeamAvailability(
        mission: Int64, callSign: String, availability: TeamAvailability, note: String, actor: String
    ) throws -> Team
    /// Assigns a detection (or, with `detection` nil, a position) to a team. `mission` may be nil with a detection
    /// (the detection's mission is used).
    func dispatch(
        mission: Int64?, detection: Int64?, latitude: Double?, longitude: Double?, callSign: String,
        instructions: String, force: Bool, actor: String
    ) throws -> TeamTask
    func updateTask(id: Int64, status: TaskStatus, condition: String?, note: String, actor: String) throws -> TaskUpdate
    func tasks(mission: Int64) throws -> [TeamTask]
    func task(id: Int64) throws -> TeamTask
    func taskUpdates(task: Int64) throws -> [TaskUpdate]

    // MARK: The log
    /// A free-text log entry (ICS 214 "notable activity"); with `refersTo`, a correction of that entry.
    func addNote(mission: Int64?, text: String, refersTo: Int64?, actor: String) throws -> LogEntry
    /// The log entries of a mission (nil: all), in order.
    func log(mission: Int64?) throws -> [LogEntry]
    func verifyLog() throws -> VerifyReport
}

/// Opens the store at `location`: a `postgres://` or `postgresql://` URL opens `PostgresStore`, anything else is the
/// path of a SQLite file (created when missing). Pending migrations are applied.
public func openStore(_ location: String) throws -> any SpotterStore {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
        return try PostgresStore(url: location)
    }
    return try SQLiteStore(path: location)
}

/// The embedded store: one SQLite file (WAL, busy timeout, immediate transactions) through GRDB.
public final class SQLiteStore: SQLMissionStore, @unchecked Sendable {
    public init(path: String) throws {
        try super.init(database: try SQLiteDatabase(path: path))
    }
}

/// The shared store: a PostgreSQL database through postgres-nio; writers serialise on an advisory lock that guards
/// the log's head.
public final class PostgresStore: SQLMissionStore, @unchecked Sendable {
    public init(url: String) throws {
        try super.init(database: try PostgresDatabase(url: url))
    }
}
