import Foundation
import Testing
import _SpotterTestSupport

/// `--scale N` decodes JPEGs at 1/N resolution, but every size and box is reported in full-resolution pixels.
@Suite(.needsDatasets)
struct ScanScaleTests {
    /// Real thermal frames at each scale: full-resolution size, boxes inside the frame, and (scaled decode) box
    /// origins on the scale's grid.
    @Test(arguments: [1, 2, 4, 8])
    func realThermalFramesStayFullResolution(scale: Int) throws {
        let frames = CLIInputs.thermal(4)
        let run = try SpotterProcess.run(
            ["scan"] + frames + ["--scale", String(scale), "--format", "jsonl", "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        guard let lines = FrameLine.parseAll(run) else { return }
        #expect(lines.map(\.file) == frames)
        for line in lines {
            ScanJSONLTests.expectGoodFrame(line, size: CLIInputs.thermalSize)
            for d in line.detections {
                #expect(d.x % scale == 0 && d.y % scale == 0, "\(line.file): box \([d.x, d.y, d.w, d.h]) at 1/\(scale)")
            }
        }
        if scale < 8 { #expect(lines.contains { !$0.detections.isEmpty }, "no detections at all at 1/\(scale)") }
    }

    /// A hot blob planted at a known place is found at every scale, and its box is in full-resolution
    /// coordinates: it overlaps the blob, reaches less than one scaled pixel beyond it on each side, and starts on
    /// the scale's grid.
    @Test(arguments: [1, 2, 4, 8])
    func plantedHotspotIsFoundInFullResolutionPixels(scale: Int) throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(TestFiles.jpeg(CLIInputs.plantedHotspot(), quality: 95), to: "planted.jpg")
            let run = try SpotterProcess.run(["scan", path, "--scale", String(scale), "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 0, "\(run)")
            guard let line = FrameLine.parseAll(run)?.first else { return }
            ScanJSONLTests.expectGoodFrame(line, size: CLIInputs.thermalSize)
            let blob = CLIInputs.hotBlob
            guard let best = line.detections.first else {
                Issue.record("no detection at 1/\(scale): \(run)")
                return
            }
            #expect(best.detector == "hotspot")
            let box = [best.x, best.y, best.w, best.h]
            #expect(best.x % scale == 0 && best.y % scale == 0, "box \(box) at 1/\(scale)")
            // Overlapping the blob, and inside the blob grown by less than one scaled pixel on each side.
            #expect(best.x < blob.x + blob.width && best.x + best.w > blob.x, "box \(box) vs blob \(blob)")
            #expect(best.y < blob.y + blob.height && best.y + best.h > blob.y, "box \(box) vs blob \(blob)")
            #expect(best.x > blob.x - scale && best.x + best.w < blob.x + blob.width + scale, "box \(box) vs blob \(blob)")
            #expect(best.y > blob.y - scale && best.y + best.h < blob.y + blob.height + scale, "box \(box) vs blob \(blob)")
        }
    }

    /// PNG has no scaled decode: --scale 8 gives exactly what --scale 1 gives.
    @Test func pngIgnoresScale() throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(TestFiles.png(CLIInputs.plantedHotspot()), to: "planted.png")
            let full = try SpotterProcess.run(["scan", path, "--format", "jsonl", "--quiet"])
            let eighth = try SpotterProcess.run(["scan", path, "--scale", "8", "--format", "jsonl", "--quiet"])
            #expect(full.exitCode == 0 && eighth.exitCode == 0, "\(full)\n\(eighth)")
            #expect(!full.stdout.isEmpty)
            #expect(full.stdout == eighth.stdout)
        }
    }

    /// One large RGB frame (4000×2250, the slow case in debug builds) at 1/8: full-resolution size, boxes inside.
    @Test func largeRGBFrameAtOneEighth() throws {
        let frames = SharedDatasets.files(in: "brighton-beach-frames", extensions: ["JPG"])
        try #require(!frames.isEmpty)
        let run = try SpotterProcess.run(["scan", frames[0], "--scale", "8", "--format", "jsonl", "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        guard let line = FrameLine.parseAll(run)?.first else { return }
        ScanJSONLTests.expectGoodFrame(line, size: (4000, 2250))
        for d in line.detections { #expect(d.x % 8 == 0 && d.y % 8 == 0 && ["rx", "contrast"].contains(d.detector)) }
    }
}
