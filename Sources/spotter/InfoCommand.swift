import ArgumentParser
import SpotterGeo
import SpotterImaging

enum InfoFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what a frame's metadata says: camera, position, altitudes, attitude, focal length.",
        discussion: """
            Reads EXIF and XMP (DJI drone-dji) from the file's metadata segments without decoding pixels. Decimal \
            degrees, metres, degrees. JSON: an array with one object per file (null where the file does not say). \
            Warnings (re-saved frames, implausible values) go to stderr. Exit code 2 when a file cannot be read.
            """)

    @Argument(help: "Frames (JPEG or PNG).")
    var files: [String]

    @Option(help: "table or json.")
    var format: InfoFormat = .table

    @Option(help: "Folder holding cameras.json (default: SPOTTER_MODELS, else the package's Models/).")
    var models: String?

    @Flag(help: "No warnings on stderr (errors are still printed).")
    var quiet = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one frame") }
    }

    func run() throws {
        let console = Console(quiet: quiet)
        var geo = GeoArguments()
        geo.models = models
        let database = try geo.database(notes: { console.note($0) })
        let reader = MetadataReader()
        var failed = 0
        var objects: [String] = []
        var rows: [[String]] = []
        for file in files {
            do {
                let meta = try reader.read(path: file)
                for w in meta.warnings { console.note("warning: \(file): \(w)") }
                let intrinsics = CameraIntrinsics.resolve(meta, database: database)
                for n in intrinsics?.notes ?? [] { console.note("note: \(file): \(n)") }
                switch format {
                case .json: objects.append(Self.json(file: file, meta, intrinsics))
                case .table: rows.append(Self.row(file: file, meta, intrinsics))
                }
            } catch {
                failed += 1
                let message = error.message
                console.error("\(file): \(message)")
                var o = JSONObjectText()
                o.add("file", file)
                o.add("error", message)
                objects.append(o.text)
                rows.append([file, "error: " + message])
            }
        }
        switch format {
        case .json:
            console.out("[\n" + objects.joined(separator: ",\n") + "\n]")
        case .table:
            let header = ["file", "model", "size", "latitude", "longitude", "rel_alt", "abs_alt", "gimbal y/p/r", "flight y/p/r", "focal"]
            console.out(Self.table([header] + rows))
        }
        if failed > 0 { throw ExitCode(2) }
    }

    static func json(file: String, _ m: FrameMetadata, _ k: CameraIntrinsics?) -> String {
        var o = JSONObjectText()
        o.add("file", file)
        o.add("make", m.make)
        o.add("model", m.model)
        o.add("width", m.width)
        o.add("height", m.height)
        o.add("latitude", m.latitude, digits: 9)
        o.add("longitude", m.longitude, digits: 9)
        o.add("gps_altitude", m.gpsAltitude, digits: 3)
        o.add("absolute_altitude", m.absoluteAltitude, digits: 3)
        o.add("relative_altitude", m.relativeAltitude, digits: 3)
        o.add("gimbal_yaw", m.gimbalYaw, digits: 3)
        o.add("gimbal_pitch", m.gimbalPitch, digits: 3)
        o.add("gimbal_roll", m.gimbalRoll, digits: 3)
        o.add("flight_yaw", m.flightYaw, digits: 3)
        o.add("flight_pitch", m.flightPitch, digits: 3)
        o.add("flight_roll", m.flightRoll, digits: 3)
        o.add("focal_length_mm", m.focalLengthMM, digits: 3)
        o.add("focal_length_35mm", m.focalLength35mm, digits: 1)
        o.add("date_time_original", m.dateTimeOriginal)
        o.add("software", m.software)
        o.add("orientation", m.orientation)
        o.add("image_source", m.imageSource)
        o.add("calibrated_focal_length", m.calibratedFocalLength, digits: 3)
        o.add("calibrated_optical_center_x", m.calibratedOpticalCenterX, digits: 3)
        o.add("calibrated_optical_center_y", m.calibratedOpticalCenterY, digits: 3)
        o.add("dewarp_data", m.dewarpData)
        o.add("rtk_flag", m.rtkFlag)
        o.add("lrf_target_distance", m.lrfTargetDistance, digits: 3)
        o.add("lrf_target_latitude", m.lrfTargetLatitude, digits: 9)
        o.add("lrf_target_longitude", m.lrfTargetLongitude, digits: 9)
        o.add("lrf_target_altitude", m.lrfTargetAltitude, digits: 3)
        o.add("lrf_target_absolute_altitude", m.lrfTargetAbsoluteAltitude, digits: 3)
        o.add("focal_length_px", k?.fx, digits: 2)
        o.add("focal_source", k?.focalSource)
        o.add("resaved_by", m.resavedBy)
        o.add("has_preview_image", m.hasMultiPictureIndex)
        o.add("warnings", strings: m.warnings)
        o.add("error", nil as String?)
        return o.text
    }

    static func row(file: String, _ m: FrameMetadata, _ k: CameraIntrinsics?) -> [String] {
        func f(_ v: Double?, _ d: Int) -> String { v.map { fixedDigits($0, d) } ?? "-" }
        let size = m.width.map { "\($0)x\(m.height ?? 0)" } ?? "-"
        let gimbal = m.gimbalYaw == nil && m.gimbalPitch == nil ? "-" : "\(f(m.gimbalYaw, 1))/\(f(m.gimbalPitch, 1))/\(f(m.gimbalRoll, 1))"
        let flight = m.flightYaw == nil ? "-" : "\(f(m.flightYaw, 1))/\(f(m.flightPitch, 1))/\(f(m.flightRoll, 1))"
        var focal = m.focalLengthMM.map { f($0, 2) + " mm" } ?? "-"
        if let k { focal += " (\(fixedDigits(k.fx, 0)) px, \(k.focalSource))" }
        return [file, m.model ?? "-", size, f(m.latitude, 7), f(m.longitude, 7), f(m.relativeAltitude, 2), f(m.absoluteAltitude, 2), gimbal, flight, focal]
    }

    static func table(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}
