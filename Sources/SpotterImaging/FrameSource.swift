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
    /// folders followed once), and a pattern with `*`, `?` or `[` that names no file is expanded with glob(3), keeping
    /// the image files it matches (like a folder walk). The same file reached twice (by two spellings or links) is
    /// scanned once, under the first name it was reached by.
    public static func enumerate(_ arguments: [String]) -> Listing {
        var files: [String] = []
        var problems: [ImagingError] = []
        var seen = Set<String>()
        var visitedDirectories = Set<DirectoryID>()
        func add(_ path: String) {
            if seen.insert(canonicalPath(path)).inserted { files.append(path) }
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
                var images = 0
                for m in matches {
                    var mst = stat()
                    if stat(m, &mst) == 0 && (mst.st_mode & S_IFMT) == S_IFDIR {
                        walk(m, into: add, visited: &visitedDirectories, problems: &problems)
                        images += 1
                    } else if hasImageExtension(m) {
                        add(m)
                        images += 1
                    }
                }
                if !matches.isEmpty && images == 0 {
                    problems.append(ImagingError(.unreadable, "no .jpg, .jpeg or .png files match this pattern", file: argument))
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
