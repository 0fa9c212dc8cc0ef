import Crypto
import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

@Suite struct PatchClassifierTests {
    static let header = SharedDatasets.packageRoot + "/Models/patch-cnn/rgb-coast-cnn.json"

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    struct Fixture: Decodable {
        var patches_u8: [[UInt8]]
        var logits: [Float]
    }

    static func load() throws -> (PatchClassifier, Fixture) {
        let model = try PatchClassifier(path: header, sha256: sha256)
        let url = URL(fileURLWithPath: SharedDatasets.packageRoot + "/Tests/SpotterDetectionTests/Fixtures/rgb-coast-cnn-fixture.json")
        return (model, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))
    }

    /// Swift's batched inference and its reference give PyTorch's logits on the patches saved at training time.
    @Test func matchesPyTorchOnTheSavedPatches() throws {
        let (model, fixture) = try Self.load()
        #expect(fixture.patches_u8.count >= 8)
        let batch = model.logits(fixture.patches_u8)
        for (i, patch) in fixture.patches_u8.enumerated() {
            #expect(abs(batch[i] - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "patch \(i)")
            #expect(abs(model.logitReference(patch) - fixture.logits[i]) <= 1e-4 * max(1, abs(fixture.logits[i])), "patch \(i)")
        }
    }

    /// The batch does not mix samples up: any order, any batch size, the same logit per patch.
    @Test(arguments: [1, 3, 17])
    func batchesAgreeWithSinglePatches(count: Int) throws {
        let (model, _) = try Self.load()
        var rng = SplitMix64(seed: UInt64(count))
        let patches = (0..<count).map { _ in rng.bytes(model.patchSide * model.patchSide * 3) }
        let batch = model.logits(patches)
        for (i, p) in patches.enumerated() {
            #expect(abs(batch[i] - model.logits([p])[0]) <= 1e-5 * max(1, abs(batch[i])))
        }
    }

    @Test func corruptWeightsAreRefused() throws {
        try TemporaryDirectory.with { dir in
            let header = try String(contentsOfFile: Self.header, encoding: .utf8)
            let weightsName = (try JSONSerialization.jsonObject(with: Data(header.utf8)) as! [String: Any])["weights_file"] as! String
            var weights = try Data(contentsOf: URL(fileURLWithPath: (Self.header as NSString).deletingLastPathComponent + "/" + weightsName))
            weights[100] ^= 0x40
            try dir.write(Array(header.utf8), to: "m.json")
            try dir.write(Array(weights), to: weightsName)
            do {
                _ = try PatchClassifier(path: dir.url("m.json"), sha256: Self.sha256)
                Issue.record("a flipped bit in the weights was accepted")
            } catch {
                #expect(String(describing: error).contains("SHA-256"))
            }
        }
    }
}

/// How the scanner folds the CNN into a frame's ranking: only the best `patchKeep` candidates by the re-ranker are
/// scored, with the sum of weighted logits; the others rank below all of them, in the re-ranker's order.
@Suite struct PatchClassifierRankingTests {
    @Test func theBestCandidatesGetTheCombinedLogitAndTheRestRankBelow() throws {
        let (model, _) = try PatchClassifierTests.load()
        var settings = CandidateSettings()
        settings.reranker = try BoostedTrees(path: SharedDatasets.packageRoot + "/Models/rerankers/rgb-coast-gbt.json")
        settings.patchClassifier = model
        settings.patchKeep = 3
        settings.patchWeight = 1
        settings.treeWeight = 0.5
        var rng = SplitMix64(seed: 7)
        let treeScores = [0.30, 0.90, 0.05, 0.60, 0.75, 0.10]
        var candidates = treeScores.enumerated().map { i, p in
            var c = Candidate(
                kind: .contrast,
                blob: Blob(minX: i, minY: 0, maxX: i, maxY: 0, area: 1, scoreSum: 1, peak: 1, peakX: i, peakY: 0),
                features: [])
            c.patch = rng.bytes(model.patchSide * model.patchSide * 3)
            c.score = p
            return c
        }
        let patches = candidates.map(\.patch)
        FrameScanner.applyPatchClassifier(model, to: &candidates, settings: settings)
        let seen = [1, 4, 3]  // the three best by the trees
        let logits = model.logits(seen.map { patches[$0] })
        for (k, i) in seen.enumerated() {
            let z = Double(logits[k]) + 0.5 * log(treeScores[i] / (1 - treeScores[i]))
            #expect(abs(candidates[i].score - 1 / (1 + exp(-z))) < 1e-9, "candidate \(i)")
        }
        let lowestSeen = seen.map { candidates[$0].score }.min()!
        let unseen = [0, 5, 2]  // in the trees' order
        #expect(unseen.allSatisfy { candidates[$0].score < lowestSeen })
        #expect(candidates[0].score > candidates[5].score && candidates[5].score > candidates[2].score)
        #expect(candidates.allSatisfy { $0.patch.isEmpty })
    }
}

