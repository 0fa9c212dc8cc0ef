import Foundation
import SpotterKernelsAVX2
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Single-channel ("gray", thermal) patch CNNs: the thermal profile's model (`Models/patch-cnn/thermal-cnn.json`,
/// written by `train_thermal_cnn.py --final`: 48-px patches, 2 views, 2 → 12 → 16 → 24 channels) with PyTorch's
/// logits on its fixture patches (synthetic gradients and blobs, no dataset pixels), saved at training time.
@Suite struct PatchClassifierGrayTests {
    static let fixtures = SharedDatasets.packageRoot + "/Tests/SpotterDetectionTests/Fixtures"
    static let header = SharedDatasets.packageRoot + "/Models/patch-cnn/thermal-cnn.json"

    static func load() throws -> (PatchClassifier, PatchClassifierTests.Fixture) {
        let model = try PatchClassifier(path: header, sha256: PatchClassifierTests.sha256)
        let url = URL(fileURLWithPath: fixtures + "/thermal-cnn-fixture.json")
        return (model, try JSONDecoder().decode(PatchClassifierTests.Fixture.self, from: Data(contentsOf: url)))
    }

    /// Every path this CPU runs, the reference included.
    static let paths: [PatchCNNPlan.Path] = [.reference] + PatchClassifierPathTests.paths

    @Test func headerSaysGray() throws {
        let (model, fixture) = try Self.load()
        #expect(model.channels == 1 && model.views == 2 && model.patchSide == 48 && model.cropSide == 24)
        #expect(model.patchBytes == 48 * 48)
        #expect(fixture.patches_u8.count == 16)
        #expect(fixture.patches_u8.allSatisfy { $0.count == 48 * 48 })
        let (rgb, _) = try PatchClassifierTests.load()
        #expect(rgb.channels == 3 && rgb.patchBytes == 3 * rgb.patchSide * rgb.patchSide)
    }

    /// Each path gives PyTorch's logits on the fixture's patches.
    @Test(arguments: paths)
    func pathMatchesPyTorch(path: PatchCNNPlan.Path) throws {
        let (model, fixture) = try Self.load()
        let batch = model.logits(fixture.patches_u8, path: path)
        #expect(batch.count == fixture.logits.count)
        for i in fixture.patches_u8.indices {
            #expect(abs(batch[i] - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "\(path), patch \(i): \(batch[i]) vs \(fixture.logits[i])")
        }
    }

    /// Batches that are not a whole number of passes (4 or 8 lanes), starting anywhere in the fixture, give each
    /// patch PyTorch's logit (the spare lanes of a short pass do not leak into the results).
    @Test(arguments: paths, [1, 3, 5, 7, 9, 11, 13, 15])
    func shortBatchesMatchPyTorch(path: PatchCNNPlan.Path, count: Int) throws {
        let (model, fixture) = try Self.load()
        let order = (0..<count).map { (3 * $0 + count) % fixture.patches_u8.count }
        let batch = model.logits(order.map { fixture.patches_u8[$0] }, path: path)
        #expect(batch.count == count)
        for (k, i) in order.enumerated() {
            #expect(abs(batch[k] - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "\(path), \(count) patches, patch \(i)")
        }
    }

    /// The public entry point (whichever path it picks) agrees too.
    @Test func defaultPathMatchesPyTorch() throws {
        let (model, fixture) = try Self.load()
        let batch = model.logits(Array(fixture.patches_u8.prefix(13)))
        for i in batch.indices {
            #expect(abs(batch[i] - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "patch \(i)")
        }
    }

    /// Only "RGB" (or no key) and "gray" are implemented: another channel layout is refused, naming the file and the
    /// value, rather than read as RGB.
    @Test(arguments: ["CMYK", "grey", "rgb", ""])
    func unknownChannelsAreRefused(value: String) throws {
        try TemporaryDirectory.with { dir in
            let text = try String(contentsOfFile: Self.header, encoding: .utf8)
            #expect(text.contains(#""channels": "gray""#))
            let edited = text.replacingOccurrences(of: #""channels": "gray""#, with: #""channels": "\#(value)""#)
            let weights = try Data(contentsOf: URL(fileURLWithPath: SharedDatasets.packageRoot + "/Models/patch-cnn/thermal-cnn.f32"))
            try dir.write(Array(weights), to: "thermal-cnn.f32")
            let path = try dir.write(Array(edited.utf8), to: "m.json")
            do {
                _ = try PatchClassifier(path: path, sha256: PatchClassifierTests.sha256)
                Issue.record("input channels \"\(value)\" were accepted")
            } catch {
                let text = String(describing: error)
                #expect(text.hasPrefix(path + ": ") && text.contains(#"input channels "\#(value)""#), "\(text)")
            }
        }
    }

    /// A gray header whose first layer expects RGB's input channels (3 per view) is inconsistent and refused.
    @Test func firstLayerMustTakeOneChannelPerView() throws {
        try TemporaryDirectory.with { dir in
            var shape = PatchClassifierShapeTests.shapes[8]
            #expect(shape.channelsKey == "gray")
            shape.channelsKey = nil  // written for 3 · 2 input channels
            var json = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: try PatchClassifierShapeTests.write(shape, in: dir, seed: 5))))
                as! [String: Any]
            var input = json["input"] as! [String: Any]
            input["channels"] = "gray"
            json["input"] = input
            let path = try dir.write(Array(try JSONSerialization.data(withJSONObject: json)), to: "synthetic.json")
            do {
                _ = try PatchClassifier(path: path, sha256: PatchClassifierTests.sha256)
                Issue.record("a gray model with 6 input channels was accepted")
            } catch {
                #expect(String(describing: error).contains("layer 0: unsupported or inconsistent convolution"), "\(error)")
            }
        }
    }

    /// The single-channel sums (baseline and AVX2 builds) are the exact sums of samples and of squares, on lengths that
    /// hit the vector tails and the 32-bit flush every 65,536 samples, with all-255 samples (the largest squares).
    @Test(arguments: [0, 1, 15, 16, 17, 31, 33, 63, 65, 2_304, 65_535, 65_536, 65_537, 200_001])
    func graySumsAreExact(count: Int) {
        var rng = SplitMix64(seed: UInt64(count) + 11)
        for bytes in [rng.bytes(count), [UInt8](repeating: 255, count: count)] {
            let sum = bytes.reduce(UInt64(0)) { $0 + UInt64($1) }
            let squares = bytes.reduce(UInt64(0)) { $0 + UInt64($1) * UInt64($1) }
            bytes.withUnsafeBufferPointer { b in
                let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                let baseline = PatchClassifier.grayPatchSums(p, count: count)
                #expect(baseline.sum == sum && baseline.squares == squares, "\(count) samples")
                if PatchCNNPlan.cpuHasAVX2 {
                    let avx2 = PatchCNNKernelsAVX2.grayPatchSums(p, count: count)
                    #expect(avx2.sum == sum && avx2.squares == squares, "\(count) samples, AVX2")
                }
            }
        }
    }
}
