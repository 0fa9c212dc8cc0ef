import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterStore

/// What the README tells an administrator to grant a station: SELECT and INSERT only. A station with just that can do
/// everything Spotter does, and cannot update or delete anything, even by hand.
@Suite(.enabled(if: TestPostgres.isConfigured, .init(rawValue: TestPostgres.skipNote)))
struct PostgresRoleTests {
    @Test func aStationNeedsOnlySelectAndInsert() throws {
        try TestPostgres.withFreshDatabase { ownerURL in
            let owner = try PostgresStore(url: ownerURL)  // migrates, as the owner
            owner.close()
            let role = "spotter_station_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let password = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            try TestPostgres.psql(
                ownerURL,
                """
                CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
                REVOKE ALL ON SCHEMA public FROM PUBLIC;
                GRANT USAGE ON SCHEMA public TO \(role);
                GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO \(role);
                """)
            defer {
                _ = try? TestPostgres.psql(ownerURL, "DROP OWNED BY \(role)")
                _ = try? TestPostgres.psql(ownerURL, "DROP ROLE \(role)")
            }
            var c = URLComponents(string: ownerURL)!
            c.user = role
            c.password = password
            let station = try PostgresStore(url: c.string!)
            defer { station.close() }
            let m = try station.createMission(name: "M", area: "", periods: [], actor: "station")
            _ = try station.recordFrame(sampleFrame("a", detections: 2), mission: m.id, flight: nil, actor: "station")
            let d = try station.detections(mission: m.id, filter: DetectionFilter())[0].id
            _ = try station.review(detection: d, verdict: .confirmed, note: "", actor: "station")
            _ = try station.addTeam(mission: m.id, callSign: "B1", kind: .boat, members: [], contact: "", actor: "station")
            let t = try station.dispatch(
                mission: nil, detection: d, latitude: nil, longitude: nil, callSign: "B1", instructions: "", force: false,
                actor: "station")
            _ = try station.updateTask(id: t.id, status: .enRoute, condition: nil, note: "", actor: "station")
            _ = try station.addNote(mission: m.id, text: "all good", refersTo: nil, actor: "station")
            #expect(try station.verifyLog().ok)
            for sql in ["UPDATE events SET actor = 'x'", "DELETE FROM task_updates", "DROP TABLE notes"] {
                let error = #expect(throws: StoreError.self) { try station.db.unmanaged { s in try s.execute(sql) } }
                #expect(error?.message.contains("permission denied") == true || error?.message.contains("must be owner") == true, "\(sql): \(String(describing: error))")
            }
        }
    }
}
