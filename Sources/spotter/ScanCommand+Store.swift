import ArgumentParser
import Dispatch
import Foundation
import SpotterDetection
import SpotterImaging
import SpotterStore
import Synchronization

/// `scan --db … --mission …`: where a scan records its frames and detections.
struct ScanStoreArguments: ParsableArguments {
    @Option(help: "Record frames and detections in this mission store: a SQLite file or a postgres:// URL (default: SPOTTER_DB; with neither, nor --mission, nothing is recorded).")
    var db: String?

    @Option(help: "The mission to record into (created when new; default: SPOTTER_MISSION, else the most recent, else one named default).")
    var mission: String?

    @Option(help: "The flight the frames come from (registered when new).")
    var flight: String?

    @Option(help: "With --flight: the drone.")
    var drone: String = ""

    @Option(help: "With --flight: the camera.")
    var camera: String = ""

    @Option(help: "With --flight: height of the takeoff point above sea level, metres.")
    var takeoffAltitude: Double?

    @Option(name: .customLong("as"), help: "Who is scanning, for the log (default: SPOTTER_ACTOR, else the OS user).")
    var actor: String?

    var enabled: Bool { db != nil || mission != nil || environment("SPOTTER_DB") != nil }
}

/// Records a scan into the mission store: hashes every frame first, leaves out the frames the mission already holds
/// with the same content and profile, then writes each scanned frame with its detections in one transaction (and its
/// log entry), as results come in. A scan killed at any moment leaves only whole frames behind; the rerun scans the
/// rest.
///
/// Writing happens on a thread of its own, fed in input order through a short queue, so the scan's workers never wait
/// for the database (they wait only if the writer falls `queueLimit` frames behind). The writer wakes when
/// `batchLimit` frames are waiting (or the scan ends) and records them in one transaction, each frame still whole with
/// its own log entry: fewer commits and wake-ups competing with the workers for the cores. A scan killed meanwhile
/// loses only results not yet committed, which a rerun scans again.
final class StoreRecorder: @unchecked Sendable {
    let store: any SpotterStore
    let mission: Mission
    let flight: Flight?
    let profile: String
    let actor: String
    private var hashes: [String: (sha256: String, size: Int)] = [:]
    private(set) var skipped = 0
    private(set) var recordedFrames = 0
    private(set) var recordedDetections = 0
    private(set) var failure: StoreError?
    private let condition = NSCondition()
    private var queue: [FrameResult] = []
    private var closed = false
    private var writerDone = false
    static let queueLimit = 32
    static let batchLimit = 16

    /// Opens the store and resolves the mission and flight; nil when the scan records nothing.
    static func open(_ args: ScanStoreArguments, profile: String) throws -> StoreRecorder? {
        guard args.enabled else { return nil }
        return try storeStep {
            let store = try openStore(args.db ?? environment("SPOTTER_DB") ?? "spotter.db")
            let actor = StoreArguments.actor(args.actor)
            let mission: Mission
            if let name = args.mission ?? environment("SPOTTER_MISSION") {
                mission = try store.ensureMission(named: name, actor: actor)
            } else if let latest = try? store.mission(named: nil) {
                mission = latest
            } else {
                mission = try store.ensureMission(named: "default", actor: actor)
            }
            let flight = try args.flight.map {
                try store.ensureFlight(
                    mission: mission.id, name: $0, drone: args.drone, camera: args.camera,
                    takeoffAltitude: args.takeoffAltitude, actor: actor)
            }
            return StoreRecorder(store: store, mission: mission, flight: flight, profile: profile, actor: actor)
        }
    }

    private init(store: any SpotterStore, mission: Mission, flight: Flight?, profile: String, actor: String) {
        self.store = store
        self.mission = mission
        self.flight = flight
        self.profile = profile
        self.actor = actor
    }

