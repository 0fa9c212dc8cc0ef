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
