import Foundation
import Testing
import _SpotterTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One input that must fail its frame (and only its frame).
struct BadInput: Sendable, CustomTestStringConvertible {
    var label: String
    /// Text the error must contain (case-insensitive): the cause, in words.
    var cause: String
    /// Megapixel cap for the run (the over-cap case); the good frames are then small PNGs under it.
    var capMegapixels: Double? = nil
    /// Creates the input in the folder and returns the argument to pass.
    var make: @Sendable (TemporaryDirectory) throws -> String

    var testDescription: String { label }

    static var all: [BadInput] {
        var cases = [
            BadInput(label: "zero-length .jpg", cause: "empty") { try $0.write([], to: "empty.jpg") },
            BadInput(label: "truncated JPEG (first half of a real frame)", cause: "truncated") { dir in
                let bytes = try CLIInputs.bytes(CLIInputs.thermal(1)[0])
                return try dir.write(Array(bytes.prefix(bytes.count / 2)), to: "half.jpg")
            },
            BadInput(label: "random bytes named .png", cause: "not a JPEG or PNG") { dir in
                var rng = SplitMix64(seed: 2024)
                return try dir.write(rng.bytes(4096), to: "noise.png")
            },
            BadInput(label: "text file named .jpg", cause: "not a JPEG or PNG") { dir in
                try dir.write(Array("GPS log, not a picture\nline 2\n".utf8), to: "notes.jpg")
            },
            BadInput(label: "nonexistent path", cause: "no such file") { $0.url("missing/frame.jpg") },
            BadInput(label: "symbolic link loop", cause: "symbolic links") { dir in
                try CLIInputs.link(dir.url("loop.jpg"), as: "loop.jpg", in: dir)
            },
            BadInput(label: "JPEG header with no scan data", cause: "truncated") { dir in
                let bytes = try CLIInputs.bytes(CLIInputs.thermal(1)[0])
                let sos = JPEGLayout(bytes).entropyStart ?? 400
                return try dir.write(Array(bytes.prefix(sos + 16)), to: "header-only.jpg")
            },
            BadInput(label: "truncated PNG", cause: "truncated") { dir in
                let png = CLIInputs.smallPNG()
                return try dir.write(Array(png.prefix(png.count / 2)), to: "half.png")
            },
            BadInput(label: "over the megapixel cap", cause: "cap", capMegapixels: 0.1) { dir in
                try CLIInputs.link(CLIInputs.thermal(1)[0], as: "big.jpg", in: dir)
            },
        ]
        if geteuid() != 0 {  // root reads mode-000 files anyway
            cases.append(
                BadInput(label: "unreadable file", cause: "permission denied") { dir in
                    let path = try CLIInputs.link(CLIInputs.thermal(1)[0], as: "target.jpg", in: dir)
                    let copy = try dir.write(try CLIInputs.bytes(path), to: "locked.jpg")
                    chmod(copy, 0)
                    return copy
                })
        }
        return cases
    }
}

/// A broken, missing or refused frame fails alone: one stderr line naming it and the cause, an error in its JSONL
/// line, the other frames still reported, and exit code 2 at the end.
@Suite(.needsDatasets)
struct ScanBadInputTests {
    /// Two good frames around the bad one: thermal frames, or small PNGs when the run has a tiny megapixel cap.
    static func goodFrames(for input: BadInput, in dir: TemporaryDirectory) throws -> [String] {
        if input.capMegapixels != nil {
            return [try dir.write(CLIInputs.smallPNG(seed: 1), to: "good-a.png"),
                    try dir.write(CLIInputs.smallPNG(seed: 2), to: "good-b.png")]
        }
        let thermal = CLIInputs.thermal(2)
        return [try CLIInputs.link(thermal[0], as: "good-a.jpg", in: dir),
                try CLIInputs.link(thermal[1], as: "good-b.jpg", in: dir)]
    }

