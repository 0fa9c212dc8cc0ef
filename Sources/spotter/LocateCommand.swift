import ArgumentParser
import SpotterGeo
import SpotterImaging

struct Locate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the ground position of a pixel of a frame (where its ray meets the water).",
        discussion: """
            The camera's height above the surface is RelativeAltitude + --takeoff-height (the takeoff point's height \
            above the water, per flight), or --height-above-surface. Without either, the takeoff point is taken to be \
            at the water's level (and the error estimate grows). ce_m is the one-sigma error per axis in metres \
            (GPS, attitude, height, focal length, lens distortion, pixel); about 2.45 x ce_m holds 95 %. \
            JSON keys: latitude, longitude, ce_m, height_above_surface_m, altitude_source, heading_source (or error). \
            Exit code 2 when the pixel cannot be located.
            """)

    @Argument(help: "The frame.")
    var file: String

    @Argument(help: "Pixel column (0 = left edge; fractions allowed).")
    var x: Double

    @Argument(help: "Pixel row (0 = top edge).")
    var y: Double

    @OptionGroup var geo: GeoArguments

    @Option(help: "table or json.")
    var format: InfoFormat = .table

    @Flag(help: "No notes on stderr.")
    var quiet = false

    func run() throws {
        let console = Console(quiet: quiet)
        let database = try geo.database(notes: { console.note($0) })
        let result: Result<(GroundFix, FrameGeometry), GeoError>
        do {
            let meta = try FrameMetadata.read(path: file)
            for w in meta.warnings { console.note("warning: \(file): \(w)") }
            let geometry = try FrameGeometry(metadata: meta, file: file, options: geo.options, database: database)
            for n in geometry.pose.notes + geometry.intrinsics.notes { console.note("note: \(file): \(n)") }
            guard x >= 0, y >= 0, x <= Double(geometry.intrinsics.width), y <= Double(geometry.intrinsics.height) else {
                throw GeoError(
                    .badInput, "pixel (\(x), \(y)) is outside the \(geometry.intrinsics.width)x\(geometry.intrinsics.height) frame", file: file)
            }
            result = geometry.locate(u: x, v: y).map { ($0, geometry) }.mapError { GeoError($0.code, $0.message, file: file) }
        } catch let error as ImagingError {
            result = .failure(GeoError(error))
        } catch let error as GeoError {
            result = .failure(error)
        }
        switch (result, format) {
        case (.success(let (fix, _)), .json):
            var o = JSONObjectText()
            o.add("file", file)
            o.add("x", x, digits: 2)
            o.add("y", y, digits: 2)
            o.add("latitude", fix.latitude, digits: 8)
            o.add("longitude", fix.longitude, digits: 8)
            o.add("ce_m", fix.ceM, digits: 2)
            o.add("height_above_surface_m", fix.heightAboveSurfaceM, digits: 2)
            o.add("altitude_source", fix.altitudeSource)
            o.add("heading_source", fix.headingSource)
            o.add("north_m", fix.northM, digits: 2)
            o.add("east_m", fix.eastM, digits: 2)
            o.add("slant_range_m", fix.slantRangeM, digits: 2)
            console.out(o.text)
        case (.success(let (fix, geometry)), .table):
            console.out("latitude   \(fixedDigits(fix.latitude, 7))")
            console.out("longitude  \(fixedDigits(fix.longitude, 7))")
            console.out("error      \(fixedDigits(fix.ceM, 1)) m (one sigma per axis; 95 % within \(fixedDigits(fix.ceM * 2.45, 1)) m)")
            console.out("height     \(fixedDigits(fix.heightAboveSurfaceM, 1)) m above the surface (\(fix.altitudeSource))")
            console.out("heading    \(fixedDigits(geometry.pose.yaw, 1))° (\(fix.headingSource))")
            console.out("offset     \(fixedDigits(fix.northM, 1)) m north, \(fixedDigits(fix.eastM, 1)) m east of the camera; \(fixedDigits(fix.slantRangeM, 1)) m away")
        case (.failure(let error), .json):
            var o = JSONObjectText()
            o.add("file", file)
            o.add("error", error.message)
            console.out(o.text)
            console.error(error.description)
            throw ExitCode(2)
        case (.failure(let error), .table):
            console.error(error.description)
            throw ExitCode(2)
        }
    }
}
