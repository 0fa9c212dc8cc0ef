import Foundation
import Testing
import _SpotterTestSupport

/// `spotter scan FOLDER` with the default ranked table.
@Suite(.needsDatasets)
struct ScanTableTests {
    /// A folder holding three thermal frames and one RGB frame (links to the dataset files), plus a non-image that
    /// the folder walk must skip.
    static func mixedFolder(_ dir: TemporaryDirectory) throws -> (folder: String, frames: [String]) {
        var frames: [String] = []
        for (i, file) in CLIInputs.thermal(3).enumerated() {
            frames.append(try CLIInputs.link(file, as: "frames/thermal-\(i).jpg", in: dir))
        }
        frames.append(try CLIInputs.link(CLIInputs.rgb(), as: "frames/sub/rgb.jpg", in: dir))
        try dir.write(Array("not a frame".utf8), to: "frames/notes.txt")
        return (dir.url("frames"), frames.sorted())
    }

    @Test func rankedTableOverAFolder() throws {
        try TemporaryDirectory.with { dir in
            let (folder, frames) = try Self.mixedFolder(dir)
            let run = try SpotterProcess.run(["scan", folder, "--quiet"])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
            guard let rows = TableRow.parse(run) else { return }
            // More than 20 detections in these frames, so the default --top 20 applies.
            #expect(rows.count == 20, "\(run)")
            #expect(rows.map(\.rank) == Array(1...rows.count))
            for (a, b) in zip(rows, rows.dropFirst()) {
                #expect(a.score >= b.score, "rank \(b.rank) scores \(b.score) above rank \(a.rank)'s \(a.score)")
            }
            for row in rows {
                #expect(frames.contains(row.frame), "row \(row.rank) names \(row.frame), which was not scanned")
                #expect(["rx", "contrast", "hotspot", "coldspot"].contains(row.detector), "row \(row.rank): detector \(row.detector)")
                #expect(row.w > 0 && row.h > 0)
            }
        }
    }

    /// With --top large enough for everything, the table lists exactly the detections the JSONL lists, and auto
    /// picks the detector by channel count (hotspot on the gray frames, rx on the colour one).
    @Test func fullTableMatchesJSONL() throws {
        try TemporaryDirectory.with { dir in
            let (folder, frames) = try Self.mixedFolder(dir)
            let table = try SpotterProcess.run(["scan", folder, "--quiet", "--top", "100000"])
            let jsonl = try SpotterProcess.run(["scan", folder, "--quiet", "--format", "jsonl"])
            #expect(table.exitCode == 0 && jsonl.exitCode == 0, "\(table)\n\(jsonl)")
            guard let rows = TableRow.parse(table), let lines = FrameLine.parseAll(jsonl) else { return }
            #expect(lines.map(\.file) == frames)
            let total = lines.reduce(0) { $0 + $1.detections.count }
            #expect(total > 20)
            #expect(rows.count == total)
            for line in lines {
                let expected: Set<String> = line.file.hasSuffix("rgb.jpg") ? ["rx", "contrast"] : ["hotspot", "coldspot"]
                let inTable = rows.filter { $0.frame == line.file }
                #expect(inTable.count == line.detections.count, "\(line.file)")
                #expect(inTable.allSatisfy { expected.contains($0.detector) }, "\(line.file) should use \(expected)")
                // Same boxes, same order within the frame.
                #expect(
                    inTable.map { [$0.x, $0.y, $0.w, $0.h] } == line.detections.map { [$0.x, $0.y, $0.w, $0.h] },
                    "\(line.file)")
            }
        }
    }

    /// Without --quiet the table run ends with a summary note on stderr, never on stdout.
    @Test func summaryGoesToStderr() throws {
        let frames = CLIInputs.thermal(2)
        let run = try SpotterProcess.run(["scan"] + frames + ["--top", "3"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdoutLines.count == 4, "header and three rows: \(run)")
        #expect(run.stderrLines.contains { $0.hasPrefix("spotter: 2 frames, 0 failed, ") }, "\(run)")
        #expect(!run.stdout.contains("frames/s"))
    }
}
