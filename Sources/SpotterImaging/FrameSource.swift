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

    public struct Listing: Sendable {
        /// Frames in the order given; folders contribute their images sorted by path.
        public var files: [String] = []
        /// Arguments that named nothing readable: each becomes a failed frame, never a silent skip.
        public var problems: [ImagingError] = []
    }

    /// Expands `arguments`: a file is taken as is, a folder is walked recursively (hidden entries skipped, symlinked
    /// folders followed once), and a pattern with `*`, `?` or `[` that names no file is expanded with glob(3).
    /// Duplicates are dropped, keeping the first occurrence.
    public static func enumerate(_ arguments: [String]) -> Listing {
        var files: [String] = []
        var problems: [ImagingError] = []
        var seen = Set<String>()
        var visitedDirectories = Set<DirectoryID>()
        func add(_ path: String) {
            if seen.insert(path).inserted { files.append(path) }
        }
        for argument in arguments {
            var st = stat()
            if stat(argument, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    walk(argument, into: add, visited: &visitedDirectories, problems: &problems)
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
                    } else {
                        add(m)
                    }
                }
                continue
            }
            problems.append(ImagingError(.unreadable, String(cString: strerror(err)), file: argument))
        }
        return Listing(files: files, problems: problems)
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
            } else if (est.st_mode & S_IFMT) == S_IFREG,
                let dot = name.lastIndex(of: "."),
                imageExtensions.contains(name[name.index(after: dot)...].lowercased())
            {
                add(path)
            }
        }
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
