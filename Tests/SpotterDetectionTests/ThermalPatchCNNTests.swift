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

    /// The classifier's patches are cut from the whole frame after ranking, so a hot blob taller than the scan's ring
    /// of rows (a warm wall, a road) is seen as in the whole frame, like every patch the CNN was trained on.
    @Test func aBlobTallerThanTheRingIsSeenAsInTheWholeFrame() throws {
        let model = try PatchClassifier(path: Self.model, sha256: PatchClassifierTests.sha256)
        let (w, h) = (160, 600)
        var image = CandidatePatchTests.thermalFrame(w, h, seed: 3, bytesPerSample: 1)
        for y in 40..<560 { for x in 70..<76 { image.pixels[y * w + x] = UInt8(200 + (y % 7)) } }
        var options = ScanOptions()
        options.profile = .thermal
        options.keepCandidates = true
        options.thermalCandidates.patchClassifier = model
        options.thermalCandidates.patchSide = model.patchSide  // as ModelLibrary sets it
        options.thermalCandidates.patchKeep = 1_000
        options.thermalCandidates.patchWeight = 1
        options.thermalCandidates.treeWeight = 0  // without trees the combined logit is the CNN's alone
        let result = FrameScanner(options: options).scan(bytes: try ImageEncoder.png(image), name: "wall.png")
        let candidates = try #require(result.candidates)
        let tall = try #require(candidates.first { $0.1.blob.height >= 500 }?.1, "the wall is one candidate")
        let whole = image.pixels.withUnsafeBytes { frame in
            PatchSampler.grayPatch(
                side: model.patchSide, cx: (tall.blob.minX + tall.blob.maxX + 1) / 2,
                cy: (tall.blob.minY + tall.blob.maxY + 1) / 2, width: w, bytesPerSample: 1, rows: 0..<h,
                row: { frame.baseAddress! + $0 * w })
        }
        let logit = Double(model.logits([whole])[0])
        // Every candidate was seen (keep 1,000), so each score is the sigmoid of its own CNN logit.
        #expect(abs(tall.score - 1 / (1 + exp(-logit))) < 1e-9, "\(tall.score) vs \(1 / (1 + exp(-logit)))")
    }
}
