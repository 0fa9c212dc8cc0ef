/// The store's rules and queries, written once over `SQLDatabase`; `SQLiteStore` and `PostgresStore` only choose the
/// database.
public class SQLMissionStore: SpotterStore, @unchecked Sendable {
    let db: any SQLDatabase

    init(database: any SQLDatabase) throws {
        db = database
        try Schema.migrate(db)
    }

    public var location: String { db.location }
    public func close() { db.close() }

    /// The schema version this store is at.
    public func schemaVersion() throws -> Int { try Schema.appliedVersion(db) }

    // MARK: - Input checks

    static func required(_ value: String, _ what: String) throws -> String {
        let v = value.trimmingWhitespace()
        guard !v.isEmpty else { throw StoreError(.invalid, "\(what) must not be empty") }
        guard !v.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw StoreError(.invalid, "\(what) must not contain control characters")
        }
        return v
    }

    // MARK: - Missions

    public func createMission(name: String, area: String, periods: [OperationalPeriod], actor: String) throws -> Mission {
        let name = try Self.required(name, "a mission name")
        let actor = try Self.required(actor, "the actor")
        for p in periods {
            _ = try Self.required(p.start, "an operational period's start")
            if let end = p.end, end < p.start {
                throw StoreError(.invalid, "operational period \(p.start)/\(end) ends before it starts")
            }
        }
        let id = try db.write { s -> Int64 in
            if try s.first("SELECT id FROM missions WHERE name = ?", [.text(name)]) != nil {
                throw StoreError(.conflict, "a mission named \(name) already exists")
            }
            return try insertMission(s, name: name, area: area, periods: periods, actor: actor)
        }
        return try mission(id: id)
    }

    private func insertMission(
        _ s: any SQLSession, name: String, area: String, periods: [OperationalPeriod], actor: String
    ) throws -> Int64 {
        let head = try EventLog.head(s)
        let now = Clock.now()
        let id = try s.insert(
            "INSERT INTO missions (name, area, created_at, created_by, event_seq) VALUES (?, ?, ?, ?, ?)",
            [.text(name), .text(area), .text(now), .text(actor), .int(head.nextSeq)])
        var rows = [("missions", id)]
        for p in periods {
            let pid = try s.insert(
                "INSERT INTO operational_periods (mission_id, starts_at, ends_at, event_seq) VALUES (?, ?, ?, ?)",
                [.int(id), .text(p.start), SQLValue(p.end), .int(head.nextSeq)])
            rows.append(("operational_periods", pid))
        }
        var summary = "mission \(name) opened"
        if !area.isEmpty { summary += ": \(area)" }
        if !periods.isEmpty {
            summary += "; operational period" + (periods.count > 1 ? "s " : " ")
                + periods.map { "\($0.start)–\($0.end ?? "open")" }.joined(separator: ", ")
        }
        try EventLog.append(
            s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
            .init(kind: "mission.created", missionID: id, summary: summary, fields: [("mission", JSON.string(name))], rows: rows))
        return id
    }

    public func missions() throws -> [Mission] {
        try db.read { s in try s.query("SELECT * FROM missions ORDER BY id").map { try self.mission(s, $0) } }
    }

    private func mission(_ s: any SQLSession, _ r: SQLRow) throws -> Mission {
        let periods = try s.query(
            "SELECT starts_at, ends_at FROM operational_periods WHERE mission_id = ? ORDER BY id", [.int(r.int("id"))]
        ).map { OperationalPeriod(start: $0.text("starts_at"), end: $0.optionalText("ends_at")) }
        return Mission(
            id: r.int("id"), name: r.text("name"), area: r.text("area"), createdAt: r.text("created_at"),
            createdBy: r.text("created_by"), periods: periods)
    }

    func mission(id: Int64) throws -> Mission {
        try db.read { s in
            guard let r = try s.first("SELECT * FROM missions WHERE id = ?", [.int(id)]) else {
                throw StoreError(.notFound, "no mission \(id)")
            }
            return try mission(s, r)
        }
    }

    public func mission(named name: String?) throws -> Mission {
        try db.read { s in
            if let name {
                guard let r = try s.first("SELECT * FROM missions WHERE name = ?", [.text(name)]) else {
                    throw StoreError(.notFound, "no mission named \(name) (spotter mission list shows them)")
                }
                return try mission(s, r)
            }
            guard let r = try s.first("SELECT * FROM missions ORDER BY id DESC LIMIT 1") else {
                throw StoreError(.notFound, "no mission in \(location) yet (spotter mission new NAME creates one)")
            }
            return try mission(s, r)
        }
    }

    public func ensureMission(named name: String, actor: String) throws -> Mission {
        let name = try Self.required(name, "a mission name")
        let actor = try Self.required(actor, "the actor")
        let id = try db.write { s -> Int64 in
            if let r = try s.first("SELECT id FROM missions WHERE name = ?", [.text(name)]) { return r.int("id") }
            return try insertMission(s, name: name, area: "", periods: [], actor: actor)
        }
        return try mission(id: id)
    }

    public func ensureFlight(
        mission: Int64, name: String, drone: String, camera: String, takeoffAltitude: Double?, actor: String
    ) throws -> Flight {
        let name = try Self.required(name, "a flight name")
        let actor = try Self.required(actor, "the actor")
        let row = try db.write { s -> SQLRow in
            guard try s.first("SELECT id FROM missions WHERE id = ?", [.int(mission)]) != nil else {
                throw StoreError(.notFound, "no mission \(mission)")
            }
            if let r = try s.first("SELECT * FROM flights WHERE mission_id = ? AND name = ?", [.int(mission), .text(name)]) {
                return r
            }
            let head = try EventLog.head(s)
            let id = try s.insert(
                "INSERT INTO flights (mission_id, name, drone, camera, takeoff_altitude_m, created_at, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.int(mission), .text(name), .text(drone), .text(camera), SQLValue(takeoffAltitude), .text(Clock.now()),
                 .int(head.nextSeq)])
            var summary = "flight \(name) registered"
            let details = [drone.isEmpty ? nil : "drone \(drone)", camera.isEmpty ? nil : "camera \(camera)",
                           takeoffAltitude.map { "takeoff \(Self.number($0)) m above sea"}].compactMap { $0 }
            if !details.isEmpty { summary += " (" + details.joined(separator: ", ") + ")" }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(kind: "flight.registered", missionID: mission, summary: summary, rows: [("flights", id)]))
            return try s.first("SELECT * FROM flights WHERE id = ?", [.int(id)])!
        }
        return Flight(
            id: row.int("id"), missionID: row.int("mission_id"), name: row.text("name"), drone: row.text("drone"),
            camera: row.text("camera"), takeoffAltitude: row.optionalDouble("takeoff_altitude_m"))
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    // MARK: - Frames

    public func recordedFrameKeys(mission: Int64, profile: String) throws -> Set<String> {
        try db.read { s in
            Set(try s.query("SELECT frame_key FROM frames WHERE mission_id = ? AND profile = ?", [.int(mission), .text(profile)])
                .map { $0.text("frame_key") })
        }
    }

    public func recordFrame(_ f: NewFrame, mission: Int64, flight: Int64?, actor: String) throws -> FrameRecord? {
        try recordFrames([f], mission: mission, flight: flight, actor: actor)[0]
    }

    public func recordFrames(_ frames: [NewFrame], mission: Int64, flight: Int64?, actor: String) throws -> [FrameRecord?] {
        try db.write { s in try frames.map { try recordFrame(s, $0, mission: mission, flight: flight, actor: actor) } }
    }

    private func recordFrame(
        _ s: any SQLSession, _ f: NewFrame, mission: Int64, flight: Int64?, actor: String
    ) throws -> FrameRecord? {
        do {
            if try s.first(
                "SELECT id FROM frames WHERE mission_id = ? AND profile = ? AND frame_key = ?",
                [.int(mission), .text(f.profile), .text(f.key)]) != nil
            {
                return nil
            }
            let head = try EventLog.head(s)
            let metadata = JSON.object(f.metadata.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) })
            let now = Clock.now()
            // Every column but the id, in table order (the digest below is computed from these exact values).
            let values: [SQLValue] = [
                .int(mission), SQLValue(flight), .text(f.path), SQLValue(f.sha256), .text(f.key), .int(Int64(f.size)),
                .text(f.profile), SQLValue(f.detectorSet), .text(f.status.rawValue), SQLValue(f.errorCode),
                SQLValue(f.error), .int(Int64(f.width)), .int(Int64(f.height)), .text(metadata), .text(now),
                .int(head.nextSeq),
            ]
            let id = try s.insert(
                """
                INSERT INTO frames (mission_id, flight_id, path, sha256, frame_key, size, profile, detector_set, status,
                    error_code, error, width, height, metadata, scanned_at, event_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, values)
            // Detections in chunks of 100 rows per statement; each row's id comes back with its rank.
            var rows: [(id: Int64, values: [SQLValue])] = []
            rows.reserveCapacity(f.detections.count)
            var rank = 0
            for chunk in stride(from: 0, to: f.detections.count, by: 100) {
                let part = f.detections[chunk..<min(chunk + 100, f.detections.count)]
                var args: [SQLValue] = []
                args.reserveCapacity(part.count * 9)
                var byRank: [Int64: [SQLValue]] = [:]
                for d in part {
                    rank += 1
                    let features = JSON.object(
                        d.features.sorted { $0.key < $1.key }.map { ($0.key, SQLValue.double($0.value).canonical) })
                    let row: [SQLValue] = [
                        .int(id), .int(Int64(d.x)), .int(Int64(d.y)), .int(Int64(d.width)), .int(Int64(d.height)),
                        .double(d.score), .text(d.detector), .text(features), .int(Int64(rank)),
                    ]
                    args += row
                    byRank[Int64(rank)] = row
                }
                let inserted = try s.query(
                    "INSERT INTO detections (frame_id, x, y, w, h, score, detector, features, rank) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: part.count).joined(separator: ", ")
                        + " RETURNING id, rank",
                    args)
                for r in inserted {
                    guard let row = byRank[r.int("rank")] else { throw StoreError(.backend, "detection insert returned an unknown rank") }
                    rows.append((r.int("id"), row))
                }
            }
            rows.sort { $0.id < $1.id }
            let summary: String
            if f.status == .failed {
                summary = "frame \(f.path) failed: \(f.error ?? "unknown error")"
            } else {
                let best = f.detections.map(\.score).max().map { ", best score \(Self.number(($0 * 1000).rounded() / 1000))" } ?? ""
                summary = "frame \(f.path) scanned: \(f.detections.count) detection\(f.detections.count == 1 ? "" : "s")\(best)"
            }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: f.status == .failed ? "frame.failed" : "frame.scanned", missionID: mission, summary: summary,
                    fields: [("frame", String(id))],
                    digests: [
                        ("frames", id, EventLog.canonicalDigest([.int(id)] + values)),
                        ("detections", id, EventLog.detectionsDigest(rows.map { [.int($0.id)] + $0.values })),
                    ]))
            return FrameRecord(
                id: id, missionID: mission, flightID: flight, path: f.path, sha256: f.sha256, size: Int64(f.size),
                profile: f.profile, detectorSet: f.detectorSet, status: f.status, errorCode: f.errorCode, error: f.error,
                width: Int64(f.width), height: Int64(f.height), metadata: metadata, scannedAt: now,
                detectionCount: Int64(f.detections.count))
        }
    }

    public func frames(mission: Int64) throws -> [FrameRecord] {
        try db.read { s in try frames(s, where: "f.mission_id = ?", [.int(mission)]) }
    }

    private func frames(_ s: any SQLSession, where condition: String, _ args: [SQLValue]) throws -> [FrameRecord] {
        try s.query(
            "SELECT f.*, (SELECT COUNT(*) FROM detections d WHERE d.frame_id = f.id) AS detection_count FROM frames f WHERE \(condition) ORDER BY f.id",
            args
        ).map { r in
            FrameRecord(
                id: r.int("id"), missionID: r.int("mission_id"), flightID: r.optionalInt("flight_id"), path: r.text("path"),
                sha256: r.optionalText("sha256"), size: r.int("size"), profile: r.text("profile"),
                detectorSet: r.optionalText("detector_set"), status: FrameStatus(rawValue: r.text("status")) ?? .failed,
                errorCode: r.optionalText("error_code"), error: r.optionalText("error"), width: r.int("width"),
                height: r.int("height"), metadata: r.text("metadata"), scannedAt: r.text("scanned_at"),
                detectionCount: r.int("detection_count"))
        }
    }

    // MARK: - Detections

    private static let detectionSelect = """
        SELECT * FROM (
            SELECT d.*, f.path AS frame_path, f.mission_id AS mission_id,
                ROW_NUMBER() OVER (ORDER BY d.score DESC, d.id) AS mission_rank,
                (SELECT r.verdict FROM reviews r WHERE r.detection_id = d.id ORDER BY r.id DESC LIMIT 1) AS verdict
            FROM detections d JOIN frames f ON f.id = d.frame_id
            WHERE f.mission_id = ?) ranked
        """

    public func detections(mission: Int64, filter: DetectionFilter) throws -> [DetectionRecord] {
        var sql = Self.detectionSelect + " WHERE 1 = 1"
        var args: [SQLValue] = [.int(mission)]
        if let min = filter.minScore {
            sql += " AND score >= ?"
            args.append(.double(min))
        }
        if filter.unreviewedOnly { sql += " AND verdict IS NULL" }
        sql += " ORDER BY mission_rank"
        if let top = filter.top {
            sql += " LIMIT ?"
            args.append(.int(Int64(max(0, top))))
        }
        return try db.read { s in try s.query(sql, args).map(Self.detection) }
    }

    public func detection(id: Int64) throws -> DetectionRecord {
        try db.read { s in try detection(s, id) }
    }

    private func detection(_ s: any SQLSession, _ id: Int64) throws -> DetectionRecord {
        guard let m = try s.first(
            "SELECT f.mission_id FROM detections d JOIN frames f ON f.id = d.frame_id WHERE d.id = ?", [.int(id)])
        else {
            throw StoreError(.notFound, "no detection \(id)")
        }
        guard let r = try s.first(Self.detectionSelect + " WHERE id = ?", [.int(m.int("mission_id")), .int(id)]) else {
            throw StoreError(.notFound, "no detection \(id)")
        }
        return Self.detection(r)
    }

    private static func detection(_ r: SQLRow) -> DetectionRecord {
        DetectionRecord(
            id: r.int("id"), frameID: r.int("frame_id"), missionID: r.int("mission_id"), framePath: r.text("frame_path"),
            x: r.int("x"), y: r.int("y"), width: r.int("w"), height: r.int("h"), score: r.double("score"),
            detector: r.text("detector"), features: JSON.parseNumbers(r.text("features")), frameRank: r.int("rank"),
            rank: Int(r.int("mission_rank")), verdict: r.optionalText("verdict").flatMap(Verdict.init(rawValue:)))
    }

    // MARK: - Reviews

    public func review(detection id: Int64, verdict: Verdict, note: String, actor: String) throws -> Review {
        let actor = try Self.required(actor, "the actor")
        let rid = try db.write { s -> Int64 in
            let d = try detection(s, id)
            let previous = try s.first(
                "SELECT id, verdict, event_seq FROM reviews WHERE detection_id = ? ORDER BY id DESC LIMIT 1", [.int(id)])
            let head = try EventLog.head(s)
            let now = Clock.now()
            let rid = try s.insert(
                "INSERT INTO reviews (detection_id, verdict, note, supersedes, actor, at, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.int(id), .text(verdict.rawValue), .text(note), SQLValue(previous?.optionalInt("id")), .text(actor),
                 .text(now), .int(head.nextSeq)])
            var summary = "detection \(id) (\(d.framePath) at \(d.x),\(d.y)) \(verdict.rawValue)"
            if let p = previous { summary += " (was \(p.text("verdict")))" }
            if !note.isEmpty { summary += ": \(note)" }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: "detection.reviewed", missionID: d.missionID, refersTo: previous?.optionalInt("event_seq"),
                    summary: summary, fields: [("detection", String(id)), ("verdict", JSON.string(verdict.rawValue))],
                    rows: [("reviews", rid)]))
            return rid
        }
        return try db.read { s in try s.query("SELECT * FROM reviews WHERE id = ?", [.int(rid)]).map(Self.review).first! }
    }

    public func reviews(detection id: Int64) throws -> [Review] {
        try db.read { s in
            _ = try detection(s, id)
            return try s.query("SELECT * FROM reviews WHERE detection_id = ? ORDER BY id", [.int(id)]).map(Self.review)
        }
    }

    private static func review(_ r: SQLRow) -> Review {
        Review(
            id: r.int("id"), detectionID: r.int("detection_id"), verdict: Verdict(rawValue: r.text("verdict")) ?? .unsure,
            note: r.text("note"), supersedes: r.optionalInt("supersedes"), actor: r.text("actor"), at: r.text("at"))
    }

    // MARK: - Teams

    public func addTeam(
        mission: Int64, callSign: String, kind: TeamKind, members: [String], contact: String, actor: String
    ) throws -> Team {
        let callSign = try Self.required(callSign, "a call sign")
        let actor = try Self.required(actor, "the actor")
        let members = try members.map { try Self.required($0, "a member's name") }
        let contact = contact.trimmingWhitespace()
        try db.write { s in
            let m = try s.first("SELECT name FROM missions WHERE id = ?", [.int(mission)])
            guard let m else { throw StoreError(.notFound, "no mission \(mission)") }
            if let existing = try s.first(
                "SELECT call_sign FROM teams WHERE mission_id = ? AND lower(call_sign) = lower(?)",
                [.int(mission), .text(callSign)])
            {
                throw StoreError(
                    .conflict, "mission \(m.text("name")) already has a team with call sign \(existing.text("call_sign"))")
            }
            let head = try EventLog.head(s)
            let id = try s.insert(
                "INSERT INTO teams (mission_id, call_sign, kind, members, contact, created_at, created_by, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.int(mission), .text(callSign), .text(kind.rawValue), .text(JSON.strings(members)), .text(contact),
                 .text(Clock.now()), .text(actor), .int(head.nextSeq)])
            var summary = "team \(callSign) (\(kind.rawValue)) checked in"
            if !members.isEmpty { summary += ": " + members.joined(separator: ", ") }
            if !contact.isEmpty { summary += "; contact \(contact)" }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(kind: "team.added", missionID: mission, summary: summary, team: callSign, rows: [("teams", id)]))
        }
        return try team(mission: mission, callSign: callSign)
    }

    public func teams(mission: Int64) throws -> [Team] {
        try db.read { s in
            try s.query("SELECT * FROM teams WHERE mission_id = ? ORDER BY id", [.int(mission)]).map { try team(s, $0) }
        }
    }

    public func team(mission: Int64, callSign: String) throws -> Team {
        try db.read { s in try team(s, try teamRow(s, mission: mission, callSign: callSign)) }
    }

    private func teamRow(_ s: any SQLSession, mission: Int64, callSign: String) throws -> SQLRow {
        let callSign = try Self.required(callSign, "a call sign")
        guard let r = try s.first(
            "SELECT * FROM teams WHERE mission_id = ? AND lower(call_sign) = lower(?)", [.int(mission), .text(callSign)])
        else {
            let name = try s.first("SELECT name FROM missions WHERE id = ?", [.int(mission)])?.text("name") ?? "\(mission)"
            throw StoreError(.notFound, "no team \(callSign) in mission \(name) (spotter team list shows them)")
        }
        return r
    }

    private func team(_ s: any SQLSession, _ r: SQLRow) throws -> Team {
        let id = r.int("id")
        let availability = try s.first(
            "SELECT status FROM team_status WHERE team_id = ? ORDER BY id DESC LIMIT 1", [.int(id)]
        ).flatMap { TeamAvailability(rawValue: $0.text("status")) } ?? .available
        let active = try tasks(s, where: "t.team_id = ?", [.int(id)]).last { $0.status.isActive }
        return Team(
            id: id, missionID: r.int("mission_id"), callSign: r.text("call_sign"),
            kind: TeamKind(rawValue: r.text("kind")) ?? .shore, members: JSON.parseStrings(r.text("members")),
            contact: r.text("contact"), createdAt: r.text("created_at"), availability: availability,
            activeTask: active?.id, activeTaskStatus: active?.status)
    }

    public func setTeamAvailability(
        mission: Int64, callSign: String, availability: TeamAvailability, note: String, actor: String
    ) throws -> Team {
        let actor = try Self.required(actor, "the actor")
        let sign = try db.write { s -> String in
            let r = try teamRow(s, mission: mission, callSign: callSign)
            let head = try EventLog.head(s)
            let id = try s.insert(
                "INSERT INTO team_status (team_id, status, note, actor, at, event_seq) VALUES (?, ?, ?, ?, ?, ?)",
                [.int(r.int("id")), .text(availability.rawValue), .text(note), .text(actor), .text(Clock.now()),
                 .int(head.nextSeq)])
            var summary = "team \(r.text("call_sign")) \(availability.rawValue)"
            if !note.isEmpty { summary += ": \(note)" }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: "team.status", missionID: mission, summary: summary, team: r.text("call_sign"),
                    rows: [("team_status", id)]))
            return r.text("call_sign")
        }
        return try team(mission: mission, callSign: sign)
    }

    // MARK: - Tasks

    public func dispatch(
        mission: Int64?, detection: Int64?, latitude: Double?, longitude: Double?, callSign: String,
        instructions: String, force: Bool, actor: String
    ) throws -> TeamTask {
        let actor = try Self.required(actor, "the actor")
        guard (detection == nil) != (latitude == nil || longitude == nil) else {
            throw StoreError(.invalid, "dispatch a detection or a position (latitude and longitude), not both or neither")
        }
        if let lat = latitude, let lon = longitude {
            guard (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw StoreError(.invalid, "position \(lat),\(lon) is not a latitude,longitude pair")
            }
        }
        let id = try db.write { s -> Int64 in
            var missionID = mission
            var target: String
            var d: DetectionRecord?
            if let detection {
                let found = try self.detection(s, detection)
                d = found
                if let m = mission, m != found.missionID {
                    throw StoreError(.conflict, "detection \(detection) belongs to another mission")
                }
                missionID = found.missionID
                target = "detection \(detection) (\(found.framePath) at \(found.x),\(found.y))"
                if found.verdict == .dismissed && !force {
                    let last = try s.first(
                        "SELECT actor, at FROM reviews WHERE detection_id = ? ORDER BY id DESC LIMIT 1", [.int(detection)])!
                    throw StoreError(
                        .needsForce,
                        "detection \(detection) was dismissed by \(last.text("actor")) at \(last.text("at")); --force dispatches it anyway")
                }
            } else {
                target = "position \(latitude!),\(longitude!)"
            }
            guard let missionID else { throw StoreError(.invalid, "dispatching a position needs a mission") }
            let teamRow = try teamRow(s, mission: missionID, callSign: callSign)
            let team = try self.team(s, teamRow)
            if !force {
                if let active = team.activeTask, let status = team.activeTaskStatus {
                    throw StoreError(
                        .needsForce,
                        "team \(team.callSign) is already on task \(active) (\(status.rawValue)); --force assigns another")
                }
                if team.availability == .outOfService {
                    throw StoreError(.needsForce, "team \(team.callSign) is out of service; --force assigns it anyway")
                }
            }
            let head = try EventLog.head(s)
            let now = Clock.now()
            let id = try s.insert(
                """
                INSERT INTO tasks (mission_id, team_id, detection_id, latitude, longitude, instructions, forced,
                    assigned_by, assigned_at, event_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.int(missionID), .int(team.id), SQLValue(detection), SQLValue(latitude), SQLValue(longitude),
                 .text(instructions), .int(force ? 1 : 0), .text(actor), .text(now), .int(head.nextSeq)])
            var summary = "task \(id): \(team.callSign) sent to \(target)"
            if !instructions.isEmpty { summary += ": \(instructions)" }
            if force { summary += " (forced)" }
            _ = d
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: "task.created", missionID: missionID, summary: summary, team: team.callSign,
                    fields: [("task", String(id))] + (detection.map { [("detection", String($0))] } ?? []),
                    rows: [("tasks", id)]))
            return id
        }
        return try task(id: id)
    }

    public func updateTask(id: Int64, status: TaskStatus, condition: String?, note: String, actor: String) throws -> TaskUpdate {
        let actor = try Self.required(actor, "the actor")
        guard status != .assigned else {
            throw StoreError(.invalid, "a task becomes assigned when it is dispatched; updates are en-route, on-scene, found, not-found, false-alarm or stood-down")
        }
        let condition = condition?.trimmingWhitespace()
        if status == .found {
            guard let c = condition, !c.isEmpty else {
                throw StoreError(.invalid, "found needs --condition: the person's condition as reported")
            }
        } else if let c = condition, !c.isEmpty {
            throw StoreError(.invalid, "--condition goes with found only (task \(id) update to \(status.rawValue))")
        }
        let uid = try db.write { s -> Int64 in
            guard let t = try tasks(s, where: "t.id = ?", [.int(id)]).first else {
                throw StoreError(.notFound, "no task \(id)")
            }
            guard t.status.next.contains(status) else {
                let allowed = t.status.next.map(\.rawValue).joined(separator: ", ")
                throw StoreError(
                    .conflict,
                    "task \(id) is \(t.status.rawValue): it cannot go to \(status.rawValue)"
                        + (allowed.isEmpty ? " (the task is closed)" : " (next: \(allowed))"))
            }
            let head = try EventLog.head(s)
            let uid = try s.insert(
                "INSERT INTO task_updates (task_id, status, condition, note, actor, at, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.int(id), .text(status.rawValue), SQLValue(status == .found ? condition : nil), .text(note), .text(actor),
                 .text(Clock.now()), .int(head.nextSeq)])
            var summary = "task \(id): \(t.callSign) \(status.rawValue)"
            if status == .found, let c = condition { summary += ", person's condition: \(c)" }
            if !note.isEmpty { summary += ": \(note)" }
            try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: "task.updated", missionID: t.missionID, summary: summary, team: t.callSign,
                    fields: [("task", String(id)), ("status", JSON.string(status.rawValue))], rows: [("task_updates", uid)]))
            return uid
        }
        return try db.read { s in try s.query("SELECT * FROM task_updates WHERE id = ?", [.int(uid)]).map(Self.update).first! }
    }

    public func tasks(mission: Int64) throws -> [TeamTask] {
        try db.read { s in try tasks(s, where: "t.mission_id = ?", [.int(mission)]) }
    }

    public func task(id: Int64) throws -> TeamTask {
        try db.read { s in
            guard let t = try tasks(s, where: "t.id = ?", [.int(id)]).first else { throw StoreError(.notFound, "no task \(id)") }
            return t
        }
    }

    public func taskUpdates(task id: Int64) throws -> [TaskUpdate] {
        try db.read { s in
            guard try s.first("SELECT id FROM tasks WHERE id = ?", [.int(id)]) != nil else {
                throw StoreError(.notFound, "no task \(id)")
            }
            return try s.query("SELECT * FROM task_updates WHERE task_id = ? ORDER BY id", [.int(id)]).map(Self.update)
        }
    }

    private static func update(_ r: SQLRow) -> TaskUpdate {
        TaskUpdate(
            id: r.int("id"), taskID: r.int("task_id"), status: TaskStatus(rawValue: r.text("status")) ?? .assigned,
            condition: r.optionalText("condition"), note: r.text("note"), actor: r.text("actor"), at: r.text("at"))
    }

    private func tasks(_ s: any SQLSession, where condition: String, _ args: [SQLValue]) throws -> [TeamTask] {
        try s.query(
            """
            SELECT t.*, tm.call_sign,
                (SELECT u.status FROM task_updates u WHERE u.task_id = t.id ORDER BY u.id DESC LIMIT 1) AS last_status,
                (SELECT u.at FROM task_updates u WHERE u.task_id = t.id ORDER BY u.id DESC LIMIT 1) AS last_at,
                (SELECT u.condition FROM task_updates u WHERE u.task_id = t.id AND u.status = 'found' ORDER BY u.id DESC LIMIT 1) AS found_condition
            FROM tasks t JOIN teams tm ON tm.id = t.team_id
            WHERE \(condition) ORDER BY t.id
            """, args
        ).map { r in
            TeamTask(
                id: r.int("id"), missionID: r.int("mission_id"), teamID: r.int("team_id"), callSign: r.text("call_sign"),
                detectionID: r.optionalInt("detection_id"), latitude: r.optionalDouble("latitude"),
                longitude: r.optionalDouble("longitude"), instructions: r.text("instructions"), forced: r.int("forced") != 0,
                assignedBy: r.text("assigned_by"), assignedAt: r.text("assigned_at"),
                status: r.optionalText("last_status").flatMap(TaskStatus.init(rawValue:)) ?? .assigned,
                updatedAt: r.optionalText("last_at") ?? r.text("assigned_at"), condition: r.optionalText("found_condition"))
        }
    }

    // MARK: - Log

    public func addNote(mission: Int64?, text: String, refersTo: Int64?, actor: String) throws -> LogEntry {
        let text = try Self.required(text, "a log note")
        let actor = try Self.required(actor, "the actor")
        return try db.write { s in
            if let mission, try s.first("SELECT id FROM missions WHERE id = ?", [.int(mission)]) == nil {
                throw StoreError(.notFound, "no mission \(mission)")
            }
            var team: String?
            if let refersTo {
                guard let old = try s.first("SELECT payload FROM events WHERE seq = ?", [.int(refersTo)]) else {
                    throw StoreError(.notFound, "no log entry \(refersTo)")
                }
                team = JSON.parseObject(old.text("payload"))?["team"] as? String
            }
            let head = try EventLog.head(s)
            let id = try s.insert(
                "INSERT INTO notes (mission_id, text, refers_to, actor, at, event_seq) VALUES (?, ?, ?, ?, ?, ?)",
                [SQLValue(mission), .text(text), SQLValue(refersTo), .text(actor), .text(Clock.now()), .int(head.nextSeq)])
            return try EventLog.append(
                s, seq: head.nextSeq, prevHash: head.prevHash, actor: actor,
                .init(
                    kind: refersTo == nil ? "note" : "correction", missionID: mission, refersTo: refersTo,
                    summary: refersTo.map { "correction to entry \($0): \(text)" } ?? text, team: team,
                    rows: [("notes", id)]))
        }
    }

    public func log(mission: Int64?) throws -> [LogEntry] {
        try db.read { s in
            if let mission {
                return try s.query("SELECT * FROM events WHERE mission_id = ? ORDER BY seq", [.int(mission)]).map(EventLog.entry)
            }
            return try s.query("SELECT * FROM events ORDER BY seq").map(EventLog.entry)
        }
    }

    public func verifyLog() throws -> VerifyReport {
        try db.read { s in try EventLog.verify(s) }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
