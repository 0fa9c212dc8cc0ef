import ArgumentParser
import Foundation
import SpotterDetection
import SpotterEval
import SpotterImaging

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan a labelled dataset and report recall at 1/5/10 false alarms per frame, AP, best F1, frame AP and throughput.",
        discussion: """
            DATASET_DIR holds labels.json and the frames it names (format: Datasets/README.md). Detections are matched \
            to people with the evaluation protocol of the project's design (IoU ≥ 0.1 or centre within the person's \
            box grown by max(8 px, half its longer side); one-to-one, greedy by score; ignore boxes and repeat hits not \
            counted). Throughput is measured beside a decode-only pass over the same files in the same run.
            """)

    @Argument(help: "Folder with labels.json.")
    var dataset: String

    @OptionGroup var scan: ScanArguments

    @Option(help: "Keep only frames whose meta.NAME is true (e.g. sar_like_le5_persons).")
    var metaFlag: String?

    @Option(help: "A split file (Models/splits/…json) to take frames from; use with --part.")
    var split: String?

    @Option(help: "Which part of --split: train or eval.")
    var part: String?

    @Option(help: "Worker threads.")
    var threads: Int = 1

    @Option(help: "table or json.")
    var format: BenchFormat = .table

    @Option(help: "Also write every candidate's features and label (1 person, 0 not, -1 only in an ignore box) to this CSV.")
    var candidatesCSV: String?

    @Option(help: "With --candidates-csv: also write each candidate's patch (raw bytes, rows in CSV order; RGB, or one 8-bit channel for thermal frames) to PREFIX-candidates.u8, and patches around each labelled person to PREFIX-persons.u8 with PREFIX-persons.csv (training data of the patch classifier).")
    var patches: String?

    @Option(help: "Side of the patches written by --patches.")
    var patchSide: Int = 32

    enum BenchFormat: String, ExpressibleByArgument { case table, json }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if (split == nil) != (part == nil) { throw ValidationError("--split and --part go together") }
        if let part, part != "train" && part != "eval" { throw ValidationError("--part must be train or eval") }
        if patches != nil && candidatesCSV == nil { throw ValidationError("--patches goes with --candidates-csv") }
        guard patchSide >= 8 && patchSide <= 128 else { throw ValidationError("--patch-side must be 8…128") }
    }

    func run() throws {
        var data: LabelledDataset
        do {
            data = try LabelledDataset.load(directory: dataset)
        } catch {
            writeStderr("spotter: \(error)\n")
            throw ExitCode(2)
        }
        if let metaFlag { data = data.filtered(metaFlag: metaFlag) }
        if let split, let part {
            guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: split))) as? [String: Any],
                let side = json[part] as? [String: Any], let files = side["files"] as? [String]
            else {
                writeStderr("spotter: \(split): not a split file with a \(part) part\n")
                throw ExitCode(2)
            }
            data = data.filtered(files: Set(files))
        }
        guard !data.images.isEmpty else {
            writeStderr("spotter: \(dataset): no frames left to evaluate\n")
            throw ExitCode(2)
        }
        var options = try scan.options(notes: { writeStderr("spotter: \($0)\n") })
        options.keepCandidates = candidatesCSV != nil
        if patches != nil {
            // Training data: every candidate keeps its patch, cut during the scan at this side, so the patch CNNs
            // (which would take the patches they score) are left out; their scores are not part of it.
            for family in [\ScanOptions.rgbCandidates, \ScanOptions.thermalCandidates] {
                if let cnn = options[keyPath: family].patchClassifier {
                    writeStderr("spotter: --patches: \(cnn.version) left out (every candidate keeps its patch)\n")
                    options[keyPath: family].patchClassifier = nil
                }
                options[keyPath: family].patchSide = patchSide
            }
        }
        let files = data.images.map(\.path)
        let batch = BatchScanner(options: options, threads: threads)
        let box = BenchResults(count: files.count)

        batch.run(files: files, mode: .decodeOnly, onResult: { _, _ in })  // warm the page cache
        var start = monotonicSeconds()
        batch.run(files: files, mode: .decodeOnly, onResult: { _, _ in })
        let decodeSeconds = monotonicSeconds() - start
        start = monotonicSeconds()
        batch.run(files: files, onResult: { i, r in box.results[i] = r })
        let scanSeconds = monotonicSeconds() - start

        let results = box.results.map { $0! }
        for r in results where r.failed { writeStderr("spotter: \(r.error!.description)\n") }
        let inputs = zip(data.images, results).map { image, r in
            FrameEvaluationInput(image: image, detections: r.detections.map { (Self.evalBox($0.box), $0.score) })
        }
        let report = Evaluation.evaluate(inputs)
        // How many people any candidate reaches (before suppression and the per-frame cap).
        var candidateRecall: Double? = nil
        if options.keepCandidates {
            let candidateInputs = zip(data.images, results).map { image, r in
                FrameEvaluationInput(
                    image: image, detections: (r.candidates ?? []).map { (Self.evalBox($0.box), $0.candidate.score) })
            }
            candidateRecall = Evaluation.evaluate(candidateInputs).maxRecall
            try writeCandidates(data: data, results: results)
            if let patches { try writePatches(prefix: patches, data: data, results: results) }
        }
        let megapixels = results.reduce(0.0) { $0 + ($1.failed ? 0 : $1.megapixels) }
        let failed = results.filter(\.failed).count
        let candidatesPerFrame = results.compactMap { $0.candidates?.count }.reduce(0, +)
        let values: [(String, Double?)] = [
            ("frames", Double(report.frames)), ("persons", Double(report.persons)),
            ("recall_at_1fppi", report.recallAt(fppi: 1)), ("recall_at_5fppi", report.recallAt(fppi: 5)),
            ("recall_at_10fppi", report.recallAt(fppi: 10)), ("ap", report.ap),
            ("best_f1", report.bestF1), ("frame_ap", report.frameAP), ("max_recall", report.maxRecall),
            ("candidate_recall", candidateRecall),
            ("scan_mp_per_s", megapixels / scanSeconds), ("decode_mp_per_s", megapixels / decodeSeconds),
            ("scan_frames_per_s", Double(files.count) / scanSeconds),
            ("decode_frames_per_s", Double(files.count) / decodeSeconds),
            ("failed", Double(failed)),
        ]
        switch format {
        case .json:
            let body = values.map { "\"\($0.0)\": \($0.1.map { JSONText.number($0) } ?? "null")" }.joined(separator: ", ")
            print("{\"dataset\": \(JSONText.string(data.name)), \(body), \"reranker\": \(options.rerankerVersion.map { JSONText.string($0) } ?? "null")}")
        case .table:
            print("dataset \(data.name): \(report.frames) frames, \(report.persons) persons\(metaFlag.map { ", meta.\($0)" } ?? "")\(part.map { ", \($0) part" } ?? ""), threads \(threads)")
            print("recall at 1 / 5 / 10 FPPI   \(f(report.recallAt(fppi: 1))) / \(f(report.recallAt(fppi: 5))) / \(f(report.recallAt(fppi: 10)))")
            print("AP \(f(report.ap))   best F1 \(f(report.bestF1))   frame AP \(f(report.frameAP))   max recall \(f(report.maxRecall))")
            if let candidateRecall {
                print("candidates: \(candidatesPerFrame / max(1, results.count)) per frame, reaching \(f(candidateRecall)) of the persons")
            }
            print("scan \(f(megapixels / scanSeconds, 1)) MP/s (\(f(Double(files.count) / scanSeconds, 1)) frames/s)   decode-only \(f(megapixels / decodeSeconds, 1)) MP/s   ratio \(f(decodeSeconds / scanSeconds))")
            print("re-ranker: \(options.rerankerVersion ?? "none")\(failed > 0 ? "   failed frames: \(failed)" : "")")
        }
        if failed > 0 { throw ExitCode(2) }
    }

    private func f(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v, v.isFinite else { return "n/a" }
        return ScanOutput.fixed(v, digits)
    }

    static func evalBox(_ b: Box) -> EvalBox {
        EvalBox(x: Double(b.x), y: Double(b.y), width: Double(b.width), height: Double(b.height))
    }

    private func writeCandidates(data: LabelledDataset, results: [FrameResult]) throws {
        guard let candidatesCSV else { return }
        let names = results.first { $0.profile == "thermal" } != nil ? ThermalFeatures.names : ColourFeatures.names
        var text = "file,frame_width,frame_height,kind,x,y,w,h,score,label," + names.joined(separator: ",") + "\n"
        for (image, r) in zip(data.images, results) {
            for (box, c) in r.candidates ?? [] {
                let e = Self.evalBox(box)
                let label = image.persons.contains { Evaluation.hits(e, $0) } ? 1
                    : image.ignore.contains { $0.contains(x: e.centreX, y: e.centreY) } ? -1 : 0
                text += "\(ScanOutput.csvField(image.file)),\(r.width),\(r.height),\(c.kind.rawValue),\(box.x),\(box.y),\(box.width),\(box.height),\(c.score),\(label),"
                text += c.features.map { JSONText.number(Double($0), digits: 5) }.joined(separator: ",") + "\n"
            }
        }
        do {
            try writeAll(Array(text.utf8), to: candidatesCSV)
        } catch {
            writeStderr("spotter: \(error)\n")
            throw ExitCode(1)
        }
    }
}