/// Models of other shapes than the committed one (the model will be retrained): written to a temporary folder with
/// seeded random weights, then the batched path is checked against `logitReference`.
@Suite struct PatchClassifierShapeTests {
    enum Layer {
        case conv(out: Int, stride: Int, padding: Int, relu: Bool)
        case dense(out: Int, relu: Bool)
    }

    struct Shape: CustomStringConvertible, Sendable {
        var patchSide: Int, cropSide: Int
        var layers: [Layer]
        var views = 1
        var stdFloor: Double? = nil
        /// The header's input `channels`: nil (no key: RGB), "RGB" or "gray".
        var channelsKey: String? = nil
        /// Bytes per pixel of a patch.
        var channels: Int { channelsKey == "gray" ? 1 : 3 }
        var description: String {
            "patch \(patchSide), crop \(cropSide), \(channelsKey ?? "no channels key"), \(views) views, \(layers.count) layers"
        }
    }

    static let shapes: [Shape] = [
        // Stride 1 first, odd widths (tails of the 4-channel blocks), 25 positions (a tail of the 3-position
        // blocks), no padding, a hidden dense layer with ReLU.
        Shape(patchSide: 32, cropSide: 24, layers: [
            .conv(out: 7, stride: 1, padding: 1, relu: true), .conv(out: 13, stride: 2, padding: 1, relu: true),
            .conv(out: 5, stride: 2, padding: 0, relu: true), .dense(out: 9, relu: true), .dense(out: 1, relu: false),
        ]),
        // Two convolutions, an odd crop, the second without ReLU.
        Shape(patchSide: 21, cropSide: 17, layers: [
            .conv(out: 4, stride: 2, padding: 1, relu: true), .conv(out: 6, stride: 1, padding: 1, relu: false),
            .dense(out: 1, relu: false),
        ]),
        // Four convolutions (padding 2, one output channel short of a block, 2 channels), three dense layers.
        Shape(patchSide: 32, cropSide: 32, layers: [
            .conv(out: 3, stride: 2, padding: 1, relu: true), .conv(out: 8, stride: 2, padding: 1, relu: true),
            .conv(out: 11, stride: 1, padding: 2, relu: true), .conv(out: 2, stride: 2, padding: 1, relu: true),
            .dense(out: 16, relu: true), .dense(out: 3, relu: false), .dense(out: 1, relu: false),
        ]),
        // No convolution at all.
        Shape(patchSide: 10, cropSide: 8, layers: [.dense(out: 1, relu: false)]),
        // Two views (the centre crop and the whole patch at half resolution: 6 input channels), another floor.
        Shape(patchSide: 48, cropSide: 24, layers: [
            .conv(out: 12, stride: 2, padding: 1, relu: true), .conv(out: 16, stride: 2, padding: 1, relu: true),
            .conv(out: 24, stride: 2, padding: 1, relu: true), .dense(out: 1, relu: false),
        ], views: 2, stdFloor: 0.05),
        // Single-channel (thermal): two views (2 input channels), stride 1 first, odd widths, a position tail.
        Shape(patchSide: 28, cropSide: 14, layers: [
            .conv(out: 5, stride: 1, padding: 1, relu: true), .conv(out: 9, stride: 2, padding: 1, relu: true),
            .conv(out: 6, stride: 2, padding: 0, relu: true), .dense(out: 1, relu: false),
        ], views: 2, channelsKey: "gray"),
        // Single-channel, one view (one input channel), an odd crop, a hidden dense layer.
        Shape(patchSide: 21, cropSide: 17, layers: [
            .conv(out: 4, stride: 2, padding: 1, relu: true), .conv(out: 7, stride: 1, padding: 2, relu: false),
            .dense(out: 5, relu: true), .dense(out: 1, relu: false),
        ], channelsKey: "gray"),
        // Single-channel, two views, no convolution: the dense layer reads the input buffer itself.
        Shape(patchSide: 12, cropSide: 6, layers: [.dense(out: 1, relu: false)], views: 2, channelsKey: "gray"),
        // The thermal model's shape (48 → 24, 2 → 12 → 16 → 24, stride 2), another floor.
        Shape(patchSide: 48, cropSide: 24, layers: [
            .conv(out: 12, stride: 2, padding: 1, relu: true), .conv(out: 16, stride: 2, padding: 1, relu: true),
            .conv(out: 24, stride: 2, padding: 1, relu: true), .dense(out: 1, relu: false),
        ], views: 2, stdFloor: 0.05, channelsKey: "gray"),
        // RGB said explicitly, as the training script writes it.
        Shape(patchSide: 16, cropSide: 8, layers: [
            .conv(out: 6, stride: 2, padding: 1, relu: true), .dense(out: 1, relu: false),
        ], views: 2, channelsKey: "RGB"),
    ]

