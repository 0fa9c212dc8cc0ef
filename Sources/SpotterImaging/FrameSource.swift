#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns what the user typed (files, folders, glob patterns) into the list of frames to scan.
public enum FrameSource {
    /// File name extensions picked up when walking a folder (case-insensitive). Files named explicitly are taken
    /// whatever their extension, so a mislabelled file gets a clear decode error instead of being skipped.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// One item of a listing: a frame to scan, or an argument that named no frame.
    public enum Entry: Sendable, Equatable {
        case file(String)
        case problem(ImagingError)
    }

    public struct Listing: Sendable {
        /// Frames and problems in the order the arguments gave them; a folder contributes its images sorted by path.
        public var entries: [Entry] = []

        /// The frames, in order.
        public var files: [String] {
            entries.compactMap { if case .file(let f) = $0 { f } else { nil } }
        }

        /// Arguments that named nothing readable: each becomes a failed frame, never a silent skip.
        public var problems: [ImagingError] {
            entries.compactMap { if case .problem(let p) = $0 { p } else { nil } }
        }
    }

    /// Expands `arguments`: a file is taken as is, a folder is walked recursively (hidden entries skipped, symlinked
    /// folders followed once), and a pattern with `*`, `?` or `[` that names no file is expanded with glob(3), keeping
    /// the image files it matches (like a folder walk). The same file reached twice (by two spellings or links) is
    /// scanned once, under the first name it was reached by. A folder or pattern that yields no image is a problem,
    /// like a path that does not exist.
    public static func enumerate(_ arguments: [String]) -> Listing {
        var entries: [Entry] = []
        var seen = Set<String>()
        var visitedDirectories = Set<DirectoryID>()
        var found = 0  // images reached by the current argument, duplicates included
        func add(_ path: String) {
            found += 1
            if seen.insert(canonicalPath(path)).inserted { entries.append(.file(path)) }
        }
        var problems: [ImagingError] = []
        func flushProblems() {
            entries += problems.map { .problem($0) }
            problems.removeAll()
        }
        for argument in arguments {
            found = 0
            defer { flushProblems() }
            var st = stat()
            if stat(argument, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    let before = problems.count
                    walk(argument, into: add, visited: &visitedDirectories, problems: &problems)
                    if found == 0 && problems.count == before {
                        problems.append(ImagingError(.notAnImage, "no .jpg, .jpeg or .png files in this folder", file: argument))
                    }
                } else {
                    add(argument)
                }
                continue
            }
            let err = errno
            if argument.contains(where: { "*?[".contains($0) }) {
                let matches = expandGlob(argument)
                if matches.isEmpty {
                    problems.append(ImagingError(.unreadable, "no files match this pattern", file: argument))
                }
                for m in matches {
                    var mst = stat()
                    if stat(m, &mst) == 0 && (mst.st_mode & S_IFMT) == S_IFDIR {
                        walk(m, into: add, visited: &visitedDirectories, problems: &problems)
                    } else if hasImageExtension(m) {
                        add(m)
                    }
                }
                if !matches.isEmpty && found == 0 {
                    problems.append(ImagingError(.unreadable, "no .jpg, .jpeg or .png files match this pattern", file: argument))
                }
                continue
            }
            problems.append(ImagingError(.unreadable, String(cString: strerror(err)), file: argument))
        }
        return Listing(entries: entries)
    }

    struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private static func walk(
        _ directory: String, into add: (String) -> Void, visited: inout Set<DirectoryID>, problems: inout [ImagingError]
    ) {
        var st = stat()
        guard stat(directory, &st) == 0 else { return }
        guard visited.insert(DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
        guard let dir = opendir(directory) else {
            problems.append(ImagingError(.unreadable, "cannot list folder: \(String(cString: strerror(errno)))", file: directory))
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }  // ., .., hidden files and macOS ._ resource forks
            names.append(name)
        }
        closedir(dir)
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.sorted() {
            let path = base + name
            var est = stat()
            guard stat(path, &est) == 0 else { continue }  // dangling symlink
            if (est.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: add, visited: &visited, problems: &problems)
            } else if (est.st_mode & S_IFMT) == S_IFREG, hasImageExtension(name) {
                add(path)
            }
        }
    }

    static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), !name[name.index(after: dot)...].contains("/") else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The resolved path of an existing file (symlinks, `.`, `..` and doubled slashes removed), else the path as is.
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func expandGlob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }
}