    @Test(arguments: BadInput.all)
    func badFrameFailsAlone(_ input: BadInput) throws {
        try TemporaryDirectory.with { dir in
            let bad = try input.make(dir)
            let good = try Self.goodFrames(for: input, in: dir)
            var arguments = ["scan", good[0], bad, good[1], "--format", "jsonl", "--quiet"]
            if let cap = input.capMegapixels { arguments += ["--max-megapixels", String(cap)] }
            let run = try SpotterProcess.run(arguments)
            #expect(run.exitCode == 2, "\(run)")

            guard let lines = FrameLine.parseAll(run) else { return }
            #expect(lines.count == 3, "one line per frame: \(run)")
            #expect(Set(lines.map(\.file)) == Set([good[0], bad, good[1]]), "\(run)")
            guard let failed = lines.first(where: { $0.file == bad }) else { return }
            #expect(failed.detections.isEmpty)
            let error = try #require(failed.error, "no error for \(bad): \(run)")
            #expect(error.lowercased().contains(input.cause.lowercased()), "error for \(input.label): \(error)")
            for line in lines where line.file != bad { #expect(line.error == nil, "\(line.file): \(line.error ?? "")") }

            // --quiet leaves only the error line on stderr: the file, then the cause (the JSONL error).
            #expect(run.stderrLines == ["spotter: \(bad): \(error)"], "\(run)")
        }
    }

    /// All of the bad inputs in one run, with the table output: each named once on stderr, the good frames ranked,
    /// exit code 2.
    @Test func allBadInputsInOneTableRun() throws {
        try TemporaryDirectory.with { dir in
            let inputs = BadInput.all.filter { $0.capMegapixels == nil }
            var bad: [String] = []
            for input in inputs { bad.append(try input.make(dir)) }  // the cases use distinct file names
            let good = CLIInputs.thermal(2)
            let run = try SpotterProcess.run(["scan", good[0]] + bad + [good[1], "--quiet", "--top", "1000"])
            #expect(run.exitCode == 2, "\(run)")
            for path in bad {
                #expect(run.stderrLines.filter { $0.hasPrefix("spotter: \(path): ") }.count == 1, "\(path): \(run)")
            }
            #expect(run.stderrLines.count == bad.count, "\(run)")
            guard let rows = TableRow.parse(run) else { return }
            #expect(Set(rows.map(\.frame)) == Set(good), "only the good frames have detections")
        }
    }

    /// PNG bytes in a file named .jpg are decoded as the PNG they are (formats are sniffed by content).
    @Test func pngNamedJPGIsSniffedByContent() throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(TestFiles.png(CLIInputs.plantedHotspot()), to: "really-a-png.jpg")
            let run = try SpotterProcess.run(["scan", path, "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.isEmpty)
            guard let line = FrameLine.parseAll(run)?.first else { return }
            ScanJSONLTests.expectGoodFrame(line, size: CLIInputs.thermalSize)
            #expect(line.detections.first?.detector == "hotspot")
        }
    }

    /// A pattern that matches nothing is a failed frame, like a missing file.
    @Test func patternMatchingNothingFails() throws {
        try TemporaryDirectory.with { dir in
            let pattern = dir.url("nothing-*.jpg")
            let run = try SpotterProcess.run(["scan", pattern, "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 2, "\(run)")
            let line = try #require(FrameLine.parseAll(run)?.first)
            #expect(line.file == pattern && line.detections.isEmpty && line.error == "no files match this pattern")
            #expect(run.stderrLines == ["spotter: \(pattern): no files match this pattern"])
        }
    }

    // MARK: Arguments that name no frame, and files that are not regular

    /// JSONL lines come in input order even when some arguments name nothing.
    @Test func missingPathKeepsItsPlaceInTheOutput() throws {
        try TemporaryDirectory.with { dir in
            let good = CLIInputs.thermal(2)
            let missing = dir.url("missing.jpg")
            let run = try SpotterProcess.run(["scan", good[0], missing, good[1], "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 2, "\(run)")
            let files = FrameLine.parseAll(run)?.map(\.file)
            #expect(files == [good[0], missing, good[1]])
        }
    }

    /// A folder argument holding no images is reported, not silently skipped: it gets a stderr line, a failed
    /// JSONL line, and exit code 2 (like a pattern that matches nothing).
    @Test func folderWithoutImagesIsReported() throws {
        try TemporaryDirectory.with { dir in
            let empty = try dir.makeDirectory("no-images")
            try dir.write(Array("readme".utf8), to: "no-images/README.txt")
            let good = CLIInputs.thermal(1)[0]
            let run = try SpotterProcess.run(["scan", good, empty, "--format", "jsonl", "--quiet"])
            let lines = FrameLine.parseAll(run) ?? []
            #expect(lines.contains { $0.file == good && $0.error == nil })
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderrLines.filter { $0.hasPrefix("spotter: \(empty)") }.count == 1, "\(run)")
            #expect(lines.contains { $0.file == empty && $0.detections.isEmpty && !($0.error ?? "").isEmpty })
        }
    }

    /// Alone, the empty folder is a failed frame (exit 2, a JSONL line) and stays mentioned under --quiet.
    @Test func onlyAFolderWithoutImages() throws {
        try TemporaryDirectory.with { dir in
            let empty = try dir.makeDirectory("no-images")
            let run = try SpotterProcess.run(["scan", empty, "--format", "jsonl"])
            #expect(run.stderrLines.contains { $0.contains(empty) }, "\(run)")
            let quiet = try SpotterProcess.run(["scan", empty, "--format", "jsonl", "--quiet"])
            #expect(run.exitCode == 2, "\(run)")
            #expect(FrameLine.parseAll(run)?.map(\.file) == [empty], "\(run)")
            #expect(quiet.stderrLines.count == 1 && quiet.stderrLines[0].hasPrefix("spotter: \(empty): "), "\(quiet)")
        }
    }

    /// A FIFO (or any non-regular file) named on the command line fails at once instead of blocking in open(2).
    @Test func fifoFailsInsteadOfHanging() throws {
        try TemporaryDirectory.with { dir in
            let fifo = dir.url("camera-feed.jpg")
            try #require(mkfifo(fifo, 0o600) == 0)
            let run = try SpotterProcess.run(["scan", fifo, "--format", "jsonl", "--quiet"], timeLimit: 3)
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderrLines == ["spotter: \(fifo): not a regular file"], "\(run)")
        }
    }
}