    /// Writes `NAME.json` and `NAME.f32` for `shape` with weights uniform in ±√(6 / fan-in) (He); returns the header's path.
    static func write(_ shape: Shape, in dir: TemporaryDirectory, seed: UInt64, activation: String? = nil) throws -> String {
        var rng = SplitMix64(seed: seed)
        func uniform(_ bound: Double) -> Float { Float((Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) * bound) }
        var weights: [Float] = [], entries: [[String: Any]] = []
        var side = shape.cropSide, channels = shape.channels * shape.views, multiplyAdds = 0
        for layer in shape.layers {
            switch layer {
            case let .conv(out, stride, padding, relu):
                let outSide = (side + 2 * padding - 3) / stride + 1
                let fanIn = channels * 9, weightOffset = weights.count
                weights += (0..<(out * fanIn)).map { _ in uniform((6 / Double(fanIn)).squareRoot()) }
                let biasOffset = weights.count
                weights += (0..<out).map { _ in uniform(0.1) }
                entries.append([
                    "type": "conv2d", "in_channels": channels, "out_channels": out, "kernel": 3, "stride": stride,
                    "padding": padding, "activation": activation ?? (relu ? "relu" : "none"), "in_side": side,
                    "out_side": outSide, "weight_offset": weightOffset, "weight_shape": [out, channels, 3, 3],
                    "bias_offset": biasOffset,
                ])
                multiplyAdds += out * outSide * outSide * fanIn
                side = outSide
                channels = out
            case let .dense(out, relu):
                let fanIn = channels * side * side, weightOffset = weights.count
                weights += (0..<(out * fanIn)).map { _ in uniform((6 / Double(fanIn)).squareRoot()) }
                let biasOffset = weights.count
                weights += (0..<out).map { _ in uniform(0.1) }
                entries.append([
                    "type": "dense", "in_features": fanIn, "out_features": out, "activation": relu ? "relu" : "none",
                    "weight_offset": weightOffset, "weight_shape": [out, fanIn], "bias_offset": biasOffset,
                ])
                multiplyAdds += out * fanIn
                side = 1
                channels = out
            }
        }
        let bytes = weights.flatMap { w in withUnsafeBytes(of: w.bitPattern.littleEndian) { Array($0) } }
        try dir.write(bytes, to: "synthetic.f32")
        var input: [String: Any] = [
            "patch_side": shape.patchSide, "crop_side": shape.cropSide, "normalisation": "patch", "views": shape.views,
            "std_floor": shape.stdFloor ?? 0.02,
        ]
        if let key = shape.channelsKey { input["channels"] = key }
        let header: [String: Any] = [
            "format": "spotter-cnn-1", "version": "synthetic", "layers": entries, "input": input,
            "weights_file": "synthetic.f32", "weights_count": weights.count,
            "weights_sha256": PatchClassifierTests.sha256(Data(bytes)), "multiply_adds": multiplyAdds,
        ]
        return try dir.write(Array(try JSONSerialization.data(withJSONObject: header)), to: "synthetic.json")
    }

