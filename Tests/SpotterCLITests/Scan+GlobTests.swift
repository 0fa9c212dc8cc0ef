import Foundation
import Testing
import _SpotterTestSupport

/// Quoted glob patterns are expanded by spotter itself (glob(3)); no shell is involved in these runs.
@Suite(.needsDatasets)
struct ScanGlobTests {
    /// thermal frames a.jpg, b.jpg, c.JPG, sub/d.jpg; a PNG; a text file.
    static func folder(_ dir: TemporaryDirectory) throws {
        let thermal = CLIInputs.thermal(4)
        try CLIInputs.link(thermal[2], as: "c.jpg", in: dir)
        try CLIInputs.link(thermal[0], as: "a.jpg", in: dir)
        try CLIInputs.link(thermal[1], as: "b.JPG", in: dir)
        try CLIInputs.link(thermal[3], as: "sub/d.jpg", in: dir)
        try dir.write(CLIInputs.smallPNG(), to: "e.png")
        try dir.write(Array("x".utf8), to: "notes.txt")
    }

    @Test(arguments: [
        ("*.jpg", ["a.jpg", "c.jpg"]),
        ("*.[jJ][pP][gG]", ["a.jpg", "b.JPG", "c.jpg"]),
        ("?.png", ["e.png"]),
        ("*/*.jpg", ["sub/d.jpg"]),
        ("s*", ["sub/d.jpg"]),  // a pattern matching a folder walks it
    ])
    func patternIsExpanded(pattern: String, expected: [String]) throws {
        try TemporaryDirectory.with { dir in
            try Self.folder(dir)
            // Relative to the working directory, and absolute.
            for (argument, cwd, prefix) in [(pattern, dir.path, ""), (dir.url(pattern), nil, dir.path + "/")] {
                let run = try SpotterProcess.run(["scan", argument, "--format", "jsonl", "--quiet"], in: cwd)
                #expect(run.exitCode == 0, "\(run)")
                let lines = FrameLine.parseAll(run) ?? []
                #expect(lines.map(\.file) == expected.map { prefix + $0 }, "pattern \(argument)")
                #expect(lines.allSatisfy { $0.error == nil })
            }
        }
    }

    /// Patterns mix with files; frames named twice are scanned once, in first-seen order.
    @Test func patternsAndFilesTogether() throws {
        try TemporaryDirectory.with { dir in
            try Self.folder(dir)
            let run = try SpotterProcess.run(
                ["scan", "c.jpg", "*.jpg", "e.png", "--format", "jsonl", "--quiet"], in: dir.path)
            #expect(run.exitCode == 0, "\(run)")
            #expect(FrameLine.parseAll(run)?.map(\.file) == ["c.jpg", "a.jpg", "e.png"])
        }
    }

    /// A file whose name contains glob characters is taken literally when it exists.
    @Test func existingNameWithGlobCharactersIsLiteral() throws {
        try TemporaryDirectory.with { dir in
            try Self.folder(dir)
            try CLIInputs.link(CLIInputs.thermal(1)[0], as: "[x]*.jpg", in: dir)
            let run = try SpotterProcess.run(["scan", "[x]*.jpg", "--format", "jsonl", "--quiet"], in: dir.path)
            #expect(run.exitCode == 0, "\(run)")
            #expect(FrameLine.parseAll(run)?.map(\.file) == ["[x]*.jpg"])
        }
    }
}