extension Bench {
    /// Candidate patches in CSV order, and patches centred on each labelled person (from a whole decode): RGB for
    /// colour frames, one 8-bit channel for thermal ones, cut as the scan cuts them. One file holds one kind: a
    /// dataset mixing RGB and thermal frames, or a 16-bit thermal frame, is refused with the file named.
    func writePatches(prefix: String, data: LabelledDataset, results: [FrameResult]) throws {
        let thermal = results.first { !$0.failed }?.profile == Profile.thermal.rawValue
        let channels = thermal ? 1 : 3
        let patchBytes = patchSide * patchSide * channels
        var candidateBytes: [UInt8] = []
        for r in results {
            if !r.failed && (r.profile == Profile.thermal.rawValue) != thermal {
                writeStderr("spotter: \(r.file): a \(r.profile ?? "?") frame among \(thermal ? "thermal" : "RGB") ones; --patches writes one kind per run\n")
                throw ExitCode(2)
            }
            for (_, c) in r.candidates ?? [] {
                if c.patch.isEmpty {
                    candidateBytes += [UInt8](repeating: 0, count: patchBytes)
                } else if c.patch.count != patchBytes {
                    writeStderr("spotter: \(r.file): 16-bit thermal frame; --patches writes 8-bit patches only\n")
                    throw ExitCode(2)
                } else {
                    candidateBytes += c.patch
                }
            }
        }
        var personBytes: [UInt8] = []
        var personCSV = "file,x,y,w,h\n"
        for image in data.images where !image.persons.isEmpty {
            guard let decoded = try? Image.decode(path: image.path, options: DecodeOptions(colour: thermal ? .gray : .rgbx)),
                decoded.channels == (thermal ? 1 : 4)
            else { continue }
            if decoded.bytesPerSample != 1 {
                writeStderr("spotter: \(image.path): 16-bit thermal frame; --patches writes 8-bit patches only\n")
                throw ExitCode(2)
            }
            decoded.pixels.withUnsafeBytes { raw in
                for p in image.persons {
                    if thermal {
                        personBytes += PatchSampler.grayPatch(
                            side: patchSide, cx: Int(p.centreX), cy: Int(p.centreY), width: decoded.width, bytesPerSample: 1,
                            rows: 0..<decoded.height, row: { raw.baseAddress! + $0 * decoded.width })
                    } else {
                        let base = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
                        personBytes += PatchSampler.patch(
                            side: patchSide, cx: Int(p.centreX), cy: Int(p.centreY), width: decoded.width,
                            rows: 0..<decoded.height, row: { UnsafePointer(base + $0 * decoded.width) })
                    }
                    personCSV += "\(ScanOutput.csvField(image.file)),\(p.x),\(p.y),\(p.width),\(p.height)\n"
                }
            }
        }
        do {
            try writeAll(candidateBytes, to: prefix + "-candidates.u8")
            try writeAll(personBytes, to: prefix + "-persons.u8")
            try writeAll(Array(personCSV.utf8), to: prefix + "-persons.csv")
        } catch {
            writeStderr("spotter: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Results slotted by frame index (the batch calls back one at a time).
private final class BenchResults: @unchecked Sendable {
    var results: [FrameResult?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
}

extension ScanOptions {
    /// The versions of the re-rankers in use, for reports.
    var rerankerVersion: String? {
        let v = [
            rgbCandidates.reranker?.version, rgbCandidates.patchClassifier?.version, thermalCandidates.reranker?.version,
            thermalCandidates.patchClassifier?.version,
        ]
            .compactMap { $0 }
        return v.isEmpty ? nil : v.joined(separator: ", ")
    }
}
