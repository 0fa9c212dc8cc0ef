import ArgumentParser
import Foundation
import SpotterDetection
import SpotterGeo
import SpotterImaging
import SpotterStore

extension GeoExport.Format: ExpressibleByArgument {}

/// Where the detections to export come from: a scan's JSONL, or the mission store.
struct DetectionSourceArguments: ParsableArguments {
    @Option(name: .customLong("from"), help: "A scan's JSONL output (spotter scan --format jsonl > SCAN.jsonl).")
    var from: String?

    @Option(help: "The mission store (a SQLite file or a postgres:// URL); used when --from is not given (default: SPOTTER_DB, else ./spotter.db).")
    var db: String?

    @Option(help: "With --db: the mission (default: SPOTTER_MISSION, else the most recently created one).")
    var mission: String?

    func validate() throws {
        if from != nil && (db != nil || mission != nil) {
            throw ValidationError("give --from SCAN.jsonl or --db (with --mission), not both")
        }
    }

    /// The scan records, and the folder relative frame paths are resolved against.
    func load() throws -> (records: [ScanRecord], base: String?) {
        if let from {
            do {
                let records = try ScanRecord.load(path: from)
                let base = from.contains("/") ? String(from[..<from.lastIndex(of: "/")!]) : nil
                return (records, base)
            } catch {
                writeStderr("spotter: \(error)\n")
                throw ExitCode(64)
            }
        }
        let location = db ?? environment("SPOTTER_DB") ?? "spotter.db"
        if !location.hasPrefix("postgres://") && !location.hasPrefix("postgresql://") && !FileManager.default.fileExists(atPath: location) {
            writeStderr("spotter: no mission store at \(location): give --from SCAN.jsonl, or --db with a store that `spotter scan --db` wrote\n")
            throw ExitCode(64)
        }
        let rows = try storeStep { () -> [DetectionRecord] in
            let store = try openStore(location)
            defer { store.close() }
            let m = try store.mission(named: mission ?? environment("SPOTTER_MISSION"))
            return try store.detections(mission: m.id, filter: DetectionFilter(top: nil, unreviewedOnly: false, minScore: nil))
        }
        return (Self.records(rows), nil)
    }

    /// Store detections grouped into one record per frame, in the store's rank order.
    static func records(_ rows: [DetectionRecord]) -> [ScanRecord] {
        var order: [String] = []
        var byFrame: [String: [ScanDetection]] = [:]
        for r in rows {
            if byFrame[r.framePath] == nil { order.append(r.framePath) }
            byFrame[r.framePath, default: []].append(
                ScanDetection(
                    x: Int(r.x), y: Int(r.y), width: Int(r.width), height: Int(r.height), score: r.score,
                    detector: r.detector, review: r.verdict?.rawValue ?? "unreviewed", storeID: r.id))
        }
        return order.map { ScanRecord(file: $0, width: 0, height: 0, detections: byFrame[$0]!) }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export located detections as GeoJSON, KML, Cursor on Target or CSV (and send CoT over UDP).",
        discussion: """
            Reads a scan's JSONL (--from) or the mission store (--db), reads each frame's metadata again, and puts \
            each detection's box centre on the water (see `spotter locate`). Ranked by score across frames. \
            geojson: an RFC 7946 FeatureCollection; kml: KML 2.2 placemarks with score and crop; cot: one CoT 2.0 \
            event per line (how="m-i", ce = one-sigma metres); csv: one row per detection. Detections that cannot \
            be located keep their row (GeoJSON: null geometry) with location_error, and are left out of KML and CoT.
            """)

    @Argument(help: "geojson, kml, cot or csv.")
    var format: GeoExport.Format

    @OptionGroup var source: DetectionSourceArguments

    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var output: String?

    @Option(help: "Keep the K best detections (default: all; --cot-send sends the \(CoTSender.defaultTop) best).")
    var top: Int?

    @Option(help: "Also send each CoT event as a UDP datagram to udp://HOST:PORT (any format; the \(CoTSender.defaultTop) best detections unless --top is given).")
    var cotSend: String?

    @Flag(help: "KML without crops (smaller, and no frame is decoded).")
    var noCrops = false

    @OptionGroup var geo: GeoArguments

    @Flag(help: "No notes on stderr.")
    var quiet = false

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1 (got \(top))") }
        if let cotSend {
            do { _ = try CoTSender.parse(cotSend) } catch { throw ValidationError(error.message) }
        }
    }

    func run() throws {
        let console = Console(quiet: quiet)
        let database = try geo.database(notes: { console.note($0) })
        let (records, base) = try source.load()
        let batch = locatedBatch(records, options: geo.options, database: database, base: base, top: top)
        reportProblems(batch, console: console)
        let text: String
        switch format {
        case .geojson: text = GeoExport.geoJSON(batch)
        case .csv: text = GeoExport.csv(batch)
        case .cot: text = GeoExport.cot(batch).joined(separator: "\n") + "\n"
        case .kml:
            let crops = noCrops ? (crops: [:], errors: []) : CropSet.jpegs(for: batch, indices: Array(batch.detections.indices), threads: defaultThreads())
            for e in crops.errors { console.error(e) }
            text = GeoExport.kml(batch, crops: crops.crops)
        }
        if let output {
            do { try writeAll(Array(text.utf8), to: output) } catch {
                console.error(error.description)
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
        if let cotSend {
            // Without --top the output keeps every detection, but the network gets only the best ones.
            var sending = batch
            if top == nil && batch.detections.count > CoTSender.defaultTop {
                console.note("--cot-send sends the \(CoTSender.defaultTop) best of \(batch.detections.count) detections (--top K for more)")
                sending.detections = Array(batch.detections.prefix(CoTSender.defaultTop))
            }
            let events = GeoExport.cot(sending)
            do {
                let n = try CoTSender.send(events, to: cotSend)
                console.note("sent \(n) CoT event\(n == 1 ? "" : "s") to \(cotSend)")
            } catch {
                console.error(error.description)
                throw ExitCode(1)
            }
        }
    }
}

/// Frame warnings and failures, once per frame, and a count of what could not be located.
func reportProblems(_ batch: GeoBatch, console: Console) {
    for f in batch.frames {
        for w in f.warnings { console.note("warning: \(f.file): \(w)") }
        if let e = f.error { console.note("warning: \(f.file): not located: \(e)") }
    }
    let missing = batch.detections.count - batch.located
    if missing > 0 { console.note("\(missing) of \(batch.detections.count) detections have no position (see location_error)") }
}
