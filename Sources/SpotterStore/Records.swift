/// A search: its name, the area it covers and its operational periods.
public struct Mission: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var area: String
    public var createdAt: String
    public var createdBy: String
    public var periods: [OperationalPeriod]
}

/// An operational period of a mission (ICS: the time span one action plan covers); `end` nil while open.
public struct OperationalPeriod: Sendable, Equatable {
    public var start: String
    public var end: String?

    public init(start: String, end: String? = nil) {
        self.start = start
        self.end = end
    }
}

/// One drone flight of a mission: the frames of a scan belong to it.
public struct Flight: Sendable, Equatable {
    public var id: Int64
    public var missionID: Int64
    public var name: String
    public var drone: String
    public var camera: String
    /// Height of the takeoff point above sea level, metres (the drone's altitude is relative to it).
    public var takeoffAltitude: Double?
}

public enum FrameStatus: String, Sendable, Equatable {
    case scanned, failed
}

/// One detection as the scan hands it to the store (the store does not know the detector's types).
public struct NewDetection: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var score: Double
    public var detector: String
    /// Named measurements of the detection (e.g. `area`), kept as a JSON object.
    public var features: [String: Double]

    public init(x: Int, y: Int, width: Int, height: Int, score: Double, detector: String, features: [String: Double] = [:]) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
        self.detector = detector
        self.features = features
    }
}

/// One frame as the scan hands it to the store, with its detections best first.
public struct NewFrame: Sendable, Equatable {
    public var path: String
    /// SHA-256 of the file's bytes; nil when the file could not be read at all.
    public var sha256: String?
    public var size: Int
    /// The scan settings the result depends on (profile, scale, re-ranker); a rerun with the same content and the
    /// same profile skips the frame.
    public var profile: String
    /// The detector set that ran (`rgb`, `thermal`), when it got that far.
    public var detectorSet: String?
    public var status: FrameStatus
    public var errorCode: String?
    public var error: String?
    public var width: Int
    public var height: Int
    /// Anything else worth keeping about the frame (diagnostics, …), as a JSON object of strings.
    public var metadata: [String: String]
    public var detections: [NewDetection]

    public init(
        path: String, sha256: String?, size: Int, profile: String, detectorSet: String? = nil,
        status: FrameStatus = .scanned, errorCode: String? = nil, error: String? = nil, width: Int = 0, height: Int = 0,
        metadata: [String: String] = [:], detections: [NewDetection] = []
    ) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.profile = profile
        self.detectorSet = detectorSet
        self.status = status
        self.errorCode = errorCode
        self.error = error
        self.width = width
        self.height = height
        self.metadata = metadata
        self.detections = detections
    }

    /// What identifies the frame for a rerun: its content hash, or its path when it has no readable content.
    public var key: String { sha256 ?? "path:" + path }
}

public struct FrameRecord: Sendable, Equatable {
    public var id: Int64
    public var missionID: Int64
    public var flightID: Int64?
    public var path: String
    public var sha256: String?
    public var size: Int64
    public var profile: String
    public var detectorSet: String?
    public var status: FrameStatus
    public var errorCode: String?
    public var error: String?
    public var width: Int64
    public var height: Int64
    /// JSON object text.
    public var metadata: String
    public var scannedAt: String
    public var detectionCount: Int64
}

public enum Verdict: String, Sendable, Equatable, CaseIterable {
    case confirmed, dismissed, unsure
}

/// A recorded detection, with its frame and the latest review's verdict.
public struct DetectionRecord: Sendable, Equatable {
    public var id: Int64
    public var frameID: Int64
    public var missionID: Int64
    public var framePath: String
    public var x: Int64
    public var y: Int64
    public var width: Int64
    public var height: Int64
    public var score: Double
    public var detector: String
    public var features: [String: Double]
    /// Rank within its frame (1 = the frame's best).
    public var frameRank: Int64
    /// Rank in the listing it came from (1 = best score of the mission).
    public var rank: Int
    public var verdict: Verdict?
}

public struct Review: Sendable, Equatable {
    public var id: Int64
    public var detectionID: Int64
    public var verdict: Verdict
    public var note: String
    /// The earlier review of the same detection this one corrects.
    public var supersedes: Int64?
    public var actor: String
    public var at: String
}

