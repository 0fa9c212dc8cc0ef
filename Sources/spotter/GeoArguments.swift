import ArgumentParser
import Foundation
import SpotterDetection
import SpotterGeo

/// Where the surface is and which frames are known to be rotated: what `locate`, `export`, `report` and
/// `scan --format geojson|kml|cot` share.
struct LocationArguments: ParsableArguments {
    @Option(help: "Height of the takeoff point above the water (or ground the people are on), metres, for this flight: added to the RelativeAltitude tag (negative: --takeoff-height=-2).")
    var takeoffHeight: Double?

    @Option(help: "Camera height above the surface, metres: overrides every altitude tag.")
    var heightAboveSurface: Double?

    @Option(
        name: .customLong("rotated-180"),
        help: "A frame whose pixels were rotated 180° after capture (re-saved by a photo viewer) while its yaw tags stayed as flown; repeat for each. Path or file name.")
    var rotated180: [String] = []

    func validate() throws {
        if takeoffHeight != nil && heightAboveSurface != nil {
            throw ValidationError("give --takeoff-height or --height-above-surface, not both")
        }
        if let h = heightAboveSurface, !(h > 0) {
            throw ValidationError("--height-above-surface must be positive (got \(h))")
        }
        if let t = takeoffHeight, !t.isFinite || abs(t) > 9000 {
            throw ValidationError("--takeoff-height must be a height in metres (got \(t))")
        }
    }

    var options: LocateOptions {
        LocateOptions(takeoffHeight: takeoffHeight, heightAboveSurface: heightAboveSurface, rotated180: Set(rotated180))
    }
}

/// Options of the commands that turn pixels into positions (`locate`, `export`, `report`).
struct GeoArguments: ParsableArguments {
    @OptionGroup var location: LocationArguments

    @Option(help: "Folder holding cameras.json (default: SPOTTER_MODELS, else the package's Models/).")
    var models: String?

    var options: LocateOptions { location.options }

    /// The camera database (`cameras.json` in the models folder); an empty one, with a note, when there is none.
    func database(notes: (String) -> Void) throws -> CameraDatabase {
        try Self.database(models: models, notes: notes)
    }

    /// `cameras.json` in the models folder `models` (or the default one).
    static func database(models: String?, notes: (String) -> Void) throws -> CameraDatabase {
        guard let root = ModelLibrary.locate(models) else {
            notes("no Models/ folder found (set --models or SPOTTER_MODELS): focal lengths from the 35 mm equivalent only")
            return .empty
        }
        let path = root + "/cameras.json"
        do {
            return try CameraDatabase(path: path)
        } catch {
            writeStderr("spotter: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// JSON object text with keys in the order written.
struct JSONObjectText {
    private var parts: [String] = []

    mutating func add(_ key: String, _ value: String?) {
        parts.append(JSONText.string(key) + ": " + (value.map(JSONText.string) ?? "null"))
    }

    mutating func add(_ key: String, _ value: Double?, digits: Int = 6) {
        parts.append(JSONText.string(key) + ": " + (value.map { JSONText.number($0, digits: digits) } ?? "null"))
    }

    mutating func add(_ key: String, _ value: Int?) {
        parts.append(JSONText.string(key) + ": " + (value.map(String.init) ?? "null"))
    }

    mutating func add(_ key: String, _ value: Bool) {
        parts.append(JSONText.string(key) + ": " + (value ? "true" : "false"))
    }

    mutating func add(_ key: String, strings: [String]) {
        parts.append(JSONText.string(key) + ": [" + strings.map(JSONText.string).joined(separator: ", ") + "]")
    }

    var text: String { "{" + parts.joined(separator: ", ") + "}" }
}

/// `v` with exactly `digits` decimals ("-" for NaN).
func fixedDigits(_ v: Double, _ digits: Int) -> String {
    v.isFinite ? String(format: "%.\(digits)f", v) : "-"
}

extension ScanRecord {
    /// A scan's result for one frame, as the exports read it.
    init(_ r: FrameResult) {
        self.init(
            file: r.file, width: r.width, height: r.height,
            detections: r.detections.map {
                ScanDetection(x: $0.box.x, y: $0.box.y, width: $0.box.width, height: $0.box.height, score: $0.score, detector: $0.detector)
            },
            error: r.error?.message)
    }
}

/// The detections located (the `top` best when given), with the orientation check of re-saved frames done: what
/// `scan --format geojson|kml|cot|csv`, `export` and `report` work from.
func locatedBatch(
    _ records: [ScanRecord], options: LocateOptions, database: CameraDatabase, base: String? = nil, top: Int?
) -> GeoBatch {
    var batch = GeoBatch.locate(records, options: options, database: database, base: base)
    if let top { batch.detections = Array(batch.detections.prefix(top)) }
    batch.checkOrientation()
    return batch
}

/// The text `spotter scan --format geojson|kml|cot|csv` prints when it locates detections: the hook for
/// `ScanCommand` (results in input order; `models` is the scan's own `--models`).
func scanGeoExport(
    _ format: GeoExport.Format, results: [FrameResult], location: LocationArguments, models: String?, top: Int?,
    notes: (String) -> Void
) throws -> String {
    let database = try GeoArguments.database(models: models, notes: notes)
    let batch = locatedBatch(results.map(ScanRecord.init), options: location.options, database: database, top: top)
    for f in batch.frames { for w in f.warnings { notes("warning: \(f.file): \(w)") } }
    let missing = batch.detections.count - batch.located
    if missing > 0 { notes("\(missing) of \(batch.detections.count) detections have no position (see location_error)") }
    return GeoExport.text(format, batch)
}
