/// The append-only, hash-chained event log: every change to the store is one entry, written in the same transaction
/// as the rows it creates.
///
/// Entry `n` holds `prev_hash` = the hash of entry `n − 1` (64 zeros for the first) and `hash` = SHA-256 of the JSON
/// array `[seq, at, actor, kind, mission_id, refers_to, payload, prev_hash]` (canonical text, see `JSON`). Its payload
/// names every row the entry created with the SHA-256 of that row's canonical content (all its columns, in order),
/// so `verify` can tell a changed, deleted or smuggled-in row as well as a changed or deleted entry.
enum EventLog {
    /// The content of an entry being written: its payload fields and the rows it created.
    struct Content {
        var kind: String
        var missionID: Int64?
        var refersTo: Int64? = nil
        var summary: String
        var team: String? = nil
        /// Extra payload fields, already JSON-encoded values.
        var fields: [(String, String)] = []
        /// `(table, id)` of each row created.
        var rows: [(String, Int64)] = []
        /// A frame whose detections the entry created (digested as one group).
        var detectionsOfFrame: Int64? = nil
        /// Rows whose digests the caller computed from the exact values it inserted (`canonicalDigest`), saving the
        /// read-back: `(table, id, digest)`; `detections` names a frame's group.
        var digests: [(String, Int64, String)] = []
    }

    /// The seq the next entry will take and the hash it must chain to. Call inside a write transaction.
    static func head(_ s: any SQLSession) throws -> (nextSeq: Int64, prevHash: String) {
        guard let row = try s.first("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1") else {
            return (1, SHA256Hex.genesis)
        }
        return (row.int("seq") + 1, row.text("hash"))
    }

