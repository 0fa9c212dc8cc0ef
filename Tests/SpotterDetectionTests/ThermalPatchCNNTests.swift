import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterDetection
@testable import SpotterImaging

/// A thermal scan folds a single-channel patch CNN into its ranking as an RGB scan does (`applyPatchClassifier`): the
/// best `patchKeep` candidates by the trees get `patchWeight · cnn + treeWeight · trees`, the rest rank below them. On
/// 16-bit (radiometric) frames, which the thermal CNN never saw in training, the trees rank alone.
@Suite struct ThermalPatchCNNTests {
    static let model = PatchClassifierGrayTests.header

    /// A warm-ground frame with 20 hot blobs, 8- or 16-bit.
    static func frame(bytesPerSample: Int) -> Image {
        CandidatePatchTests.thermalFrame(180, 150, seed: 11, bytesPerSample: bytesPerSample)
    }

    /// The candidates of one scan of `image`, in the scanner's order (the same with or without the classifier, which
    /// only changes scores), with their scores and the patches cut.
    static func scan(_ image: Image, classifier: PatchClassifier?, keep: Int) throws -> [(box: String, score: Double, patch: [UInt8])] {
        var options = ScanOptions()
        options.profile = .thermal
        options.keepCandidates = true
        options.thermalCandidates.reranker = try BoostedTrees(
            path: SharedDatasets.packageRoot + "/Models/rerankers/thermal-gbt.json")
        options.thermalCandidates.patchSide = 48
        options.thermalCandidates.patchClassifier = classifier
        options.thermalCandidates.patchKeep = keep
        options.thermalCandidates.patchWeight = 0.5
        options.thermalCandidates.treeWeight = 1
        let result = FrameScanner(options: options).scan(bytes: try ImageEncoder.png(image), name: "warm.png")
        #expect(result.error == nil)
        return try #require(result.candidates).map { box, c in ("\(c.kind) \(box)", c.score, c.patch) }
    }

    @Test func eightBitFramesGetTheCombinedScore() throws {
        let model = try PatchClassifier(path: Self.model, sha256: PatchClassifierTests.sha256)
        try #require(model.channels == 1)
        let image = Self.frame(bytesPerSample: 1)
        let trees = try Self.scan(image, classifier: nil, keep: 0)
        try #require(trees.count >= 10)
        let best = trees.indices.sorted { trees[$0].score > trees[$1].score }
        // Nested levels give equal candidates equal scores: the classifier sees the best `keep` with no tie at the
        // edge, so which ones it sees is well defined.
        let keep = try #require((3..<trees.count - 3).first { trees[best[$0 - 1]].score > trees[best[$0]].score })
        let combined = try Self.scan(image, classifier: model, keep: keep)
        try #require(trees.map(\.box) == combined.map(\.box))
        let seen = Array(best.prefix(keep))
        let logits = model.logits(seen.map { trees[$0].patch })
        for (k, i) in seen.enumerated() {
            let p = min(max(trees[i].score, 1e-6), 1 - 1e-6)
            let z = 0.5 * Double(logits[k]) + log(p / (1 - p))
            #expect(abs(combined[i].score - 1 / (1 + exp(-z))) < 1e-9, "\(trees[i].box)")
        }
        let lowestSeen = seen.map { combined[$0].score }.min()!
        let unseen = best.dropFirst(keep)
        #expect(unseen.allSatisfy { combined[$0].score < lowestSeen })
        // The unseen keep the trees' order.
        let unseenScores = unseen.map { combined[$0].score }
        #expect(zip(unseenScores, unseenScores.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func sixteenBitFramesAreRankedByTheTreesAlone() throws {
        let model = try PatchClassifier(path: Self.model, sha256: PatchClassifierTests.sha256)
        let image = Self.frame(bytesPerSample: 2)
        let trees = try Self.scan(image, classifier: nil, keep: 5)
        let withModel = try Self.scan(image, classifier: model, keep: 5)
        #expect(trees.count >= 10 && trees.map(\.box) == withModel.map(\.box))
        #expect(trees.map(\.score) == withModel.map(\.score))
        // The same frame at 8 bits does get the CNN: this test would notice a CNN that never runs.
        let eight = Self.frame(bytesPerSample: 1)
        #expect(try Self.scan(eight, classifier: nil, keep: 5).map(\.score) != Self.scan(eight, classifier: model, keep: 5).map(\.score))
    }
}