public enum TeamKind: String, Sendable, Equatable, CaseIterable {
    case lifeguard, boat, kayak, shore, drone
}

/// A team's own availability (set by hand); whether it is on a task comes from the tasks.
public enum TeamAvailability: String, Sendable, Equatable, CaseIterable {
    case available
    case outOfService = "out-of-service"
}

public struct Team: Sendable, Equatable {
    public var id: Int64
    public var missionID: Int64
    public var callSign: String
    public var kind: TeamKind
    public var members: [String]
    public var contact: String
    public var createdAt: String
    public var availability: TeamAvailability
    /// The team's active task (not found / not-found / false alarm / stood down), if any; the latest when forced onto several.
    public var activeTask: Int64?
    public var activeTaskStatus: TaskStatus?

    /// `available`, `out-of-service`, or `task 5 en-route`.
    public var status: String {
        if let t = activeTask, let s = activeTaskStatus { return "task \(t) \(s.rawValue)" }
        return availability.rawValue
    }
}

/// Where a task stands. `assigned` is the state a dispatch creates; the others are reported by updates.
public enum TaskStatus: String, Sendable, Equatable, CaseIterable {
    case assigned
    case enRoute = "en-route"
    case onScene = "on-scene"
    case found
    case notFound = "not-found"
    case falseAlarm = "false-alarm"
    case stoodDown = "stood-down"

    public var isActive: Bool { [.assigned, .enRoute, .onScene].contains(self) }

    /// The statuses a task may move to from this one: forward only, and stood down from any active state.
    public var next: [TaskStatus] {
        switch self {
        case .assigned: [.enRoute, .onScene, .stoodDown]
        case .enRoute: [.onScene, .stoodDown]
        case .onScene: [.found, .notFound, .falseAlarm, .stoodDown]
        case .found, .notFound, .falseAlarm, .stoodDown: []
        }
    }
}

/// A detection or a position assigned to a team.
public struct TeamTask: Sendable, Equatable {
    public var id: Int64
    public var missionID: Int64
    public var teamID: Int64
    public var callSign: String
    public var detectionID: Int64?
    public var latitude: Double?
    public var longitude: Double?
    public var instructions: String
    /// Dispatched with `--force` past a refusal.
    public var forced: Bool
    public var assignedBy: String
    public var assignedAt: String
    public var status: TaskStatus
    /// Time of the latest update (or of the assignment).
    public var updatedAt: String
    /// The condition reported with `found`.
    public var condition: String?
}

public struct TaskUpdate: Sendable, Equatable {
    public var id: Int64
    public var taskID: Int64
    public var status: TaskStatus
    public var condition: String?
    public var note: String
    public var actor: String
    public var at: String
}

/// One entry of the append-only event log.
public struct LogEntry: Sendable, Equatable {
    public var seq: Int64
    public var at: String
    public var actor: String
    public var kind: String
    public var missionID: Int64?
    /// The entry this one corrects or follows up.
    public var refersTo: Int64?
    /// JSON object text: `summary`, `team` when one is concerned, the rows the entry created and their digests.
    public var payload: String
    public var prevHash: String
    public var hash: String

    /// One line saying what happened (the ICS 214 "activity").
    public var summary: String { (JSON.parseObject(payload)?["summary"] as? String) ?? kind }
    /// The call sign concerned, if any.
    public var team: String? { JSON.parseObject(payload)?["team"] as? String }
}

/// What `verify` found: the log's length, its head, and every entry that fails, in log order.
public struct VerifyReport: Sendable, Equatable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The entry concerned (nil for a row that no entry names).
        public var seq: Int64?
        public var message: String
        public var description: String { (seq.map { "log entry \($0): " } ?? "") + message }
    }

    public var entries: Int
    public var headHash: String
    public var problems: [Problem]
    public var ok: Bool { problems.isEmpty }
}

/// Which detections to list.
public struct DetectionFilter: Sendable, Equatable {
    public var top: Int?
    public var unreviewedOnly: Bool
    public var minScore: Double?

    public init(top: Int? = nil, unreviewedOnly: Bool = false, minScore: Double? = nil) {
        self.top = top
        self.unreviewedOnly = unreviewedOnly
        self.minScore = minScore
    }
}
