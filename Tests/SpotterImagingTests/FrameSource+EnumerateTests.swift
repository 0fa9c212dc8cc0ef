import SpotterImaging
import Testing
import _SpotterTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the user typed (files, folders, patterns) becomes the list of frames, in a stable order.
@Suite("FrameSource.enumerate")
struct FrameSourceTests {
    /// root/ holds images of every extension spelling, non-images, hidden files and folders, and nested folders.
    static func makeTree(_ dir: TemporaryDirectory) throws {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF]
        for name in ["root/a.jpg", "root/B.JPG", "root/c.Png", "root/d.jpeg", "root/e.JpEg", "root/notes.txt", "root/noext",
                     "root/.hidden.jpg", "root/.cache/x.jpg", "root/sub/f.jpg", "root/sub/deeper/g.PNG",
                     "root/sub/readme.md", "root/sub/archive.jpg.zip", "root/jpg"] {
            try dir.write(bytes, to: name)
        }
        try dir.makeDirectory("root/empty")
        try dir.makeDirectory("root/folder.jpg")  // a folder with an image-like name is walked, not listed
        try dir.write(bytes, to: "root/folder.jpg/h.jpg")
    }

    @Test("a folder is walked recursively, sorted, hidden entries and non-images skipped")
    func folderWalk() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            let listing = FrameSource.enumerate([dir.url("root")])
            let rel = listing.files.map { String($0.dropFirst(dir.path.count + 1)) }
            #expect(rel == [
                "root/B.JPG", "root/a.jpg", "root/c.Png", "root/d.jpeg", "root/e.JpEg", "root/folder.jpg/h.jpg",
                "root/sub/deeper/g.PNG", "root/sub/f.jpg",
            ])
            #expect(listing.problems.isEmpty)
            // A trailing slash gives the same files.
            #expect(FrameSource.enumerate([dir.url("root") + "/"]).files == listing.files)
        }
    }

    @Test("files named explicitly are kept whatever their extension or name")
    func explicitFiles() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            let args = [dir.url("root/notes.txt"), dir.url("root/noext"), dir.url("root/.hidden.jpg"), dir.url("root/a.jpg")]
            let listing = FrameSource.enumerate(args)
            #expect(listing.files == args)
            #expect(listing.problems.isEmpty)
        }
    }

    @Test("glob patterns expand; a pattern matching nothing is a problem")
    func globs() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            let listing = FrameSource.enumerate([dir.url("root/*.jpg"), dir.url("root/s?b"), dir.url("root/[cd].*"), dir.url("root/*.gif")])
            let rel = listing.files.map { String($0.dropFirst(dir.path.count + 1)) }
            // *.jpg: a.jpg and the folder folder.jpg (walked), never the hidden file; s?b: the folder, walked;
            // [cd].*: c.Png and d.jpeg.
            #expect(rel == ["root/a.jpg", "root/folder.jpg/h.jpg", "root/sub/deeper/g.PNG", "root/sub/f.jpg", "root/c.Png", "root/d.jpeg"])
            #expect(listing.problems.count == 1)
            #expect(listing.problems.first?.code == .unreadable && listing.problems.first?.file == dir.url("root/*.gif"))
            #expect(listing.problems.first?.message.contains("no files match") == true)
        }
    }

    @Test("nonexistent paths are problems, not silent skips, and the rest is still listed")
    func missingPaths() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            let missing = dir.url("root/missing.jpg")
            let listing = FrameSource.enumerate([missing, dir.url("root/a.jpg"), dir.url("nowhere")])
            #expect(listing.files == [dir.url("root/a.jpg")])
            #expect(listing.problems.map(\.file) == [missing, dir.url("nowhere")])
            #expect(listing.problems.allSatisfy { $0.code == .unreadable && $0.message.contains("No such file") })
        }
    }

    @Test("duplicates are dropped, keeping the first occurrence")
    func duplicates() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            let a = dir.url("root/a.jpg"), sub = dir.url("root/sub")
            let listing = FrameSource.enumerate([dir.url("root/sub/f.jpg"), a, sub, dir.url("root"), a, dir.url("root/*.jpg")])
            let rel = listing.files.map { String($0.dropFirst(dir.path.count + 1)) }
            #expect(rel == [
                "root/sub/f.jpg", "root/a.jpg", "root/sub/deeper/g.PNG", "root/B.JPG", "root/c.Png", "root/d.jpeg",
                "root/e.JpEg", "root/folder.jpg/h.jpg",
            ])
            #expect(Set(listing.files).count == listing.files.count)
        }
    }

    /// A symlink loop does not recurse forever; a folder reached twice is listed once.
    @Test("symlinked folders are followed once")
    func symlinkLoop() throws {
        try TemporaryDirectory.with { dir in
            try Self.makeTree(dir)
            #expect(symlink(dir.url("root"), dir.url("root/sub/loop")) == 0)
            let listing = FrameSource.enumerate([dir.url("root")])
            #expect(listing.files.count == 8)
            #expect(!listing.files.contains { $0.contains("/loop/") })
        }
    }

    @Test("the folder walk picks jpg, jpeg and png in any case")
    func extensions() {
        #expect(FrameSource.imageExtensions == ["jpg", "jpeg", "png"])
        #expect(FrameSource.enumerate([]).files.isEmpty && FrameSource.enumerate([]).problems.isEmpty)
    }
}
