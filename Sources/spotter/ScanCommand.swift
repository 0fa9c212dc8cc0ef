import ArgumentParser
import SpotterDetection
import SpotterImaging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, jsonl, csv
}

extension Profile: ExpressibleByArgument {}

/// Options shared by the commands that scan frames.
struct ScanArguments: ParsableArguments {
    @Option(help: "Detector set: auto (thermal for one channel, or three equal ones up to 1,280 px), rgb or thermal.")
    var profile: Profile = .auto

    @Option(help: "Decode at 1/N resolution (JPEG DCT scaling): 1, 2, 4 or 8. Boxes stay in full-resolution pixels.")
    var scale: Int = 1

    @Option(help: "Refuse frames larger than this many megapixels (protects against decompression bombs).")
    var maxMegapixels: Double = Double(DecodeOptions.defaultMaxPixels) / 1e6

    @Option(help: "Folder of detector profiles and re-rankers (default: SPOTTER_MODELS, else the package's Models/).")
    var models: String?

    @Flag(help: "Rank candidates by their detector's own strength instead of the learned re-ranker.")
    var noRerank = false

    @Flag(inversion: .prefixedNo, help: "Score candidates with the profile's patch CNN besides the re-ranker, or not (default: as the profile says: on for thermal frames of 8 bits, off for RGB).")
    var patchCnn: Bool? = nil

    func validate() throws {
        guard [1, 2, 4, 8].contains(scale) else { throw ValidationError("--scale must be 1, 2, 4 or 8 (got \(scale))") }
        guard maxMegapixels > 0 else { throw ValidationError("--max-megapixels must be positive") }
    }

    /// Scan options from the profiles in Models/ and the command line; notes go to stderr.
    func options(notes: (String) -> Void) throws -> ScanOptions {
        var o = ScanOptions()
        o.profile = profile
        do {
            for n in try ModelLibrary.configure(&o, models: models, rerank: !noRerank, patchCNN: patchCnn) { notes(n) }
        } catch {
            writeStderr("spotter: \(error)\n")
            throw ExitCode(1)
        }
        o.scale = scale
        o.maxPixels = Int(maxMegapixels * 1e6)
        return o
    }
}

/// Cores this process may use: its CPU affinity (which `taskset` and containers narrow) and the cgroup CPU quota,
/// else the online count.
func defaultThreads() -> Int {
    var cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    if let status = readSmallFile("/proc/self/status"),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
    {
        let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
        let allowed = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
        if allowed > 0 { cores = min(cores, allowed) }
    }
    if let quota = readSmallFile("/sys/fs/cgroup/cpu.max")?.split(separator: " "), quota.count == 2,
        let limit = Double(quota[0]), let period = Double(quota[1].filter { !$0.isWhitespace }), period > 0
    {
        cores = min(cores, max(1, Int((limit / period).rounded(.up))))
    }
    return cores
}

private func readSmallFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes += buffer[0..<n]
        if bytes.count > 1 << 16 { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank the places in drone frames where a person might be.",
        discussion: """
            PATH may be a file, a folder (searched recursively for .jpg, .jpeg and .png; hidden files skipped) or a \
            quoted glob pattern. Results go to stdout; progress and one line per failed frame go to stderr. \
            Exit code 2 when any frame failed (the rest are still reported), 64 for usage errors.
            """)

    @Argument(help: "Frames: files, folders or glob patterns.")
    var paths: [String]

    @OptionGroup var scan: ScanArguments

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Show the K best detections across all frames (table and csv; default 20 for table, all for csv).")
    var top: Int?

    @Option(help: "table (ranked), jsonl (one object per frame, in input order) or csv (ranked).")
    var format: OutputFormat = .table

    @Flag(help: "No progress and no notes on stderr (errors are still printed).")
    var quiet = false

    @OptionGroup(title: "Mission store") var store: ScanStoreArguments

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file, folder or pattern to scan") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if let top, top < 1 { throw ValidationError("--top must be at least 1 (got \(top))") }
    }

    func run() throws {
        let console = Console(quiet: quiet)
        let listing = FrameSource.enumerate(paths)
        // With a store: frames already recorded (same content, same profile) are left out.
        let recorder = try StoreRecorder.open(store, profile: scan.storeProfile)
        defer { recorder?.close() }
        let entries = try recorder?.pending(listing.entries, threads: threads ?? defaultThreads()) ?? listing.entries
        let files = entries.compactMap { if case .file(let f) = $0 { f } else { nil } }
        // Arguments that named no frame are failed frames too, reported in their place among the frames:
        // `pending[k]` goes out just before file number `before`.
        var pending: [(before: Int, result: FrameResult)] = []
        var fileCount = 0
        for entry in entries {
            switch entry {
            case .file: fileCount += 1
            case .problem(let p): pending.append((fileCount, FrameResult(file: p.file ?? "", error: p)))
            }
        }
        let format = self.format
        let collected = ResultsBox()
        func emit(_ result: FrameResult) {
            recorder?.record(result)
            if let error = result.error {
                console.error(error.description)
            } else {
                for d in result.diagnostics { console.note("warning: \(result.file): \(d)") }
            }
            if format == .jsonl {
                console.out(ScanOutput.jsonLine(result))
                collected.summarise(result)
            } else {
                collected.append(result)
            }
        }
        var next = 0
        func flushProblems(upTo index: Int) {
            while next < pending.count && pending[next].before <= index {
                emit(pending[next].result)
                next += 1
            }
        }
        let batch = BatchScanner(options: try scan.options(notes: { console.note($0) }), threads: threads ?? defaultThreads())
        batch.run(
            files: files,
            onResult: { index, result in
                flushProblems(upTo: index)
                emit(result)
            },
            onProgress: { console.progress($0) })
        flushProblems(upTo: Int.max)
        let results = collected.results
        let failures = collected.failed
        switch format {
        case .jsonl:
            break
        case .table:
            let ranked = ScanOutput.ranked(results)
            let shown = Array(ranked.prefix(top ?? 20))
            console.out(ScanOutput.table(shown))
            let frames = results.count
            console.note(
                "\(frames) frame\(frames == 1 ? "" : "s"), \(failures) failed, \(ranked.count) detection\(ranked.count == 1 ? "" : "s")"
                    + (shown.count < ranked.count ? " (best \(shown.count) shown; --top K for more)" : ""))
        case .csv:
            let ranked = ScanOutput.ranked(results)
            console.out(ScanOutput.csvHeader)
            for r in ranked.prefix(top ?? ranked.count) { console.out(ScanOutput.csvRow(r)) }
            for r in results where r.failed { console.out(ScanOutput.csvFailure(r)) }
        }
        if let recorder {
            recorder.finish()
            console.note(recorder.summary)
            if recorder.failure != nil { throw ExitCode(1) }
        }
        if failures > 0 { throw ExitCode(2) }
    }
}

/// Results gathered from the batch's callbacks (which are serialised by the batch).
final class ResultsBox: @unchecked Sendable {
    private(set) var results: [FrameResult] = []
    private(set) var failed = 0

    func append(_ r: FrameResult) {
        if r.failed { failed += 1 }
        results.append(r)
    }

    /// Counts without keeping the result (JSONL streams them out).
    func summarise(_ r: FrameResult) {
        if r.failed { failed += 1 }
    }
}
