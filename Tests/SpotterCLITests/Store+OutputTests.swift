import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

/// The store commands' output: table, JSON (an array of objects, each with its id) and CSV.
@Suite struct StoreOutputCLITests {
    @Test func everyListingPrintsTableJSONAndCSV() throws {
        try StoreKind.sqlite.with { db, _ in
            _ = try StoreRulesCLITests.populate(db)
            let note = try SpotterProcess.run(["log", "note", "helicopter requested, ETA 20 min", "--db", db, "--as", "duty-officer"])
            #expect(note.exitCode == 0, "\(note)")
            let listings: [[String]] = [
                ["mission", "list"], ["mission", "show"], ["detections"], ["team", "list"], ["task", "list"], ["log"],
                ["team", "status", "B1"],
            ]
            for listing in listings {
                let json = try SpotterProcess.run(listing + ["--db", db, "--format", "json"])
                #expect(json.exitCode == 0, "\(json)")
                if let records = jsonRecords(json) {
                    #expect(!records.isEmpty, "\(json)")
                    #expect(records.allSatisfy { $0["id"] is Int }, "\(json)")
                }
                let csv = try SpotterProcess.run(listing + ["--db", db, "--format", "csv"])
                #expect(csv.exitCode == 0 && csv.stdoutLines.first?.hasPrefix("id,") == true, "\(csv)")
                let table = try SpotterProcess.run(listing + ["--db", db])
                #expect(table.exitCode == 0 && table.stdoutLines.first?.hasPrefix("id") == true, "\(table)")
            }
            // The activity log: time, actor, team, activity, in order.
            let log = try SpotterProcess.run(["log", "--db", db, "--format", "json"])
            guard let entries = jsonRecords(log) else { return }
            #expect(entries.map { $0["id"] as? Int } == Array(1...entries.count).map { Optional($0) })
            let last = try #require(entries.last)
            #expect(last["actor"] as? String == "duty-officer")
            #expect(last["activity"] as? String == "helicopter requested, ETA 20 min")
            #expect(entries.contains { ($0["team"] as? String) == "B1" && ($0["activity"] as? String ?? "").contains("found") })
            let csv = try SpotterProcess.run(["log", "--db", db, "--format", "csv"])
            #expect(csv.stdoutLines.first == "id,time,actor,team,activity,kind,refers_to,hash", "\(csv)")
            // Ranked detections with filters.
            let top = try SpotterProcess.run(["detections", "--db", db, "--top", "1", "--format", "json"])
            #expect(jsonRecords(top)?.map { $0["rank"] as? Int } == [1])
            let unreviewed = try SpotterProcess.run(["detections", "--db", db, "--unreviewed", "--min-score", "0.75", "--format", "json"])
            #expect(jsonRecords(unreviewed)?.map { $0["rank"] as? Int } == [2], "\(unreviewed)")
            let verify = try SpotterProcess.run(["log", "verify", "--db", db])
            #expect(verify.exitCode == 0 && verify.stdout.hasPrefix("log verified: \(entries.count) entries"), "\(verify)")
        }
    }

    @Test func theActorComesFromAsThenTheEnvironment() throws {
        try StoreKind.sqlite.with { db, dir in
            let a = try SpotterProcess.run(["mission", "new", "A", "--db", db, "--as", "Ana Ruiz", "--format", "json"])
            #expect(jsonRecords(a)?.first?["by"] as? String == "Ana Ruiz")
            let b = try SpotterChild(
                ["mission", "new", "B", "--db", db], environment: ["SPOTTER_ACTOR": "from-env"],
                stderrPath: dir.url("stderr")
            ).wait()
            #expect(b.status == 0, "\(b.stderr)")
            let store = try openStore(db)
            defer { store.close() }
            #expect(try store.mission(named: "B").createdBy == "from-env")
        }
    }
}
