import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

/// Rows changed or deleted behind Spotter's back, with the sqlite3 and psql clients: `spotter log verify` fails and
/// names the entry.
@Suite struct StoreTamperCLITests {
    @Test(arguments: StoreKind.all)
    func verifyNamesTheEntryOfAChangedOrDeletedRow(_ kind: StoreKind) throws {
        for (name, table, sql, entry) in [
            ("changed status", "task_updates", "UPDATE task_updates SET status = 'not-found' WHERE id = 3", 9),
            ("deleted entry", "events", "DELETE FROM events WHERE seq = 5", 5),
            ("changed entry", "events", "UPDATE events SET actor = 'mallory' WHERE seq = 8", 8),
            ("changed score", "detections", "UPDATE detections SET score = 0.1 WHERE id = 2", 2),
        ] {
            try kind.with { db, _ in
                _ = try StoreRulesCLITests.populate(db)
                let clean = try SpotterProcess.run(["log", "verify", "--db", db])
                #expect(clean.exitCode == 0, "\(clean)")
                try tamper(db, dropGuard(table, postgres: kind == .postgres) + " " + sql)
                let run = try SpotterProcess.run(["log", "verify", "--db", db])
                #expect(run.exitCode == 1, "\(name): \(run)")
                #expect(
                    run.stderrLines.first?.hasPrefix("spotter: log verification failed: log entry \(entry)") == true,
                    "\(name): \(run)")
            }
        }
    }

    @Test func theGuardsRefuseEvenTheOwnerUntilDropped() throws {
        try StoreKind.sqlite.with { db, _ in
            _ = try StoreRulesCLITests.populate(db)
            #expect(throws: (any Error).self) { try tamper(db, "UPDATE events SET actor = 'x' WHERE seq = 1") }
            let verify = try SpotterProcess.run(["log", "verify", "--db", db])
            #expect(verify.exitCode == 0, "\(verify)")
        }
    }
}
