import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

/// `scan --db`: frames and detections recorded, reruns skip what is there, and a scan killed with SIGKILL at random
/// moments and rerun leaves every frame recorded exactly once with no duplicate detection.
@Suite struct StoreScanCLITests {
    static let frameCount = 10

    /// Per frame path: (sha256, detections as (x, y, w, h, detector) in frame order).
    static func contents(_ db: String, mission: String) throws -> [String: (String?, [String])] {
        let store = try openStore(db)
        defer { store.close() }
        let m = try store.mission(named: mission).id
        var out: [String: (String?, [String])] = [:]
        let detections = try store.detections(mission: m, filter: DetectionFilter())
        for f in try store.frames(mission: m) {
            #expect(out[f.path] == nil, "frame \(f.path) recorded twice")
            let mine = detections.filter { $0.frameID == f.id }.sorted { $0.frameRank < $1.frameRank }
            #expect(mine.map(\.frameRank) == Array(1...Int64(max(1, mine.count))).prefix(mine.count).map { $0 })
            #expect(Int64(mine.count) == f.detectionCount)
            out[f.path] = (f.sha256, mine.map { "\($0.x),\($0.y),\($0.width),\($0.height),\($0.detector)" })
        }
        return out
    }

    @Test(arguments: StoreKind.all)
    func scanRecordsFramesAndARerunSkipsThem(_ kind: StoreKind) throws {
        try kind.with { db, dir in
            let folder = try SampleFrames.folder(3, in: dir)
            let missing = dir.url("frames-missing/none.jpg")
            let first = try SpotterProcess.run(["scan", folder, missing, "--db", db, "--mission", "Dawn", "--flight", "F1", "--drone", "M30T", "--takeoff-altitude", "4.5", "--format", "jsonl"])
            #expect(first.exitCode == 2, "the missing file is a failed frame: \(first)")
            #expect(first.stdoutLines.count == 4, "\(first)")
            #expect(first.stderr.contains("recorded 4 frames"), "\(first)")
            let store = try openStore(db)
            defer { store.close() }
            let m = try store.mission(named: "Dawn")
            let frames = try store.frames(mission: m.id)
            #expect(frames.count == 4)
            #expect(frames.filter { $0.status == .failed }.map(\.path) == [missing])
            #expect(frames.filter { $0.status == .scanned }.allSatisfy { $0.sha256?.count == 64 && $0.flightID != nil && $0.detectorSet == "thermal" })
            let again = try SpotterProcess.run(["scan", folder, missing, "--db", db, "--mission", "Dawn"])
            #expect(again.exitCode == 0, "nothing failed in this run: every frame was skipped: \(again)")
            #expect(again.stderr.contains("recorded 0 frames") && again.stderr.contains("4 already recorded"), "\(again)")
            #expect(try store.frames(mission: m.id).count == 4)
            // Another profile is another result.
            let scaled = try SpotterProcess.run(["scan", folder, "--db", db, "--mission", "Dawn", "--scale", "2", "--quiet"])
            #expect(scaled.exitCode == 0, "\(scaled)")
            #expect(try store.frames(mission: m.id).count == 7)
            #expect(try store.verifyLog().ok)
        }
    }

    @Test(arguments: StoreKind.all)
    func aScanKilledAtRandomMomentsAndRerunRecordsEveryFrameOnce(_ kind: StoreKind) throws {
        try kind.with { db, dir in
            let folder = try SampleFrames.folder(Self.frameCount, in: dir)
            // The reference: one uninterrupted scan into its own mission.
            let clean = try SpotterProcess.run(["scan", folder, "--db", db, "--mission", "Clean", "--threads", "2", "--quiet"], timeLimit: 300)
            #expect(clean.exitCode == 0, "\(clean)")
            let reference = try Self.contents(db, mission: "Clean")
            #expect(reference.count == Self.frameCount)

            // Kill a scan into another mission at seeded random moments, then let the last run finish.
            var random = SplitMix64(seed: 0x5EED_0005)
            var killedMidway = 0
            for attempt in 0..<4 {
                let child = try SpotterChild(
                    ["scan", folder, "--db", db, "--mission", "Killed", "--threads", "2", "--quiet"],
                    stderrPath: dir.url("scan\(attempt).err"))
                usleep(UInt32(150_000 + random.below(1_500_000)))
                child.kill()
                if child.wait().killed { killedMidway += 1 }
            }
            #expect(killedMidway > 0, "no scan was still running when killed: the delays are too long")
            let last = try SpotterProcess.run(["scan", folder, "--db", db, "--mission", "Killed", "--threads", "2"], timeLimit: 300)
            #expect(last.exitCode == 0, "\(last)")
            let killed = try Self.contents(db, mission: "Killed")
            #expect(Set(killed.keys.map { ($0 as NSString).lastPathComponent }) == Set(reference.keys.map { ($0 as NSString).lastPathComponent }))
            for (path, value) in reference {
                let other = killed[path]
                #expect(other?.0 == value.0, "\(path): content hash")
                #expect(other?.1 == value.1, "\(path): detections differ from the uninterrupted scan")
            }
            let verify = try SpotterProcess.run(["log", "verify", "--db", db])
            #expect(verify.exitCode == 0, "\(verify)")
        }
    }
}