    /// The entries still to scan: hashes every file (in parallel), then drops those the mission already holds with
    /// this profile. Arguments that named no frame are kept unless already recorded as failed.
    func pending(_ entries: [FrameSource.Entry], threads: Int) throws -> [FrameSource.Entry] {
        let files = entries.compactMap { if case .file(let f) = $0 { f } else { nil } }
        let results = Mutex([String: (sha256: String, size: Int)]())
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(max(1, threads), max(1, files.count))) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= files.count { break }
                if let h = SHA256Hex.ofFile(files[i]) { results.withLock { $0[files[i]] = h } }
            }
        }
        hashes = results.withLock { $0 }
        let done = try storeStep { try store.recordedFrameKeys(mission: mission.id, profile: profile) }
        return entries.filter { entry in
            let key: String
            switch entry {
            case .file(let f): key = hashes[f]?.sha256 ?? "path:" + f
            case .problem(let p): key = "path:" + (p.file ?? "")
            }
            if done.contains(key) {
                skipped += 1
                return false
            }
            return true
        }
    }

    /// Queues one frame's result for the writer (starting it on first use).
    func record(_ r: FrameResult) {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let t = Thread { [self] in writerLoop() }
            t.name = "spotter-store-writer"
            t.start()
        }
        while queue.count >= Self.queueLimit { condition.wait() }
        queue.append(r)
        condition.broadcast()
    }

    private var started = false

    /// Waits until every queued frame is written.
    func finish() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while started && !writerDone { condition.wait() }
    }

    private func writerLoop() {
        while true {
            condition.lock()
            while queue.count < Self.batchLimit && !closed { condition.wait() }
            if queue.isEmpty {
                writerDone = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = Array(queue.prefix(Self.batchLimit))
            queue.removeFirst(batch.count)
            condition.broadcast()
            condition.unlock()
            write(batch)
        }
    }

    /// Writes frames' results in one transaction. After a store failure, records nothing more.
    private func write(_ batch: [FrameResult]) {
        guard failure == nil else { return }
        let frames = batch.map(frame)
        do {
            for (f, record) in zip(frames, try store.recordFrames(frames, mission: mission.id, flight: flight?.id, actor: actor)) {
                if record != nil {
                    recordedFrames += 1
                    recordedDetections += f.detections.count
                } else {
                    skipped += 1
                }
            }
        } catch let e as StoreError {
            failure = e
            writeStderr("spotter: cannot record \(batch[0].file) and what follows in the store: \(e.description)\n")
        } catch {
            failure = StoreError(.backend, "\(error)")
        }
    }

    private func frame(_ r: FrameResult) -> NewFrame {
        let hash = hashes[r.file]
        return NewFrame(
            path: r.file, sha256: hash?.sha256, size: hash?.size ?? 0, profile: profile, detectorSet: r.profile,
            status: r.failed ? .failed : .scanned, errorCode: r.error?.code.rawValue, error: r.error?.message,
            width: r.width, height: r.height,
            metadata: r.diagnostics.isEmpty ? [:] : ["diagnostics": r.diagnostics.joined(separator: "; ")],
            detections: r.detections.map { d in
                NewDetection(
                    x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score,
                    detector: d.detector, features: ["area": Double(d.area)])
            })
    }

    /// The closing note.
    var summary: String {
        var s = "recorded \(recordedFrames) frame\(recordedFrames == 1 ? "" : "s") and \(recordedDetections) detection\(recordedDetections == 1 ? "" : "s") in mission \(mission.name) (\(store.location))"
        if skipped > 0 { s += "; \(skipped) already recorded with this profile, skipped" }
        return s
    }

    func close() {
        finish()
        store.close()
    }
}

extension ScanArguments {
    /// The scan settings a recorded result depends on: the profile, plus the scale and re-ranker when not default.
    var storeProfile: String {
        var key = profile.rawValue
        if scale != 1 { key += " scale=\(scale)" }
        if noRerank { key += " no-rerank" } else if let patchCnn { key += patchCnn ? " patch-cnn" : " no-patch-cnn" }
        return key
    }
}
