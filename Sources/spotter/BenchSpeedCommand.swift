import ArgumentParser
import SpotterDetection
import SpotterImaging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-speed",
        abstract: "Measure scan throughput against a decode-only pass over the same files, in the same run.",
        discussion: """
            Runs an untimed warm-up decode, then alternates decode-only and full-scan passes (--rounds times each) \
            and reports the median of each. With a patch CNN on (a profile that enables it, or --patch-cnn), also times the patch CNN of the frames' family \
            (the one with the most patches when thermal and RGB frames are mixed) on 1,000 patches cut from the frames' best \
            candidates (as a scan cuts them), against the mean decode time per frame. Use a release build: \
            swift run -c release spotter bench-speed …
            """)

    @Argument(help: "Frames: files, folders or glob patterns.")
    var paths: [String]

    @OptionGroup var scan: ScanArguments

    @Option(help: "Worker threads for both passes.")
    var threads: Int = 1

    @Option(help: "Timed rounds of each pass; the median is reported.")
    var rounds: Int = 3

    @Option(help: "Scan the file list this many times per pass (to check that memory does not grow with frames).")
    var `repeat`: Int = 1

    @Option(help: "table or json.")
    var format: BenchFormat = .table

    enum BenchFormat: String, ExpressibleByArgument { case table, json }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let listing = FrameSource.enumerate(paths)
        for p in listing.problems { writeStderr("spotter: \(p.description)\n") }
        guard !listing.files.isEmpty else {
            writeStderr("spotter: no frames to measure\n")
            throw ExitCode(2)
        }
        let files = Array([[String]](repeating: listing.files, count: `repeat`).joined())
        let options = try scan.options(notes: { writeStderr("spotter: \($0)\n") })
        let batch = BatchScanner(options: options, threads: threads)

        func pass(_ mode: BatchScanner.Mode) -> (seconds: Double, megapixels: Double, failed: Int, detections: Int) {
            let box = PassTotals()
            let start = monotonicSeconds()
            batch.run(files: files, mode: mode, onResult: { _, r in box.add(r) })
            return (monotonicSeconds() - start, box.megapixels, box.failed, box.detections)
        }
        _ = pass(.decodeOnly)  // warm the page cache and the allocator
        var decode: [Double] = [], full: [Double] = []
        var megapixels = 0.0, failed = 0, detections = 0
        for _ in 0..<rounds {
            let d = pass(.decodeOnly)
            let s = pass(.scan)
            decode.append(d.seconds)
            full.append(s.seconds)
            megapixels = s.megapixels
            failed = s.failed
            detections = s.detections
        }
        let dt = median(decode), st = median(full)
        let decodeRate = megapixels / dt, scanRate = megapixels / st
        let frames = Double(files.count)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let rssMB = Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
        let cnn = scan.patchCnn != false ? PatchCNNTiming.measure(options: options, files: listing.files, rounds: max(5, rounds)) : nil
        let decodeMS = dt * 1000 / frames
        switch format {
        case .table:
            print("frames \(files.count) (\(ScanOutput.fixed(megapixels, 1)) MP), threads \(threads), scale 1/\(scan.scale), profile \(scan.profile.rawValue), rounds \(rounds) (median)")
            print("decode-only  \(ScanOutput.fixed(decodeRate, 1)) MP/s  \(ScanOutput.fixed(frames / dt, 2)) frames/s  \(ScanOutput.fixed(dt * 1000 / frames, 1)) ms/frame")
            print("scan         \(ScanOutput.fixed(scanRate, 1)) MP/s  \(ScanOutput.fixed(frames / st, 2)) frames/s  \(ScanOutput.fixed(st * 1000 / frames, 1)) ms/frame")
            print("ratio scan/decode \(ScanOutput.fixed(scanRate / decodeRate, 3))  detections \(detections)  failed \(failed)  peak RSS \(ScanOutput.fixed(rssMB, 1)) MB")
            if let cnn {
                print(cnn.line(decodeMS: decodeMS))
            } else if scan.patchCnn == true {
                print("patch CNN: none (the profile has no patch classifier for these frames)")
            }
        case .json:
            var cnnFields = ""
            if let cnn {
                let ms = cnn.seconds * 1000 * 1000 / Double(cnn.patches)
                cnnFields = ", \"patch_cnn\": \(JSONText.string(cnn.version)), \"patch_cnn_ms_per_1000\": \(JSONText.number(ms)), \"patch_cnn_percent_of_decode\": \(JSONText.number(100 * ms / decodeMS, digits: 2)), \"patch_cnn_us_per_patch\": \(JSONText.number(ms, digits: 3))"
            }
            print("{\"frames\": \(files.count), \"megapixels\": \(JSONText.number(megapixels)), \"threads\": \(threads), \"decode_mp_per_s\": \(JSONText.number(decodeRate)), \"scan_mp_per_s\": \(JSONText.number(scanRate)), \"decode_frames_per_s\": \(JSONText.number(frames / dt)), \"scan_frames_per_s\": \(JSONText.number(frames / st)), \"ratio\": \(JSONText.number(scanRate / decodeRate)), \"detections\": \(detections), \"failed\": \(failed), \"peak_rss_mb\": \(JSONText.number(rssMB, digits: 1))\(cnnFields)}")
        }
        if failed > 0 { throw ExitCode(2) }
    }
}

