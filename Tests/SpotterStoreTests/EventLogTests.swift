import Dispatch
import Testing
import _SpotterTestSupport

@testable import SpotterStore

/// The hash-chained event log: what it records, that it verifies, and that tampering behind Spotter's back is caught
/// and named.
@Suite struct EventLogTests {
    /// A mission with a scanned frame, a review, a team, a task with two updates and a note: 8 entries.
    func populate(_ store: SQLMissionStore) throws -> Int64 {
        let m = try store.createMission(name: "M", area: "bay", periods: [], actor: "officer").id  // 1
        _ = try store.recordFrame(sampleFrame("a", detections: 3), mission: m, flight: nil, actor: "scanner")  // 2
        let d = try store.detections(mission: m, filter: DetectionFilter())[0].id
        _ = try store.review(detection: d, verdict: .confirmed, note: "", actor: "ana")  // 3
        _ = try store.addTeam(mission: m, callSign: "K1", kind: .kayak, members: ["Eva"], contact: "", actor: "officer")  // 4
        let t = try store.dispatch(
            mission: nil, detection: d, latitude: nil, longitude: nil, callSign: "K1", instructions: "north face",
            force: false, actor: "officer")  // 5
        _ = try store.updateTask(id: t.id, status: .enRoute, condition: nil, note: "", actor: "k1")  // 6
        _ = try store.updateTask(id: t.id, status: .onScene, condition: nil, note: "", actor: "k1")  // 7
        _ = try store.addNote(mission: m, text: "helicopter requested", refersTo: nil, actor: "officer")  // 8
        return m
    }

