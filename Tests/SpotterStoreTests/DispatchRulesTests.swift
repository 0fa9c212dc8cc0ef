import Testing
import _SpotterTestSupport

@testable import SpotterStore

/// Teams, dispatch and task updates: the rules, each refusal writing nothing.
@Suite struct DispatchRulesTests {
    /// A mission with one recorded frame of three detections.
    func setUp(_ store: SQLMissionStore) throws -> (mission: Int64, detections: [Int64]) {
        let m = try store.createMission(name: "M", area: "", periods: [], actor: "o").id
        _ = try store.recordFrame(sampleFrame("a", detections: 3), mission: m, flight: nil, actor: "o")
        return (m, try store.detections(mission: m, filter: DetectionFilter()).map(\.id))
    }

    @Test(arguments: StoreBackend.all)
    func teamsNeedAUniqueNonEmptyCallSign(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let (m, _) = try setUp(store)
            let t = try store.addTeam(mission: m, callSign: " Kayak 1 ", kind: .kayak, members: ["Ana", "Luis"], contact: "ch 16", actor: "o")
            #expect(t.callSign == "Kayak 1" && t.members == ["Ana", "Luis"] && t.status == "available")
            try expectRefusal(store, .conflict, "already has a team with call sign Kayak 1") {
                _ = try store.addTeam(mission: m, callSign: "KAYAK 1", kind: .boat, members: [], contact: "", actor: "o")
            }
            try expectRefusal(store, .invalid, "a call sign must not be empty") {
                _ = try store.addTeam(mission: m, callSign: "   ", kind: .boat, members: [], contact: "", actor: "o")
            }
            try expectRefusal(store, .invalid, "member's name must not be empty") {
                _ = try store.addTeam(mission: m, callSign: "B2", kind: .boat, members: [""], contact: "", actor: "o")
            }
            try expectRefusal(store, .notFound, "no team Nobody") { _ = try store.team(mission: m, callSign: "Nobody") }
            let other = try store.createMission(name: "Other", area: "", periods: [], actor: "o").id
            #expect(try store.addTeam(mission: other, callSign: "Kayak 1", kind: .kayak, members: [], contact: "", actor: "o").missionID == other,
                    "call signs are unique within a mission")
            let out = try store.setTeamAvailability(mission: m, callSign: "kayak 1", availability: .outOfService, note: "swamped", actor: "o")
            #expect(out.status == "out-of-service")
            #expect(try store.teams(mission: m).map(\.callSign) == ["Kayak 1"])
        }
    }

    @Test(arguments: StoreBackend.all)
    func dispatchRefusesDismissedDetectionsAndBusyTeamsWithoutForce(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let (m, d) = try setUp(store)
            _ = try store.addTeam(mission: m, callSign: "B1", kind: .boat, members: [], contact: "", actor: "o")
            _ = try store.review(detection: d[0], verdict: .dismissed, note: "rock", actor: "ana")
            try expectRefusal(store, .needsForce, "detection \(d[0]) was dismissed by ana") {
                _ = try store.dispatch(
                    mission: nil, detection: d[0], latitude: nil, longitude: nil, callSign: "B1", instructions: "",
                    force: false, actor: "o")
            }
            let forced = try store.dispatch(
                mission: nil, detection: d[0], latitude: nil, longitude: nil, callSign: "b1", instructions: "look again",
                force: true, actor: "o")
            #expect(forced.forced && forced.status == .assigned && forced.callSign == "B1" && forced.detectionID == d[0])
            #expect(try store.team(mission: m, callSign: "B1").activeTask == forced.id)
            try expectRefusal(store, .needsForce, "team B1 is already on task \(forced.id) (assigned)") {
                _ = try store.dispatch(
                    mission: nil, detection: d[1], latitude: nil, longitude: nil, callSign: "B1", instructions: "",
                    force: false, actor: "o")
            }
            try expectRefusal(store, .notFound, "no detection 777777") {
                _ = try store.dispatch(
                    mission: nil, detection: 777_777, latitude: nil, longitude: nil, callSign: "B1", instructions: "",
                    force: false, actor: "o")
            }
            try expectRefusal(store, .notFound, "no team Ghost") {
                _ = try store.dispatch(
                    mission: m, detection: nil, latitude: 43.1, longitude: -8.4, callSign: "Ghost", instructions: "",
                    force: false, actor: "o")
            }
            try expectRefusal(store, .invalid, "not a latitude,longitude pair") {
                _ = try store.dispatch(
                    mission: m, detection: nil, latitude: 143.1, longitude: -8.4, callSign: "B1", instructions: "",
                    force: true, actor: "o")
            }
            _ = try store.addTeam(mission: m, callSign: "Shore", kind: .shore, members: [], contact: "", actor: "o")
            let position = try store.dispatch(
                mission: m, detection: nil, latitude: 43.1, longitude: -8.4, callSign: "Shore", instructions: "walk the cove",
                force: false, actor: "o")
            #expect(position.latitude == 43.1 && position.longitude == -8.4 && position.detectionID == nil)
            #expect(try store.tasks(mission: m).map(\.id) == [forced.id, position.id])
            #expect(try store.verifyLog().ok)
        }
    }

    @Test(arguments: StoreBackend.all)
    func taskStatusesMoveForwardOnly(_ backend: StoreBackend) throws {
        try backend.withStore { store, _ in
            let (m, d) = try setUp(store)
            _ = try store.addTeam(mission: m, callSign: "K1", kind: .kayak, members: [], contact: "", actor: "o")
            let task = try store.dispatch(
                mission: nil, detection: d[1], latitude: nil, longitude: nil, callSign: "K1", instructions: "", force: false,
                actor: "o")
            try expectRefusal(store, .conflict, "task \(task.id) is assigned: it cannot go to found") {
                _ = try store.updateTask(id: task.id, status: .found, condition: "ok", note: "", actor: "o")
            }
            _ = try store.updateTask(id: task.id, status: .enRoute, condition: nil, note: "", actor: "k1")
            try expectRefusal(store, .conflict, "cannot go to en-route") {
                _ = try store.updateTask(id: task.id, status: .enRoute, condition: nil, note: "", actor: "k1")
            }
            _ = try store.updateTask(id: task.id, status: .onScene, condition: nil, note: "", actor: "k1")
            try expectRefusal(store, .invalid, "found needs --condition") {
                _ = try store.updateTask(id: task.id, status: .found, condition: nil, note: "", actor: "k1")
            }
            try expectRefusal(store, .invalid, "--condition goes with found only") {
                _ = try store.updateTask(id: task.id, status: .notFound, condition: "fine", note: "", actor: "k1")
            }
            let found = try store.updateTask(id: task.id, status: .found, condition: "conscious, hypothermic", note: "on the rock", actor: "k1")
            #expect(found.status == .found && found.condition == "conscious, hypothermic")
            try expectRefusal(store, .conflict, "task \(task.id) is found: it cannot go to en-route (the task is closed)") {
                _ = try store.updateTask(id: task.id, status: .enRoute, condition: nil, note: "", actor: "k1")
            }
            try expectRefusal(store, .invalid, "dispatched") {
                _ = try store.updateTask(id: task.id, status: .assigned, condition: nil, note: "", actor: "k1")
            }
            try expectRefusal(store, .notFound, "no task 31337") {
                _ = try store.updateTask(id: 31337, status: .enRoute, condition: nil, note: "", actor: "k1")
            }
            let t = try store.task(id: task.id)
            #expect(t.status == .found && t.condition == "conscious, hypothermic")
            #expect(try store.taskUpdates(task: task.id).map(\.status) == [.enRoute, .onScene, .found])
            #expect(try store.team(mission: m, callSign: "K1").status == "available", "a closed task frees the team")
            // Every active status may be stood down.
            for path in [[TaskStatus](), [.enRoute], [.enRoute, .onScene]] {
                let t = try store.dispatch(
                    mission: m, detection: nil, latitude: 1, longitude: 2, callSign: "K1", instructions: "", force: false, actor: "o")
                for s in path { _ = try store.updateTask(id: t.id, status: s, condition: nil, note: "", actor: "o") }
                _ = try store.updateTask(id: t.id, status: .stoodDown, condition: nil, note: "recalled", actor: "o")
            }
            #expect(try store.verifyLog().ok)
        }
    }

    @Test func transitionTableIsForwardOnly() {
        for s in TaskStatus.allCases {
            #expect(!s.next.contains(.assigned))
            #expect(s.isActive == !s.next.isEmpty, "\(s)")
        }
        #expect(!TaskStatus.found.next.contains(.enRoute))
    }
}
