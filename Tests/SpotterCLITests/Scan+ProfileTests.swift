import Foundation
import Testing
import _SpotterTestSupport

/// `--profile` forces a detector set; a frame it cannot apply to fails with a message that says how to fix it.
@Suite(.needsDatasets)
struct ScanProfileTests {
    @Test func rgbProfileOnAGrayFrameFailsThatFrame() throws {
        let gray = CLIInputs.thermal(1)[0], colour = CLIInputs.rgb()
        let run = try SpotterProcess.run(["scan", gray, colour, "--profile", "rgb", "--format", "jsonl", "--quiet"])
        #expect(run.exitCode == 2, "\(run)")
        let lines = try #require(FrameLine.parseAll(run))
        #expect(lines.map(\.file) == [gray, colour])
        let error = try #require(lines.first?.error, "\(run)")
        #expect(error.contains("rgb profile needs a colour frame"), "\(error)")
        #expect(error.contains("--profile thermal"), "the message suggests the fix: \(error)")
        #expect(lines.first?.detections.isEmpty == true)
        #expect(run.stderrLines == ["spotter: \(gray): \(error)"])
        // The colour frame is unaffected.
        #expect(lines.last?.error == nil)
        #expect(lines.last?.detections.allSatisfy { ["rx", "contrast"].contains($0.detector) } == true)
        #expect(lines.last?.detections.isEmpty == false)
    }

    @Test func thermalProfileOnAColourFrameWorks() throws {
        let colour = CLIInputs.rgb()
        let run = try SpotterProcess.run(["scan", colour, "--profile", "thermal", "--format", "jsonl", "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        let line = try #require(FrameLine.parseAll(run)?.first)
        ScanJSONLTests.expectGoodFrame(line, size: (640, 640))
        #expect(line.detections.allSatisfy { ["hotspot", "coldspot"].contains($0.detector) }, "thermal runs the hotspot detector on luma")
    }

    /// auto and an explicit profile matching the frame give the same result.
    @Test(arguments: [("thermal", true), ("rgb", false)])
    func autoMatchesTheExplicitProfile(profile: String, gray: Bool) throws {
        let frame = gray ? CLIInputs.thermal(1)[0] : CLIInputs.rgb()
        let auto = try SpotterProcess.run(["scan", frame, "--format", "jsonl", "--quiet"])
        let explicit = try SpotterProcess.run(["scan", frame, "--profile", profile, "--format", "jsonl", "--quiet"])
        #expect(auto.exitCode == 0 && explicit.exitCode == 0, "\(auto)\n\(explicit)")
        #expect(auto.stdout == explicit.stdout)
    }
}

/// `--patch-cnn` adds the RGB profile's patch CNN to the ranking, `--no-patch-cnn` leaves it out whatever the profile
/// says, and `--no-rerank` leaves every model out.
@Suite(.needsDatasets)
struct ScanPatchCNNTests {
    @Test func patchCNNChangesTheRGBScoresAndNoRerankTurnsItOff() throws {
        let colour = CLIInputs.rgb()
        func scan(_ extra: [String]) throws -> FrameLine {
            let run = try SpotterProcess.run(["scan", colour, "--format", "jsonl", "--quiet"] + extra)
            #expect(run.exitCode == 0, "\(run)")
            return try #require(FrameLine.parseAll(run)?.first)
        }
        let trees = try scan([]), cnn = try scan(["--patch-cnn"])
        #expect(!trees.detections.isEmpty && !cnn.detections.isEmpty)
        // Probabilities (printed to 4 decimals), best first.
        #expect(cnn.detections.allSatisfy { $0.score >= 0 && $0.score <= 1 })
        #expect(cnn.detections.map(\.score) == cnn.detections.map(\.score).sorted(by: >))
        // The CNN's logit joins the trees': the scores change (the boxes found by the detectors do not).
        #expect(cnn.detections.map(\.score) != trees.detections.map(\.score))
        #expect(try scan(["--no-rerank", "--patch-cnn"]).detections.map(\.score)
            == scan(["--no-rerank"]).detections.map(\.score))
        #expect(try scan(["--no-patch-cnn"]).detections.map(\.score) == trees.detections.map(\.score))

        // A profile that enables the CNN: it is on by default and --no-patch-cnn turns it off.
        try Self.withModels(editing: "rgb-coast", "\"patch_classifier.enabled\": 0", to: "\"patch_classifier.enabled\": 1") { (models: String) throws in
            #expect(try scan(["--models", models]).detections.map(\.score) == cnn.detections.map(\.score))
            #expect(try scan(["--models", models, "--no-patch-cnn"]).detections.map(\.score) == trees.detections.map(\.score))
        }
    }

    /// Runs `body` with a copy of Models/ in a temporary folder whose profile `name` has `text` replaced by `edited`.
    static func withModels(editing name: String, _ text: String, to edited: String, _ body: (String) throws -> Void) throws {
        try TemporaryDirectory.with { dir in
            let models = dir.path + "/Models"
            try FileManager.default.copyItem(atPath: SharedDatasets.packageRoot + "/Models", toPath: models)
            let profile = models + "/profiles/\(name).json"
            let original = try String(contentsOfFile: profile, encoding: .utf8)
            let changed = original.replacingOccurrences(of: text, with: edited)
            #expect(changed != original, "\(profile) has no \(text)")
            try changed.write(toFile: profile, atomically: true, encoding: .utf8)
            try body(models)
        }
    }

    /// The thermal profile's single-channel CNN, on by default, the same way on a thermal frame; a profile that names
    /// a model of the wrong channel count gets a note naming the file, and the trees rank alone.
    @Test func theThermalCNNIsOnByDefaultAndAWrongModelIsLeftOutWithANote() throws {
        let frame = CLIInputs.thermal(1)[0]
        func run(_ extra: [String]) throws -> (FrameLine, String) {
            let run = try SpotterProcess.run(["scan", frame, "--format", "jsonl"] + extra)
            #expect(run.exitCode == 0, "\(run)")
            return (try #require(FrameLine.parseAll(run)?.first), run.stderr)
        }
        let (trees, _) = try run(["--quiet", "--no-patch-cnn"]), (cnn, _) = try run(["--quiet"])
        #expect(!trees.detections.isEmpty && !cnn.detections.isEmpty)
        #expect(try run(["--quiet", "--patch-cnn"]).0.detections.map(\.score) == cnn.detections.map(\.score))
        #expect(cnn.detections.map(\.score) == cnn.detections.map(\.score).sorted(by: >))
        #expect(cnn.detections.map(\.score) != trees.detections.map(\.score))
        #expect(try run(["--quiet", "--no-rerank", "--patch-cnn"]).0.detections.map(\.score)
            == run(["--quiet", "--no-rerank"]).0.detections.map(\.score))

        try Self.withModels(editing: "thermal", "patch-cnn/thermal-cnn.json", to: "patch-cnn/rgb-coast-cnn.json") { (models: String) throws in
            let (line, stderr) = try run(["--models", models, "--patch-cnn"])
            #expect(line.detections.map(\.score) == trees.detections.map(\.score))
            #expect(stderr.contains("rgb-coast-cnn.json") && stderr.contains("3-channel"), "\(stderr)")
        }
    }
}
