import Dispatch
import SpotterImaging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a batch stands, for progress displays.
public struct BatchProgress: Sendable {
    public var done: Int
    public var failed: Int
    public var total: Int
    /// Megapixels of the frames done (source resolution).
    public var megapixels: Double
    /// Seconds since the batch started.
    public var elapsed: Double

    public var framesPerSecond: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
    public var megapixelsPerSecond: Double { elapsed > 0 ? megapixels / elapsed : 0 }
    /// Estimated seconds left, from the rate so far (nil before the first frame).
    public var remaining: Double? { done > 0 ? elapsed / Double(done) * Double(total - done) : nil }
}

/// Runs frames through `FrameScanner`s in parallel: one scanner per worker thread, workers take the next frame
/// when they finish one (so at most `threads` frames are in memory at once), and results are handed back in input
/// order, one at a time.
public struct BatchScanner: Sendable {
    public enum Mode: Sendable {
        /// Decode and detect.
        case scan
        /// Decode only, through the same decoder settings (the throughput floor).
        case decodeOnly
    }

    public var options: ScanOptions
    public var threads: Int

    public init(options: ScanOptions, threads: Int) {
        self.options = options
        self.threads = max(1, threads)
    }

    /// Scans `files`. `onResult` is called for every frame in input order; `onProgress` after every frame. Both are
    /// called one at a time (never concurrently), from worker threads.
    public func run(
        files: [String], mode: Mode = .scan, onResult: @escaping (Int, FrameResult) -> Void,
        onProgress: @escaping (BatchProgress) -> Void = { _ in }
    ) {
        let state = Mutex(State(total: files.count, start: monotonicSeconds()))
        let sink = UncheckedSink(onResult: onResult, onProgress: onProgress)
        let options = self.options
        DispatchQueue.concurrentPerform(iterations: min(threads, max(1, files.count))) { _ in
            let scanner = FrameScanner(options: options)
            while true {
                let index = state.withLock { s -> Int in
                    defer { s.next += 1 }
                    return s.next
                }
                if index >= files.count { break }
                let result = mode == .scan ? scanner.scan(path: files[index]) : scanner.decodeOnly(path: files[index])
                state.withLock { s in
                    s.pending[index] = result
                    s.done += 1
                    if result.failed { s.failed += 1 } else { s.megapixels += result.megapixels }
                    while let r = s.pending.removeValue(forKey: s.emitted) {
                        sink.onResult(s.emitted, r)
                        s.emitted += 1
                    }
                    sink.onProgress(
                        BatchProgress(
                            done: s.done, failed: s.failed, total: s.total, megapixels: s.megapixels,
                            elapsed: monotonicSeconds() - s.start))
                }
            }
        }
    }

    private struct State: Sendable {
        var total: Int
        var start: Double
        var next = 0
        var emitted = 0
        var done = 0
        var failed = 0
        var megapixels = 0.0
        var pending: [Int: FrameResult] = [:]
    }

    /// The callbacks are only ever called under the batch's lock, one at a time.
    private struct UncheckedSink: @unchecked Sendable {
        var onResult: (Int, FrameResult) -> Void
        var onProgress: (BatchProgress) -> Void
    }
}

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