/// The patch CNN's cost on a batch of real patches: 1,000 patches cut (by a scan with the classifier left out, so
/// every candidate keeps its patch) from the best `patchKeep` candidates of each frame in turn, repeated when the
/// frames have fewer; the classifier then scores the batch `rounds` times on this thread and the median is kept.
private struct PatchCNNTiming {
    static let batch = 1000
    var patches: Int
    var seconds: Double
    /// How many of a frame's candidates the profile has the classifier score.
    var keep: Int
    /// The classifier timed.
    var version: String

    static func measure(options: ScanOptions, files: [String], rounds: Int) -> PatchCNNTiming? {
        // One scan with every classifier left out and every family's patches cut; each frame's patches go to the
        // classifier of its family (RGB patches for RGB frames, 8-bit single-channel ones for thermal frames).
        let families = [\ScanOptions.rgbCandidates, \ScanOptions.thermalCandidates]
        var o = options
        for family in families {
            guard let classifier = options[keyPath: family].patchClassifier else { continue }
            o[keyPath: family].patchClassifier = nil
            o[keyPath: family].patchSide = classifier.patchSide
        }
        let scanner = FrameScanner(options: o)
        var cut: [[[UInt8]]] = [[], []]
        for file in files where cut.allSatisfy({ $0.count < batch }) {
            let (result, candidates, _) = scanner.scanWithCandidates(path: file)
            let k = result.profile == Profile.thermal.rawValue ? 1 : 0
            guard let classifier = options[keyPath: families[k]].patchClassifier else { continue }
            let best = candidates.sorted { $0.score > $1.score }.prefix(max(1, options[keyPath: families[k]].patchKeep))
            cut[k] += best.map(\.patch).filter { $0.count == classifier.patchBytes }
        }
        // The family with the most patches (that of most frames, as a rule).
        let k = cut[1].count > cut[0].count ? 1 : 0
        guard let classifier = options[keyPath: families[k]].patchClassifier, !cut[k].isEmpty else { return nil }
        return time(classifier, on: cut[k], rounds: rounds, keep: options[keyPath: families[k]].patchKeep)
    }

    static func time(_ classifier: PatchClassifier, on cut: [[UInt8]], rounds: Int, keep: Int) -> PatchCNNTiming {
        let patches = (0..<batch).map { cut[$0 % cut.count] }
        _ = classifier.logits(patches)  // warm-up
        var times: [Double] = []
        for _ in 0..<rounds {
            let start = monotonicSeconds()
            let logits = classifier.logits(patches)
            times.append(monotonicSeconds() - start)
            precondition(logits.count == patches.count)
        }
        return PatchCNNTiming(patches: patches.count, seconds: median(times), keep: keep, version: classifier.version)
    }

    func line(decodeMS: Double) -> String {
        let ms = seconds * 1000 * Double(Self.batch) / Double(patches)
        let perFrame = ms * Double(min(keep, Self.batch)) / Double(Self.batch)
        return "patch CNN \(version): \(ScanOutput.fixed(ms, 2)) ms per 1,000 candidates = \(ScanOutput.fixed(100 * ms / decodeMS, 1)) % of the decode time per frame (\(ScanOutput.fixed(ms, 2)) µs per patch); the profile scores the best \(keep) of a frame: \(ScanOutput.fixed(perFrame, 2)) ms = \(ScanOutput.fixed(100 * perFrame / decodeMS, 1)) %"
    }
}

private func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

private final class PassTotals: @unchecked Sendable {
    var megapixels = 0.0
    var failed = 0
    var detections = 0

    func add(_ r: FrameResult) {
        if r.failed { failed += 1 } else { megapixels += r.megapixels }
        detections += r.detections.count
    }
}