    /// Random patches of `channels` bytes per pixel, plus a flat one (its standard deviation is the floor) and one of
    /// extremes.
    static func patches(_ count: Int, side: Int, channels: Int = 3, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        let bytes = side * side * channels
        var out = (0..<count).map { _ in rng.bytes(bytes) }
        if count > 2 {
            out[1] = [UInt8](repeating: 117, count: bytes)
            out[2] = (0..<bytes).map { $0 % 7 == 0 ? 255 : 0 }
        }
        return out
    }

    /// The batched path equals the scalar reference within 1e-4, for batch sizes around the 4-patch lanes.
    @Test(arguments: shapes.indices)
    func batchedPathMatchesTheReference(shape index: Int) throws {
        let shape = Self.shapes[index]
        try TemporaryDirectory.with { dir in
            let model = try PatchClassifier(path: try Self.write(shape, in: dir, seed: UInt64(index) + 1), sha256: PatchClassifierTests.sha256)
            for count in [1, 4, 7, 9] {
                let patches = Self.patches(count, side: shape.patchSide, channels: shape.channels, seed: UInt64(100 * index + count))
                #expect(model.channels == shape.channels)
                let fast = model.logits(patches, reference: false)
                let reference = model.logits(patches, reference: true)
                #expect(fast.count == count)
                for i in 0..<count {
                    #expect(reference[i] == model.logitReference(patches[i]))
                    #expect(abs(fast[i] - reference[i]) <= 1e-4 * max(1, abs(reference[i])), "\(shape), \(count) patches, patch \(i): \(fast[i]) vs \(reference[i])")
                }
            }
            #expect(model.logits([]).isEmpty)
        }
    }

    /// Two views need a patch twice the crop's side (the half-resolution view must cover the crop's side exactly), and
    /// the spread floor must be positive: a header that says otherwise is refused, naming the file and the cause.
    @Test func inconsistentInputsAreRefused() throws {
        try TemporaryDirectory.with { dir in
            var wrongSide = Self.shapes[4]
            wrongSide.patchSide = 40
            var zeroFloor = Self.shapes[4]
            zeroFloor.stdFloor = 0
            for (shape, cause) in [(wrongSide, "views 2 with patch side 40 and crop side 24"), (zeroFloor, "std_floor 0.0 must be positive")] {
                let path = try Self.write(shape, in: dir, seed: 3)
                do {
                    _ = try PatchClassifier(path: path, sha256: PatchClassifierTests.sha256)
                    Issue.record("\(shape) was accepted")
                } catch {
                    #expect(String(describing: error).hasPrefix(path + ": ") && String(describing: error).contains(cause), "\(error)")
                }
            }
        }
    }

    @Test func unknownActivationsAreRefused() throws {
        try TemporaryDirectory.with { dir in
            let path = try Self.write(Self.shapes[1], in: dir, seed: 9, activation: "sigmoid")
            do {
                _ = try PatchClassifier(path: path, sha256: PatchClassifierTests.sha256)
                Issue.record("a sigmoid convolution was accepted")
            } catch {
                #expect(String(describing: error).contains("activation sigmoid"))
            }
        }
    }
}
