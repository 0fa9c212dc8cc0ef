import SpotterDetection

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes results to stdout and diagnostics/progress to stderr; redraws progress in place only on a terminal.
final class Console {
    let quiet: Bool
    let isTTY: Bool
    private var progressShown = false
    private var lastProgress = -Double.infinity
    private let progressInterval: Double

    init(quiet: Bool) {
        self.quiet = quiet
        isTTY = isatty(2) == 1
        progressInterval = isTTY ? 0.1 : 5
    }

    func out(_ line: String) {
        print(line)
    }

    /// A diagnostic line on stderr (never suppressed for errors).
    func error(_ line: String) {
        clearProgress()
        writeStderr("spotter: " + line + "\n")
    }

    func note(_ line: String) {
        guard !quiet else { return }
        clearProgress()
        writeStderr("spotter: " + line + "\n")
    }

    func progress(_ p: BatchProgress, final: Bool = false) {
        guard !quiet else { return }
        let now = monotonicSeconds()
        if !final && now - lastProgress < progressInterval && p.done < p.total { return }
        lastProgress = now
        var text = "[\(p.done)/\(p.total)] \(ScanOutput.fixed(p.framesPerSecond, 1)) frames/s, \(ScanOutput.fixed(p.megapixelsPerSecond, 1)) MP/s"
        if p.failed > 0 { text += ", \(p.failed) failed" }
        if p.done < p.total, let eta = p.remaining { text += ", ETA \(Self.duration(eta))" }
        if isTTY {
            writeStderr("\r\u{1B}[K" + text)
            progressShown = true
            if final || p.done == p.total { writeStderr("\n"); progressShown = false }
        } else if final || p.done == p.total || now - lastProgress >= 0 {
            writeStderr("spotter: " + text + "\n")
        }
    }

    private func clearProgress() {
        if progressShown {
            writeStderr("\r\u{1B}[K")
            progressShown = false
        }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m\(t % 60 < 10 ? "0" : "")\(t % 60)s" }
        return "\(t / 3600)h\(t / 60 % 60 < 10 ? "0" : "")\(t / 60 % 60)m"
    }
}

/// Writes straight to file descriptor 2 (unbuffered, safe from any thread).
func writeStderr(_ text: String) {
    var t = text
    t.withUTF8 { p in
        var off = 0
        while off < p.count {
            let n = write(2, p.baseAddress! + off, p.count - off)
            if n <= 0 { break }
            off += n
        }
    }
}
