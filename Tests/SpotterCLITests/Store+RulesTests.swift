import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

/// The store's rules through the binary: each refusal is one line on stderr, exit code 1, and nothing written.
@Suite struct StoreRulesCLITests {
    /// A mission with one recorded frame (three detections, the first dismissed), team B1 on a task that was found,
    /// team K2 on an active task. Returns the detection ids and the two task ids.
    static func populate(_ db: String) throws -> (detections: [Int64], closedTask: Int64, activeTask: Int64) {
        let s = try openStore(db)
        defer { s.close() }
        let m = try s.createMission(name: "Islets", area: "offshore islets", periods: [], actor: "setup").id
        let frame = NewFrame(
            path: "/frames/a.jpg", sha256: SHA256Hex.of("a"), size: 1, profile: "auto", detectorSet: "thermal", width: 640,
            height: 512,
            detections: (0..<3).map { NewDetection(x: $0, y: $0, width: 10, height: 10, score: 0.9 - Double($0) / 10, detector: "hotspot") })
        _ = try s.recordFrame(frame, mission: m, flight: nil, actor: "setup")
        let d = try s.detections(mission: m, filter: DetectionFilter()).map(\.id)
        _ = try s.review(detection: d[0], verdict: .dismissed, note: "rock", actor: "ana")
        _ = try s.addTeam(mission: m, callSign: "B1", kind: .boat, members: ["Eva"], contact: "ch 16", actor: "setup")
        _ = try s.addTeam(mission: m, callSign: "K2", kind: .kayak, members: [], contact: "", actor: "setup")
        let closed = try s.dispatch(mission: nil, detection: d[1], latitude: nil, longitude: nil, callSign: "B1", instructions: "", force: false, actor: "setup")
        for st in [TaskStatus.enRoute, .onScene] { _ = try s.updateTask(id: closed.id, status: st, condition: nil, note: "", actor: "b1") }
        _ = try s.updateTask(id: closed.id, status: .found, condition: "conscious", note: "", actor: "b1")
        let active = try s.dispatch(mission: nil, detection: d[2], latitude: nil, longitude: nil, callSign: "K2", instructions: "", force: false, actor: "setup")
        return (d, closed.id, active.id)
    }

    static func state(_ db: String) throws -> VerifyReport {
        let s = try openStore(db)
        defer { s.close() }
        return try s.verifyLog()
    }

    @Test(arguments: StoreKind.all)
    func refusalsAreOneLineExitOneAndWriteNothing(_ kind: StoreKind) throws {
        try kind.with { db, _ in
            let (d, closed, active) = try Self.populate(db)
            let refusals: [([String], String)] = [
                (["review", "99999", "confirm"], "no detection 99999"),
                (["dispatch", "\(d[0])", "--team", "B1"], "detection \(d[0]) was dismissed by ana"),
                (["task", "update", "\(closed)", "--status", "en-route"], "task \(closed) is found: it cannot go to en-route"),
                (["dispatch", "\(d[1])", "--team", "k2"], "team K2 is already on task \(active)"),
                (["task", "update", "424242", "--status", "en-route"], "no task 424242"),
                (["task", "update", "\(active)", "--status", "found", "--condition", "ok"], "cannot go to found"),
                (["team", "add", "", "--kind", "boat"], "a call sign must not be empty"),
                (["team", "add", "b1", "--kind", "shore"], "already has a team with call sign B1"),
                (["team", "status", "Ghost"], "no team Ghost"),
                (["dispatch", "--position", "43.1,-8.4", "--team", "Ghost"], "no team Ghost"),
                (["mission", "new", " "], "a mission name must not be empty"),
                (["mission", "new", "Islets"], "a mission named Islets already exists"),
                (["detections", "--mission", "Nowhere"], "no mission named Nowhere"),
                (["log", "note", "x", "--corrects", "9999"], "no log entry 9999"),
                (["review", "\(d[1])", "confirm", "--as", ""], "the actor must not be empty"),
            ]
            let before = try Self.state(db)
            #expect(before.ok)
            for (arguments, message) in refusals {
                let run = try SpotterProcess.run(arguments + ["--db", db])
                #expect(run.exitCode == 1, "\(run)")
                #expect(run.stdout.isEmpty, "\(run)")
                #expect(run.stderrLines.count == 1, "\(run)")
                #expect(run.stderr.hasPrefix("spotter: ") && run.stderr.contains(message), "\(run)")
                #expect(!run.stderr.contains("spotter_admin:"), "no credentials in messages")
            }
            #expect(try Self.state(db) == before, "a refused command wrote something")
            // --force goes past the refusals that allow it, and says so in the log.
            let forced = try SpotterProcess.run(["dispatch", "\(d[0])", "--team", "B1", "--force", "--db", db, "--format", "json"])
            #expect(forced.exitCode == 0, "\(forced)")
            #expect(jsonRecords(forced)?.first?["detection"] as? Int == Int(d[0]))
            let log = try SpotterProcess.run(["log", "--db", db, "--format", "csv"])
            #expect(log.stdoutLines.last?.contains("(forced)") == true, "\(log)")
        }
    }

    @Test func unreachableServerIsOneLineWithoutPassword() throws {
        let run = try SpotterProcess.run(["mission", "list", "--db", "postgres://station:s3cret@127.0.0.1:1/spotter"])
        #expect(run.exitCode == 1, "\(run)")
        #expect(run.stderrLines.count == 1 && run.stderr.contains("cannot connect"), "\(run)")
        #expect(!run.stderr.contains("s3cret"), "\(run)")
    }
}
