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

/// A fresh folder under the system temporary directory, removed with everything in it when the body returns.
/// Tests write files only here.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Runs `body` with a new temporary folder, then removes the folder.
    public static func with<R>(_ body: (TemporaryDirectory) throws -> R) throws -> R {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        return try body(dir)
    }

    init() throws {
        let base = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp").trimmingSuffix("/")
        var template = Array((base + "/spotter-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw TemporaryDirectoryError(message: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/relative`.
    public func url(_ relative: String) -> String { path + "/" + relative }

    /// Writes `bytes` to `relative` (creating parent folders) and returns the full path.
    @discardableResult
    public func write(_ bytes: [UInt8], to relative: String) throws -> String {
        let full = url(relative)
        let parent = String(full[..<full.lastIndex(of: "/")!])
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Creates the folder `relative` (and its parents) and returns the full path.
    @discardableResult
    public func makeDirectory(_ relative: String) throws -> String {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}

public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.count > 1 && s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
