import Foundation
import SpotterStore
import Testing
import _SpotterTestSupport

/// Eight real `spotter` processes appending entries and updating tasks in one store at once: afterwards every entry
/// is there exactly once and the chain verifies.
@Suite struct StoreConcurrencyCLITests {
    static let workers = 8
    static let eventsPerWorker = 60

    @Test(arguments: StoreKind.all)
    func eightProcessesLoseNothing(_ kind: StoreKind) throws {
        try kind.with { db, dir in
            let setup = try SpotterProcess.run(["mission", "new", "Load", "--db", db, "--as", "setup"])
            #expect(setup.exitCode == 0, "\(setup)")
            let children = try (0..<Self.workers).map { w in
                try SpotterChild(
                    ["store", "load-test", "--worker", "W\(w)", "--events", "\(Self.eventsPerWorker)", "--db", db,
                     "--mission", "Load", "--as", "station-\(w)"],
                    stderrPath: dir.url("w\(w).err"))
            }
            for (w, c) in children.enumerated() {
                let r = c.wait()
                #expect(r.status == 0 && !r.killed, "worker \(w): \(r.stderr)")
            }
            let store = try openStore(db)
            defer { store.close() }
            let mission = try store.mission(named: "Load").id
            let log = try store.log(mission: mission)
            #expect(log.count == 1 + Self.workers * Self.eventsPerWorker)
            #expect(log.map(\.seq) == Array(1...Int64(log.count)), "no gap and no duplicate in the sequence")
            // Per worker: its team, 12 tasks each taken to not-found, and its 11 notes, each exactly once.
            let steps = Self.eventsPerWorker - 1
            let dispatches = (steps + 4) / 5
            let notes = steps / 5
            let tasks = try store.tasks(mission: mission)
            for w in 0..<Self.workers {
                let mine = log.filter { $0.actor == "station-\(w)" }
                #expect(mine.count == Self.eventsPerWorker, "worker \(w)")
                #expect(mine.filter { $0.kind == "team.added" }.count == 1)
                #expect(tasks.filter { $0.callSign == "W\(w)" }.count == dispatches)
                let texts = mine.filter { $0.kind == "note" }.map(\.summary)
                #expect(texts.sorted() == (0..<notes).map { "W\(w) note \($0)" }.sorted(), "worker \(w)")
            }
            #expect(tasks.allSatisfy { $0.status == .notFound || $0.status.isActive })
            let verify = try SpotterProcess.run(["log", "verify", "--db", db])
            #expect(verify.exitCode == 0, "\(verify)")
            #expect(verify.stdout.contains("\(log.count) entries"), "\(verify)")
        }
    }
}
