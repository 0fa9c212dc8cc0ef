import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of the `spotter` binary produced.
struct SpotterRun: CustomStringConvertible {
    var arguments: [String]
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// True when the run was killed for taking longer than its time limit.
    var timedOut: Bool

    /// Non-empty stdout lines.
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    /// Non-empty stderr lines.
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// The command and everything it printed, for failure messages.
    var description: String {
        "spotter \(arguments.joined(separator: " "))\n  exit \(exitCode)\(timedOut ? " (timed out)" : "")\n"
            + "  stdout (\(stdout.utf8.count) bytes): \(stdout.prefix(1500))\n"
            + "  stderr (\(stderr.utf8.count) bytes): \(stderr.prefix(1500))"
    }
}

/// Runs the built `spotter` executable as a subprocess, the way a user would (after swift-argument-parser's
/// `AssertExecuteCommand`): stdout and stderr captured separately, stdin empty, exit code checked by the caller.
enum SpotterProcess {
    /// The built executable: `$SPOTTER_BINARY` if set, else `spotter` in the products directory the test bundle was
    /// built into.
    static let executable: String = {
        if let override = ProcessInfo.processInfo.environment["SPOTTER_BINARY"], !override.isEmpty { return override }
        return productsDirectory + "/spotter"
    }()

    /// Where SwiftPM put the test bundle, and so the `spotter` executable next to it.
    ///
    /// On Linux the test bundle is an executable (`<products>/<Package>PackageTests.xctest`) and `Bundle.main` is the
    /// directory holding it; on macOS the `.xctest` is a bundle loaded by a runner, and its parent is the products
    /// directory.
    static let productsDirectory: String = {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent().path
        }
        #endif
        // The running test executable itself, resolved through /proc so a relative argv[0] does not matter.
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            exe.hasSuffix(".xctest")
        {
            return (exe as NSString).deletingLastPathComponent
        }
        return Bundle.main.bundleURL.path
    }()

    /// Records a clear failure (and returns false) when the executable is missing.
    static func executableExists(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            Issue.record(
                """
                The spotter executable was not found at \(executable) (products directory \(productsDirectory)). \
                Build it first (swift build --build-tests), or point SPOTTER_BINARY at it.
                """, sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// Runs `spotter ARGUMENTS` in `directory` (default: the current one) and waits for it, at most `timeLimit`
    /// seconds. Output goes to temporary files rather than pipes, so a large stdout can never deadlock the run.
    ///
    /// `stderr`, when given, replaces the captured stderr file (used to attach a terminal); `SpotterRun.stderr` is
    /// then empty.
    static func run(
        _ arguments: [String], in directory: String? = nil, timeLimit: Double = 60, stderr: FileHandle? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SpotterRun {
        guard executableExists(sourceLocation: sourceLocation) else {
            throw SpotterProcessError(message: "no executable at \(executable)")
        }
        let capture = try CaptureFiles()
        defer { capture.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: capture.stdout))
        let err = try stderr ?? FileHandle(forWritingTo: URL(fileURLWithPath: capture.stderr))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try out.close()
        if stderr == nil { try err.close() }

        // SIGKILL, not Process.terminate(): the child inherits the signal mask of the test's worker thread, which
        // blocks SIGTERM, so a hung spotter would ignore terminate().
        let killed = KillSwitch()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { [process] in
            if process.isRunning {
                killed.fire()
                kill(pid, SIGKILL)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()

        let run = SpotterRun(
            arguments: arguments, exitCode: process.terminationStatus,
            stdout: try capture.read(capture.stdout),
            stderr: stderr == nil ? try capture.read(capture.stderr) : "",
            timedOut: killed.fired)
        if run.timedOut {
            Issue.record("spotter did not finish within \(timeLimit) s: \(run)", sourceLocation: sourceLocation)
        }
        if process.terminationReason == .uncaughtSignal && !run.timedOut {
            Issue.record("spotter was killed by signal \(run.exitCode) (crash?): \(run)", sourceLocation: sourceLocation)
        }
        return run
    }
}

struct SpotterProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Set from the watchdog, read after the process has exited.
private final class KillSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func fire() { lock.withLock { value = true } }
    var fired: Bool { lock.withLock { value } }
}

/// Two empty files that receive the child's stdout and stderr.
private struct CaptureFiles {
    let directory: String
    var stdout: String { directory + "/stdout" }
    var stderr: String { directory + "/stderr" }

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/spotter-cli-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SpotterProcessError(message: "mkdtemp failed")
        }
        directory = String(cString: made)
        for file in [stdout, stderr] {
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw SpotterProcessError(message: "cannot create \(file)")
            }
        }
    }

    func read(_ file: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
