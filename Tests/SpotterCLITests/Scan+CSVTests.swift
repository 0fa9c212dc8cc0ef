import Foundation
import Testing
import _SpotterTestSupport

/// `spotter scan --format csv`: ranked detections, then one row per failed frame with its error.
@Suite(.needsDatasets)
struct ScanCSVTests {
    static let header = ["rank", "file", "x", "y", "w", "h", "score", "detector", "error"]

    @Test func rankedRowsThenFailures() throws {
        try TemporaryDirectory.with { dir in
            let good = [
                try CLIInputs.link(CLIInputs.thermal(1)[0], as: "plain.jpg", in: dir),
                // A comma and a quote in the name: the file field must be quoted.
                try CLIInputs.link(CLIInputs.rgb(), as: "coast, \"north\".jpg", in: dir),
            ]
            let head = try CLIInputs.bytes(CLIInputs.thermal(2)[1]).prefix(3000)
            let truncated = try dir.write(Array(head), to: "cut, short.jpg")
            let text = try dir.write(Array("hello".utf8), to: "text.jpg")
            let run = try SpotterProcess.run(["scan", good[0], truncated, good[1], text, "--format", "csv", "--quiet"])
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stdout.hasPrefix(Self.header.joined(separator: ",") + "\n"), "\(run)")
            let records = try #require(CSV.parse(run.stdout), "stdout is not valid CSV: \(run)")
            try #require(records.first == Self.header)
            let rows = records.dropFirst()
            for row in rows { #expect(row.count == Self.header.count, "\(row)") }
            let ranked = rows.filter { !$0[0].isEmpty }, failed = rows.filter { $0[0].isEmpty }

            #expect(ranked.map { Int($0[0]) } == Array(1...ranked.count).map { Optional($0) })
            var previous = Double.infinity
            for row in ranked {
                #expect(good.contains(row[1]), "\(row)")
                let numbers = row[2...5].compactMap { Int($0) }
                #expect(numbers.count == 4 && numbers[2] > 0 && numbers[3] > 0, "\(row)")
                let score = try #require(Double(row[6]), "\(row)")
                #expect(score <= previous, "scores must not increase: \(row)")
                previous = score
                #expect(["rx", "contrast", "hotspot", "coldspot"].contains(row[7]) && row[8].isEmpty, "\(row)")
            }
            #expect(Set(ranked.map { $0[1] }) == Set(good), "both good frames have detections")

            // Failed frames come after the ranking, in input order, with the error and nothing else.
            #expect(failed.map { $0[1] } == [truncated, text])
            for row in failed {
                #expect(row[2...7].allSatisfy { $0.isEmpty }, "\(row)")
                #expect(!row[8].isEmpty, "\(row)")
            }
            #expect(failed.first?[8].contains("truncated") == true)
            #expect(failed.last?[8].contains("not a JPEG or PNG") == true)
        }
    }

    /// CSV lists every detection by default; --top K keeps the best K (failures are still listed).
    @Test func topLimitsTheRanking() throws {
        let frames = CLIInputs.thermal(2)
        let all = try SpotterProcess.run(["scan"] + frames + ["--format", "csv", "--quiet"])
        let top = try SpotterProcess.run(["scan"] + frames + ["--format", "csv", "--quiet", "--top", "5"])
        let jsonl = try SpotterProcess.run(["scan"] + frames + ["--format", "jsonl", "--quiet"])
        #expect(all.exitCode == 0 && top.exitCode == 0, "\(all)\n\(top)")
        let total = (FrameLine.parseAll(jsonl) ?? []).reduce(0) { $0 + $1.detections.count }
        #expect(total > 5)
        #expect(all.stdoutLines.count == total + 1)
        #expect(top.stdoutLines == Array(all.stdoutLines.prefix(6)))
    }
}