    @Test(arguments: StoreBackend.all)
    func everyChangeIsOneChainedEntry(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let m = try populate(store)
            let log = try store.log(mission: m)
            #expect(log.map(\.seq) == Array(1...8))
            #expect(log.map(\.kind) == [
                "mission.created", "frame.scanned", "detection.reviewed", "team.added", "task.created", "task.updated",
                "task.updated", "note",
            ])
            #expect(log.map(\.actor) == ["officer", "scanner", "ana", "officer", "officer", "k1", "k1", "officer"])
            #expect(log[0].prevHash == SHA256Hex.genesis)
            for (a, b) in zip(log, log.dropFirst()) { #expect(b.prevHash == a.hash) }
            for e in log { #expect(EventLog.hash(e) == e.hash) }
            #expect(log[4].team == "K1" && log[4].summary.contains("K1 sent to detection"))
            #expect(log[4].summary.contains("north face"))
            let report = try store.verifyLog()
            #expect(report.ok && report.entries == 8 && report.headHash == log.last!.hash)
            // A correction is a new entry that refers to the old one.
            let fix = try store.addNote(mission: m, text: "team was K1, not K2", refersTo: 6, actor: "officer")
            #expect(fix.kind == "correction" && fix.refersTo == 6 && fix.team == "K1")
            try expectRefusal(store, .notFound, "no log entry 99") {
                _ = try store.addNote(mission: m, text: "x", refersTo: 99, actor: "o")
            }
            try expectRefusal(store, .invalid, "a log note must not be empty") {
                _ = try store.addNote(mission: m, text: " ", refersTo: nil, actor: "o")
            }
        }
    }

    @Test(arguments: StoreBackend.all)
    func spotterItselfCannotUpdateOrDelete(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            _ = try populate(store)
            for sql in ["UPDATE task_updates SET status = 'found'", "DELETE FROM events WHERE seq = 8", "DELETE FROM detections"] {
                #expect(throws: StoreError.self, "\(sql)") { try store.db.unmanaged { s in try s.execute(sql) } }
            }
            #expect(try store.verifyLog().ok)
        }
    }

    /// What an operator would do with sqlite3 or psql, guards dropped first.
    enum Tamper: String, CaseIterable, CustomTestStringConvertible {
        case changeTaskUpdate, changeEventPayload, deleteMiddleEvent, deleteLastEvent, deleteDetection, changeScore,
            insertTeam, deleteReview
        var testDescription: String { rawValue }

        /// The statements, and the entry `verify` must name first with a fragment of its message.
        func statements(_ dialect: SQLDialect) -> (sql: [String], entry: Int64?, says: String) {
            switch self {
            case .changeTaskUpdate:
                return (["UPDATE task_updates SET status = 'found' WHERE id = 2"], 7, "task_updates row 2 was changed")
            case .changeEventPayload:
                return (["UPDATE events SET actor = 'someone else' WHERE seq = 5"], 5, "does not match its hash")
            case .deleteMiddleEvent:
                return (["DELETE FROM events WHERE seq = 4"], 4, "entry 4 is missing")
            case .deleteLastEvent:
                return (["DELETE FROM events WHERE seq = 8"], 8, "notes row 1 is not in the log")
            case .deleteDetection:
                return (["DELETE FROM detections WHERE id = 3"], 2, "detections of frame 1 were changed")
            case .changeScore:
                return (["UPDATE detections SET score = 0.99 WHERE id = 2"], 2, "detections of frame 1 were changed")
            case .insertTeam:
                return (
                    ["INSERT INTO teams (mission_id, call_sign, kind, members, contact, created_at, created_by, event_seq) VALUES (1, 'X', 'boat', '[]', '', 'now', 'o', 4)"],
                    4, "teams row 2 is not in the log")
            case .deleteReview:
                return (["DELETE FROM reviews WHERE id = 1"], 3, "reviews row 1 is missing")
            }
        }
    }

    @Test(arguments: StoreBackend.all, Tamper.allCases)
    func tamperingBehindSpottersBackIsNamed(_ backend: StoreBackend, _ tamper: Tamper) throws {
        try backend.withStore { store, _ in
            _ = try populate(store)
            #expect(try store.verifyLog().ok)
            let (sql, entry, says) = tamper.statements(store.db.dialect)
            try store.db.unmanaged { s in
                for table in Schema.appendOnlyTables {
                    switch s.dialect {
                    case .sqlite:
                        try s.execute("DROP TRIGGER \(table)_no_update")
                        try s.execute("DROP TRIGGER \(table)_no_delete")
                    case .postgres:
                        try s.execute("DROP TRIGGER \(table)_append_only ON \(table)")
                    }
                }
                for q in sql { try s.execute(q) }
            }
            let report = try store.verifyLog()
            let first = try #require(report.problems.first, "verify did not notice \(tamper)")
            #expect(first.seq == entry, "\(report.problems)")
            #expect(first.message.contains(says), "\(report.problems)")
        }
    }

    /// Several connections appending at once (threads here; the CLI tests use real processes): nothing lost, the
    /// chain intact.
    @Test(arguments: StoreBackend.all)
    func concurrentWritersLoseNothing(_ backend: StoreBackend) throws {
        try backend.withStore { store, location in
            let m = try store.createMission(name: "M", area: "", periods: [], actor: "o").id
            let writers = 4, notes = 25
            let failures = Locked<[String]>([])
            DispatchQueue.concurrentPerform(iterations: writers) { w in
                do {
                    let s = try openStore(location)
                    defer { s.close() }
                    for i in 0..<notes { _ = try s.addNote(mission: m, text: "w\(w)-\(i)", refersTo: nil, actor: "w\(w)") }
                } catch {
                    failures.mutate { $0.append("\(error)") }
                }
            }
            #expect(failures.value.isEmpty)
            let texts = try store.log(mission: m).dropFirst().map(\.summary)
            #expect(texts.count == writers * notes && Set(texts).count == writers * notes)
            #expect(try store.verifyLog().ok)
        }
    }
}

/// A value shared between test threads.
final class Locked<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLockLike()
    init(_ v: T) { self.v = v }
    var value: T { lock.sync { v } }
    func mutate(_ f: (inout T) -> Void) { lock.sync { f(&v) } }
}

import Foundation
typealias NSLockLike = NSLock
extension NSLock {
    func sync<R>(_ f: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try f()
    }
}
