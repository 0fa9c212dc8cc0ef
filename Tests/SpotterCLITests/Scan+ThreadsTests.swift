import Testing
import _SpotterTestSupport

/// The number of worker threads changes speed only, never output.
@Suite(.needsDatasets)
struct ScanThreadsTests {
    @Test(arguments: ["jsonl", "csv", "table"])
    func outputIsTheSameWithOneOrSeveralThreads(format: String) throws {
        try TemporaryDirectory.with { dir in
            let broken = try dir.write(Array("not an image".utf8), to: "broken.jpg")
            let frames = CLIInputs.thermal(6) + [CLIInputs.rgb(), broken]
            var outputs: [String] = []
            for threads in ["1", "2", "5"] {
                let run = try SpotterProcess.run(
                    ["scan"] + frames + ["--threads", threads, "--format", format, "--quiet", "--top", "1000"])
                #expect(run.exitCode == 2, "\(run)")
                outputs.append(run.stdout)
            }
            #expect(outputs[0].split(separator: "\n").count >= frames.count)
            #expect(outputs[1] == outputs[0], "--threads 2 differs from --threads 1")
            #expect(outputs[2] == outputs[0], "--threads 5 differs from --threads 1")
        }
    }
}
