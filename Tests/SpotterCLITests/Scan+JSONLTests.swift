import Foundation
import Testing
import _SpotterTestSupport

/// `spotter scan --format jsonl`: one object per frame, in input order.
@Suite(.needsDatasets)
struct ScanJSONLTests {
    /// Every line is well-formed, sized like the frame, with boxes inside it, best first, and no error.
    static func expectGoodFrame(
        _ line: FrameLine, size: (width: Int, height: Int), sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let file = line.file
        #expect(line.error == nil, "\(file): \(line.error ?? "")", sourceLocation: sourceLocation)
        #expect(
            line.width == size.width && line.height == size.height,
            "\(file): \(line.width)x\(line.height), expected \(size.width)x\(size.height)", sourceLocation: sourceLocation)
        for d in line.detections {
            let inside = d.x >= 0 && d.y >= 0 && d.w > 0 && d.h > 0 && d.x + d.w <= line.width && d.y + d.h <= line.height
            #expect(
                inside, "\(file): box \([d.x, d.y, d.w, d.h]) not inside \(line.width)x\(line.height)",
                sourceLocation: sourceLocation)
            #expect(["rx", "contrast", "hotspot", "coldspot"].contains(d.detector), "\(file): \(d.detector)", sourceLocation: sourceLocation)
        }
        let scores = line.detections.map(\.score)
        #expect(scores == scores.sorted(by: >), "\(file): not best first: \(scores)", sourceLocation: sourceLocation)
    }

    @Test func folderIsReportedInSortedPathOrder() throws {
        try TemporaryDirectory.with { dir in
            let (folder, frames) = try ScanTableTests.mixedFolder(dir)
            let run = try SpotterProcess.run(["scan", folder, "--format", "jsonl", "--quiet", "--threads", "4"])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
            guard let lines = FrameLine.parseAll(run) else { return }
            #expect(lines.map(\.file) == frames, "one line per frame, sorted by path")
            for line in lines {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: line.file)
                Self.expectGoodFrame(line, size: try CLIInputs.labelledSize(target))
            }
            #expect(lines.contains { !$0.detections.isEmpty })
        }
    }

    /// Files named on the command line come back in the order given (not sorted, not in completion order), with
    /// the paths exactly as typed (relative ones too).
    @Test func explicitFilesKeepTheirOrderAndSpelling() throws {
        try TemporaryDirectory.with { dir in
            let thermal = CLIInputs.thermal(5)
            for (i, file) in thermal.enumerated() { try CLIInputs.link(file, as: "t\(i).jpg", in: dir) }
            try CLIInputs.link(CLIInputs.rgb(), as: "colour/rgb.jpg", in: dir)
            let given = ["t3.jpg", "./t0.jpg", "colour/rgb.jpg", "t4.jpg", "t1.jpg", dir.url("t2.jpg")]
            let run = try SpotterProcess.run(
                ["scan"] + given + ["--format", "jsonl", "--quiet", "--threads", "3"], in: dir.path)
            #expect(run.exitCode == 0, "\(run)")
            guard let lines = FrameLine.parseAll(run) else { return }
            #expect(lines.map(\.file) == given)
            for line in lines {
                let size = line.file.hasSuffix("rgb.jpg") ? (640, 640) : CLIInputs.thermalSize
                Self.expectGoodFrame(line, size: size)
            }
        }
    }

    /// A file name with a quote, a backslash, a comma, spaces and non-ASCII letters survives JSON escaping.
    @Test func awkwardFileNamesAreEscaped() throws {
        try TemporaryDirectory.with { dir in
            let name = "frame \"7\" \\ näme, ß.jpg"
            let path = try CLIInputs.link(CLIInputs.thermal(1)[0], as: name, in: dir)
            let run = try SpotterProcess.run(["scan", path, "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 0, "\(run)")
            guard let lines = FrameLine.parseAll(run) else { return }
            #expect(lines.map(\.file) == [path])
        }
    }

    /// The same frame named twice is scanned once.
    @Test func duplicatesAreScannedOnce() throws {
        let frame = CLIInputs.thermal(1)[0]
        let run = try SpotterProcess.run(["scan", frame, frame, "--format", "jsonl", "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(FrameLine.parseAll(run)?.map(\.file) == [frame])
    }
}