    /// Appends the entry for rows already inserted with `event_seq = seq`.
    @discardableResult
    static func append(
        _ s: any SQLSession, seq: Int64, prevHash: String, actor: String, _ c: Content
    ) throws -> LogEntry {
        var payload: [(String, String)] = [("summary", JSON.string(c.summary))]
        if let team = c.team { payload.append(("team", JSON.string(team))) }
        payload += c.fields
        var rows: [String] = []
        for (table, id) in c.rows {
            rows.append(JSON.array([JSON.string(table), String(id), JSON.string(try rowDigest(s, table, id) ?? "")]))
        }
        if let frame = c.detectionsOfFrame {
            rows.append(JSON.array([JSON.string("detections"), String(frame), JSON.string(try detectionsDigest(s, frame))]))
        }
        for (table, id, digest) in c.digests {
            rows.append(JSON.array([JSON.string(table), String(id), JSON.string(digest)]))
        }
        payload.append(("rows", JSON.array(rows)))
        var entry = LogEntry(
            seq: seq, at: Clock.now(), actor: actor, kind: c.kind, missionID: c.missionID, refersTo: c.refersTo,
            payload: JSON.object(payload), prevHash: prevHash, hash: "")
        entry.hash = hash(entry)
        try s.execute(
            "INSERT INTO events (seq, at, actor, kind, mission_id, refers_to, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.int(seq), .text(entry.at), .text(actor), .text(c.kind), SQLValue(c.missionID), SQLValue(c.refersTo),
             .text(entry.payload), .text(prevHash), .text(entry.hash)])
        return entry
    }

    static func hash(_ e: LogEntry) -> String {
        SHA256Hex.of(
            JSON.array([
                String(e.seq), JSON.string(e.at), JSON.string(e.actor), JSON.string(e.kind), JSON.optional(e.missionID),
                JSON.optional(e.refersTo), JSON.string(e.payload), JSON.string(e.prevHash),
            ]))
    }

    static func canonical(_ row: SQLRow) -> String { JSON.array(row.values.map(\.canonical)) }

    /// The digest of a row from the values it was inserted with, all its columns in table order: the same text
    /// `rowDigest` reads back, as long as each value has its column's type (the store binds them so).
    static func canonicalDigest(_ values: [SQLValue]) -> String { SHA256Hex.of(JSON.array(values.map(\.canonical))) }

    /// The digest of a frame's detections from their inserted values, each row in table order, rows in id order.
    static func detectionsDigest(_ rows: [[SQLValue]]) -> String {
        SHA256Hex.of(JSON.array(rows.map { JSON.array($0.map(\.canonical)) }))
    }

    /// SHA-256 of one row's canonical content, nil when there is no such row.
    static func rowDigest(_ s: any SQLSession, _ table: String, _ id: Int64) throws -> String? {
        precondition(Schema.appendOnlyTables.contains(table))
        return try s.first("SELECT * FROM \(table) WHERE id = ?", [.int(id)]).map { SHA256Hex.of(canonical($0)) }
    }

    /// SHA-256 of a frame's detections, in id order.
    static func detectionsDigest(_ s: any SQLSession, _ frame: Int64) throws -> String {
        let rows = try s.query("SELECT * FROM detections WHERE frame_id = ? ORDER BY id", [.int(frame)])
        return SHA256Hex.of(JSON.array(rows.map(canonical)))
    }

    static func entry(_ r: SQLRow) -> LogEntry {
        LogEntry(
            seq: r.int("seq"), at: r.text("at"), actor: r.text("actor"), kind: r.text("kind"),
            missionID: r.optionalInt("mission_id"), refersTo: r.optionalInt("refers_to"), payload: r.text("payload"),
            prevHash: r.text("prev_hash"), hash: r.text("hash"))
    }

    /// Recomputes the chain and every row digest.
    static func verify(_ s: any SQLSession) throws -> VerifyReport {
        var problems: [VerifyReport.Problem] = []
        let entries = try s.query("SELECT * FROM events ORDER BY seq").map(entry)
        var expectedSeq: Int64 = 1
        var prev = SHA256Hex.genesis
        for e in entries {
            if e.seq != expectedSeq {
                let missing = expectedSeq == e.seq - 1 ? "entry \(expectedSeq) is" : "entries \(expectedSeq)–\(e.seq - 1) are"
                problems.append(.init(seq: expectedSeq, message: "\(missing) missing from the log (deleted?)"))
            }
            if e.prevHash != prev {
                problems.append(
                    .init(
                        seq: e.seq,
                        message: "(\(e.kind)) does not chain to the entry before it: an earlier entry was changed or removed"))
            } else if hash(e) != e.hash {
                problems.append(
                    .init(seq: e.seq, message: "(\(e.kind)) does not match its hash: it was changed after it was written"))
            }
            prev = e.hash
            expectedSeq = e.seq + 1
        }

        // Every row named by an entry must still be there, unchanged; every row must be named by an entry.
        var digests: [String: [Int64: (digest: String, seq: Int64)]] = [:]
        for table in Schema.appendOnlyTables where table != "events" && table != "detections" {
            var byID: [Int64: (String, Int64)] = [:]
            for row in try s.query("SELECT * FROM \(table) ORDER BY id") {
                byID[row.int("id")] = (SHA256Hex.of(canonical(row)), row.int("event_seq"))
            }
            digests[table] = byID
        }
        var detectionGroups: [Int64: [String]] = [:]
        for row in try s.query("SELECT * FROM detections ORDER BY id") {
            detectionGroups[row.int("frame_id"), default: []].append(canonical(row))
        }
        var claimed = Set<String>()
        var claimedFrames = Set<Int64>()
        for e in entries {
            guard let payload = JSON.parseObject(e.payload), let rows = payload["rows"] as? [[Any]] else {
                problems.append(.init(seq: e.seq, message: "(\(e.kind)) has an unreadable payload"))
                continue
            }
            for item in rows {
                guard item.count == 3, let table = item[0] as? String, let id = (item[1] as? NSNumberLike)?.int64Value,
                    let digest = item[2] as? String
                else {
                    problems.append(.init(seq: e.seq, message: "(\(e.kind)) names a row it cannot describe"))
                    continue
                }
                if table == "detections" {
                    claimedFrames.insert(id)
                    let actual = SHA256Hex.of(JSON.array(detectionGroups[id] ?? []))
                    if actual != digest {
                        problems.append(
                            .init(
                                seq: e.seq,
                                message: "(\(e.kind)) the detections of frame \(id) were changed, added or deleted after they were recorded"))
                    }
                    continue
                }
                claimed.insert("\(table)/\(id)")
                guard let row = digests[table]?[id] else {
                    problems.append(.init(seq: e.seq, message: "(\(e.kind)) its \(table) row \(id) is missing (deleted?)"))
                    continue
                }
                if row.digest != digest {
                    problems.append(
                        .init(seq: e.seq, message: "(\(e.kind)) its \(table) row \(id) was changed after it was recorded"))
                }
            }
        }
        for (table, rows) in digests.sorted(by: { $0.key < $1.key }) {
            for (id, row) in rows.sorted(by: { $0.key < $1.key }) where !claimed.contains("\(table)/\(id)") {
                problems.append(
                    .init(seq: row.seq, message: "\(table) row \(id) is not in the log (added behind Spotter's back?)"))
            }
        }
        for frame in detectionGroups.keys.sorted() where !claimedFrames.contains(frame) {
            problems.append(
                .init(seq: nil, message: "detections of frame \(frame) are not in the log (added behind Spotter's back?)"))
        }
        problems.sort { ($0.seq ?? .max) < ($1.seq ?? .max) }
        return VerifyReport(entries: entries.count, headHash: entries.last?.hash ?? SHA256Hex.genesis, problems: problems)
    }
}
