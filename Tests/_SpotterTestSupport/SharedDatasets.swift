#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the shared real-camera datasets live, and what their `labels.json` files say.
///
/// The folder is `<package root>/../shared/datasets`, found from this file's `#filePath`; the environment variable
/// `SPOTTER_SHARED_DATASETS` overrides it.
public enum SharedDatasets {
    /// Absolute path of the datasets folder (no trailing slash).
    public static let root: String = {
        if let override = getenv("SPOTTER_SHARED_DATASETS"), override.pointee != 0 {
            let path = String(cString: override)
            return path.hasSuffix("/") ? String(path.dropLast()) : path
        }
        return packageRoot + "/../shared/datasets"
    }()

    /// The package root: two folders above this file (`<root>/Tests/_SpotterTestSupport/SharedDatasets.swift`).
    public static let packageRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// True when the datasets folder exists (tests that read it are disabled otherwise, and one test says why).
    public static var isAvailable: Bool { isDirectory(root) }

    /// `root/relative`.
    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// Regular files under `folder` (relative to `root`) whose extension is in `extensions` (compared
    /// case-sensitively, so pass every spelling you want), sorted by path. Hidden entries are skipped.
    public static func files(in folder: String, extensions: Set<String>, recursive: Bool = true) -> [String] {
        var out: [String] = []
        collect(path(folder), extensions: extensions, recursive: recursive, into: &out)
        return out.sorted()
    }

    private static func collect(_ dir: String, extensions: Set<String>, recursive: Bool, into out: inout [String]) {
        guard let handle = opendir(dir) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            let full = dir + "/" + name
            if isDirectory(full) {
                if recursive { collect(full, extensions: extensions, recursive: true, into: &out) }
            } else if let dot = name.lastIndex(of: "."), extensions.contains(String(name[name.index(after: dot)...])) {
                out.append(full)
            }
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// One dataset's `labels.json`, reduced to what the imaging tests need.
    public struct Labels: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            /// Relative to the dataset folder, e.g. `images/NAME.jpg`.
            public var file: String
            public var width: Int
            public var height: Int
        }
        public var dataset: String?
        public var images: [Entry]
    }

    /// Parses `<dataset>/labels.json`.
    public static func labels(_ dataset: String) throws -> Labels {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(dataset + "/labels.json")))
        return try JSONDecoder().decode(Labels.self, from: data)
    }
}
