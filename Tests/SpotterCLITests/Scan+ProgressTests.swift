import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress goes to stderr: plain lines when stderr is not a terminal, redrawn in place on a terminal, nothing with
/// --quiet. Stdout carries only results.
@Suite(.needsDatasets)
struct ScanProgressTests {
    @Test(arguments: ["table", "jsonl", "csv"])
    func quietSuccessLeavesStderrEmpty(format: String) throws {
        let run = try SpotterProcess.run(["scan"] + CLIInputs.thermal(3) + ["--format", format, "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stderr.isEmpty, "\(run)")
        #expect(!run.stdout.isEmpty)
    }

    @Test func plainProgressLinesWhenStderrIsAFile() throws {
        let frames = CLIInputs.thermal(4)
        let run = try SpotterProcess.run(["scan"] + frames + ["--format", "jsonl"])
        #expect(run.exitCode == 0, "\(run)")
        let progress = run.stderrLines.filter { $0.contains("frames/s") }
        #expect(!progress.isEmpty, "\(run)")
        #expect(progress.contains(where: { $0.contains("[4/4]") && $0.contains("MP/s") }), "a final [n/n] line: \(run)")
        for line in progress { #expect(line.hasPrefix("spotter: ["), "\(line)") }
        #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"), "no redrawing when piped: \(run)")
        #expect(!run.stdout.contains("frames/s"), "progress never on stdout")
        #expect(run.stdoutLines.count == frames.count)
    }

    /// On a terminal the progress line is redrawn in place (carriage return, erase line) and ends with a newline.
    @Test func redrawnProgressOnATerminal() throws {
        let terminal = try PseudoTerminal()
        let run = try SpotterProcess.run(
            ["scan"] + CLIInputs.thermal(4) + ["--format", "jsonl"], stderr: terminal.childSide)
        let seen = terminal.drain()
        #expect(run.exitCode == 0, "\(run)")
        #expect(seen.contains("\r\u{1B}[K["), "progress redrawn in place: \(seen.debugDescription)")
        #expect(seen.contains("[4/4]") && seen.contains("frames/s") && seen.contains("MP/s"), "\(seen.debugDescription)")
        #expect(!seen.contains("spotter: ["), "no plain progress lines on a terminal: \(seen.debugDescription)")
        #expect(!run.stdout.contains("\u{1B}"), "stdout (a file) gets no escape sequences")
    }

    /// --quiet silences progress on a terminal too.
    @Test func quietOnATerminal() throws {
        let terminal = try PseudoTerminal()
        let run = try SpotterProcess.run(
            ["scan"] + CLIInputs.thermal(2) + ["--format", "jsonl", "--quiet"], stderr: terminal.childSide)
        #expect(run.exitCode == 0, "\(run)")
        #expect(terminal.drain().isEmpty)
    }
}

/// A pseudo-terminal whose slave end becomes the child's stderr, so `isatty(2)` is true in the child.
final class PseudoTerminal {
    let master: Int32
    let childSide: FileHandle

    init() throws {
        // posix_openpt and friends are not visible through the Glibc module (they need _XOPEN_SOURCE), so they are
        // looked up at run time.
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias OnFD = @convention(c) (Int32) -> Int32
        typealias PTSName = @convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let p = dlsym(dlopen(nil, RTLD_NOW), name) else {
                throw SpotterProcessError(message: "\(name) is not available")
            }
            return unsafeBitCast(p, to: type)
        }
        let openpt = try symbol("posix_openpt", as: OpenPT.self)
        let grantpt = try symbol("grantpt", as: OnFD.self), unlockpt = try symbol("unlockpt", as: OnFD.self)
        let ptsname = try symbol("ptsname_r", as: PTSName.self)
        master = openpt(O_RDWR | O_NOCTTY)
        var name = [CChar](repeating: 0, count: 128)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, ptsname(master, &name, name.count) == 0 else {
            throw SpotterProcessError(message: "no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw SpotterProcessError(message: "cannot open \(path)") }
        childSide = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        // Fixed-up line endings would hide the sequences under test: turn output processing off.
        var mode = termios()
        tcgetattr(slave, &mode)
        mode.c_oflag &= ~tcflag_t(OPOST)
        tcsetattr(slave, TCSANOW, &mode)
    }

    /// Everything the child wrote, once it has exited (closes our copy of the slave end so the read ends).
    func drain() -> String {
        try? childSide.close()
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }  // EIO once no slave descriptor is open
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit { close(master) }
}
