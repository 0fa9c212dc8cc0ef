import Foundation
import Testing

/// `spotter bench-speed`: decode-only and scan throughput, and their ratio. Shape only; no timing thresholds.
@Suite(.needsDatasets)
struct BenchSpeedTests {
    @Test func jsonReport() throws {
        let frames = CLIInputs.thermal(2)
        let run = try SpotterProcess.run(["bench-speed"] + frames + ["--rounds", "1", "--format", "json"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdoutLines.count == 1, "\(run)")
        let object = try #require(
            try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "not a JSON object: \(run)")
        for key in ["decode_mp_per_s", "scan_mp_per_s", "ratio"] {
            let value = (object[key] as? NSNumber)?.doubleValue
            #expect(value.map { $0 > 0 && $0.isFinite } == true, "\(key) = \(String(describing: object[key]))")
        }
        #expect((object["frames"] as? NSNumber)?.intValue == 2)
        // The thermal profile's CNN is on by default: it is timed on these frames' own patches.
        #expect(object["patch_cnn"] as? String == "thermal-cnn-1", "\(run)")
        #expect(((object["patch_cnn_us_per_patch"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(run)")
        #expect((object["failed"] as? NSNumber)?.intValue == 0)
        let megapixels = (object["megapixels"] as? NSNumber)?.doubleValue ?? 0
        #expect(abs(megapixels - 2 * 640 * 512 / 1e6) < 0.001, "megapixels \(megapixels)")
        if let decode = (object["decode_mp_per_s"] as? NSNumber)?.doubleValue,
            let scan = (object["scan_mp_per_s"] as? NSNumber)?.doubleValue,
            let ratio = (object["ratio"] as? NSNumber)?.doubleValue
        {
            #expect(abs(ratio - scan / decode) <= 0.001 + 0.01 * ratio, "ratio is scan / decode")
        }
    }

    @Test func tableReport() throws {
        let run = try SpotterProcess.run(["bench-speed"] + CLIInputs.thermal(2) + ["--rounds", "1", "--repeat", "2"])
        #expect(run.exitCode == 0, "\(run)")
        let lines = run.stdoutLines
        #expect(lines.first?.hasPrefix("frames 4 ") == true, "--repeat 2 doubles the frames: \(run)")
        #expect(lines.contains { $0.hasPrefix("decode-only ") && $0.contains("MP/s") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("scan ") && $0.contains("MP/s") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("ratio scan/decode ") }, "\(run)")
        #expect(lines.contains { $0.hasPrefix("patch CNN thermal-cnn-1: ") }, "\(run)")
        let without = try SpotterProcess.run(["bench-speed"] + CLIInputs.thermal(2) + ["--rounds", "1", "--no-patch-cnn"])
        #expect(without.exitCode == 0 && !without.stdoutLines.contains { $0.hasPrefix("patch CNN") }, "\(without)")
    }

    /// With both families' CNNs on, the one timed is that of the frames given, named in the report.
    @Test(arguments: [("thermal", "thermal-cnn-1"), ("rgb", "rgb-coast-cnn-2")])
    func theFramesOwnCNNIsTimed(kind: String, version: String) throws {
        let frames = kind == "thermal" ? CLIInputs.thermal(1) : [CLIInputs.rgb()]
        let run = try SpotterProcess.run(["bench-speed"] + frames + ["--rounds", "1", "--patch-cnn", "--format", "json"])
        #expect(run.exitCode == 0, "\(run)")
        let object = try #require(
            try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "not a JSON object: \(run)")
        #expect(object["patch_cnn"] as? String == version, "\(run)")
    }

    @Test func nothingToMeasureFails() throws {
        let run = try SpotterProcess.run(["bench-speed", "/nonexistent/frames/*.jpg", "--rounds", "1"])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderrLines.contains("spotter: no frames to measure"), "\(run)")
    }
}
