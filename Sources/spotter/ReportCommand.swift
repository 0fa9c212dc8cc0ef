import ArgumentParser
import Foundation
import SpotterGeo
import SpotterImaging

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report: ranked detections with crops, positions, errors and a map.",
        discussion: """
            Works offline (crops are embedded as data: URIs, the map is inline SVG, no external URL). Crops are cut \
            at full resolution from each frame in one partial decode. Sortable by score or time; readable on a phone.
            """)

    @OptionGroup var source: DetectionSourceArguments

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String

    @Option(help: "Keep the K best detections (default: \(Report.defaultTop); the page holds a crop of each).")
    var top: Int?

    @Option(help: "Title of the page.")
    var title: String = "Spotter report"

    @OptionGroup var geo: GeoArguments

    @Flag(help: "No notes on stderr.")
    var quiet = false

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1 (got \(top))") }
    }

    func run() throws {
        let console = Console(quiet: quiet)
        let database = try geo.database(notes: { console.note($0) })
        let (records, base) = try source.load()
        let total = records.reduce(0) { $0 + $1.detections.count }
        let limit = top ?? Report.defaultTop
        if top == nil && total > limit {
            console.note("the report shows the \(limit) best of \(total) detections (--top K for more)")
        }
        let batch = locatedBatch(records, options: geo.options, database: database, base: base, top: limit)
        reportProblems(batch, console: console)
        let crops = CropSet.jpegs(for: batch, indices: Array(batch.detections.indices), threads: defaultThreads())
        for e in crops.errors { console.error(e) }
        let html = Report.html(batch, crops: crops.crops, title: title, notes: crops.errors)
        do { try writeAll(Array(html.utf8), to: output) } catch {
            console.error(error.description)
            throw ExitCode(1)
        }
        console.note("\(output): \(batch.detections.count) detections, \(crops.crops.count) crops, \(html.utf8.count / 1024) KiB")
    }
}
