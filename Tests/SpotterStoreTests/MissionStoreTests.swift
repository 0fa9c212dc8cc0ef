import Testing
import _SpotterTestSupport

@testable import SpotterStore

/// Missions, flights, frames and detections, on both backends.
@Suite struct MissionStoreTests {
    @Test(arguments: StoreBackend.all)
    func missionsAreCreatedListedAndFound(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            #expect(try store.missions().isEmpty)
            try expectRefusal(store, .notFound, "no mission") { _ = try store.mission(named: nil) }
            let a = try store.createMission(
                name: "Islets dawn", area: "offshore islets", periods: [.init(start: "2026-11-29T05:00", end: "2026-11-29T17:00")],
                actor: "officer")
            let b = try store.createMission(name: "Harbour", area: "", periods: [], actor: "officer")
            #expect(a.periods == [.init(start: "2026-11-29T05:00", end: "2026-11-29T17:00")])
            #expect(try store.missions().map(\.name) == ["Islets dawn", "Harbour"])
            #expect(try store.mission(named: nil) == b, "no name means the most recent mission")
            #expect(try store.mission(named: "Islets dawn") == a)
            #expect(try store.ensureMission(named: "Harbour", actor: "x").id == b.id)
            try expectRefusal(store, .conflict, "already exists") {
                _ = try store.createMission(name: "Harbour", area: "", periods: [], actor: "officer")
            }
            try expectRefusal(store, .invalid, "must not be empty") {
                _ = try store.createMission(name: "  ", area: "", periods: [], actor: "officer")
            }
            try expectRefusal(store, .invalid, "ends before it starts") {
                _ = try store.createMission(
                    name: "C", area: "", periods: [.init(start: "2026-11-29T09:00", end: "2026-11-29T08:00")], actor: "o")
            }
            try expectRefusal(store, .notFound, "no mission named Nowhere") { _ = try store.mission(named: "Nowhere") }
        }
    }

    @Test(arguments: StoreBackend.all)
    func framesAreRecordedOnceByContentAndProfile(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let m = try store.createMission(name: "M", area: "", periods: [], actor: "o").id
            let flight = try store.ensureFlight(
                mission: m, name: "F1", drone: "M30T", camera: "thermal", takeoffAltitude: 12.5, actor: "o")
            #expect(try store.ensureFlight(mission: m, name: "F1", drone: "", camera: "", takeoffAltitude: nil, actor: "o") == flight)
            let frame = sampleFrame("a", detections: 3)
            let recorded = try #require(try store.recordFrame(frame, mission: m, flight: flight.id, actor: "o"))
            #expect(recorded.sha256 == frame.sha256 && recorded.detectionCount == 3 && recorded.status == .scanned)
            #expect(recorded.flightID == flight.id)
            // The same content under another path, same profile: skipped, nothing written.
            let before = try StoreSnapshot(store)
            var moved = frame
            moved.path = "/elsewhere/a.jpg"
            #expect(try store.recordFrame(moved, mission: m, flight: nil, actor: "o") == nil)
            #expect(try StoreSnapshot(store) == before)
            // Another profile is another result.
            #expect(try store.recordFrame(sampleFrame("a", detections: 1, profile: "auto scale=2"), mission: m, flight: nil, actor: "o") != nil)
            #expect(try store.recordedFrameKeys(mission: m, profile: "auto") == [frame.key])
            // A failed frame without readable content is keyed by its path.
            let failed = NewFrame(
                path: "/frames/missing.jpg", sha256: nil, size: 0, profile: "auto", status: .failed, errorCode: "unreadable",
                error: "cannot open: No such file or directory")
            #expect(try store.recordFrame(failed, mission: m, flight: nil, actor: "o")?.status == .failed)
            #expect(try store.recordFrame(failed, mission: m, flight: nil, actor: "o") == nil)
            #expect(try store.recordedFrameKeys(mission: m, profile: "auto") == [frame.key, "path:/frames/missing.jpg"])
            #expect(try store.frames(mission: m).count == 3)
            #expect(try store.verifyLog().ok)
        }
    }

    @Test(arguments: StoreBackend.all)
    func detectionsAreRankedAcrossFramesAndFiltered(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let m = try store.createMission(name: "M", area: "", periods: [], actor: "o").id
            _ = try store.recordFrame(sampleFrame("a", detections: 3), mission: m, flight: nil, actor: "o")  // .9 .8 .7
            var b = sampleFrame("b", detections: 2)  // .95 .85
            b.detections = b.detections.map { var d = $0; d.score += 0.05; return d }
            _ = try store.recordFrame(b, mission: m, flight: nil, actor: "o")
            let all = try store.detections(mission: m, filter: DetectionFilter())
            #expect(all.map(\.score).map { ($0 * 100).rounded() } == [95, 90, 85, 80, 70])
            #expect(all.map(\.rank) == [1, 2, 3, 4, 5])
            #expect(all.map(\.framePath) == ["/frames/b.jpg", "/frames/a.jpg", "/frames/b.jpg", "/frames/a.jpg", "/frames/a.jpg"])
            #expect(all[0].frameRank == 1 && all[2].frameRank == 2)
            #expect(all[1].features == ["area": 100])
            #expect(try store.detections(mission: m, filter: DetectionFilter(top: 2)).map(\.rank) == [1, 2])
            #expect(try store.detections(mission: m, filter: DetectionFilter(minScore: 0.85)).count == 3)
            _ = try store.review(detection: all[0].id, verdict: .dismissed, note: "rock", actor: "o")
            let unreviewed = try store.detections(mission: m, filter: DetectionFilter(unreviewedOnly: true))
            #expect(unreviewed.map(\.rank) == [2, 3, 4, 5], "ranks stay those of the whole mission")
            #expect(try store.detection(id: all[0].id).verdict == .dismissed)
            try expectRefusal(store, .notFound, "no detection 999999") { _ = try store.detection(id: 999_999) }
        }
    }

    @Test(arguments: StoreBackend.all)
    func reviewsCorrectEarlierReviewsWithoutChangingThem(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let m = try store.createMission(name: "M", area: "", periods: [], actor: "o").id
            _ = try store.recordFrame(sampleFrame("a", detections: 1), mission: m, flight: nil, actor: "o")
            let d = try store.detections(mission: m, filter: DetectionFilter())[0].id
            let first = try store.review(detection: d, verdict: .dismissed, note: "rock", actor: "ana")
            let second = try store.review(detection: d, verdict: .confirmed, note: "second look: a person", actor: "luis")
            #expect(second.supersedes == first.id)
            #expect(try store.reviews(detection: d) == [first, second])
            #expect(try store.detection(id: d).verdict == .confirmed)
            let log = try store.log(mission: m)
            #expect(log.last?.kind == "detection.reviewed")
            #expect(log.last?.refersTo == log[log.count - 2].seq, "the correction refers to the entry it corrects")
            try expectRefusal(store, .notFound, "no detection 424242") {
                _ = try store.review(detection: 424_242, verdict: .confirmed, note: "", actor: "o")
            }
        }
    }

    @Test(arguments: StoreBackend.all)
    func inputThatLooksLikeSQLIsJustData(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let evil = "Robert'); DROP TABLE teams; --"
            let m = try store.createMission(name: evil, area: "' OR '1'='1", periods: [], actor: "x\"; DELETE FROM events; --")
            let t = try store.addTeam(
                mission: m.id, callSign: "K1'; DROP TABLE tasks;--", kind: .kayak, members: ["a'b", "?"], contact: "$1",
                actor: "o")
            #expect(try store.mission(named: evil).area == "' OR '1'='1")
            #expect(try store.team(mission: m.id, callSign: "k1'; drop table tasks;--") == t)
            #expect(t.members == ["a'b", "?"] && t.contact == "$1")
            _ = try store.addNote(mission: m.id, text: "?; SELECT 1 -- \u{00e9}\u{1F6F6}", refersTo: nil, actor: "o")
            #expect(try store.log(mission: m.id).last?.summary == "?; SELECT 1 -- \u{00e9}\u{1F6F6}")
            #expect(try store.verifyLog().ok)
        }
    }

    @Test(arguments: StoreBackend.all)
    func migrationsAreVersionedAndAppliedOnce(_ backend: StoreBackend) throws {
        try backend.withStore { store, location in
            #expect(try store.schemaVersion() == Schema.latestVersion)
            _ = try store.createMission(name: "M", area: "", periods: [], actor: "o")
            // Opening again applies nothing and keeps the data.
            let again = try backend == .sqlite ? SQLiteStore(path: location) as SQLMissionStore : PostgresStore(url: location)
            defer { again.close() }
            #expect(try again.schemaVersion() == Schema.latestVersion)
            #expect(try again.missions().map(\.name) == ["M"])
            let versions = try again.db.read { s in try s.query("SELECT version FROM schema_migrations").compactMap { $0[0].int } }
            #expect(versions == Schema.migrations.map { Int64($0.version) })
        }
    }
}
