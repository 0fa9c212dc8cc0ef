import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

@Suite struct RerankerTests {
    static let models = SharedDatasets.packageRoot + "/Models"

    struct Fixture: Decodable {
        var model: String
        var features: [[Double]]
        var probabilities: [Double]
    }

    /// The committed thermal model gives scikit-learn's own probabilities on the rows saved when it was trained.
    @Test func thermalModelMatchesScikitLearn() throws {
        let fixturePath = SharedDatasets.packageRoot + "/Tests/SpotterDetectionTests/Fixtures/thermal-gbt-fixture.json"
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath)))
        let model = try BoostedTrees(path: Self.models + "/rerankers/thermal-gbt.json")
        try model.check(features: ThermalFeatures.names)
        #expect(fixture.features.count >= 10)
        let rows = fixture.features.map { $0.map(Float.init) }
        let batch = model.probabilities(rows)
        for (i, row) in rows.enumerated() {
            #expect(abs(model.probability(row) - fixture.probabilities[i]) < 1e-9, "row \(i)")
            #expect(abs(batch[i] - fixture.probabilities[i]) < 1e-9, "row \(i)")
        }
    }

    @Test func rgbModelMatchesScikitLearn() throws {
        let fixturePath = SharedDatasets.packageRoot + "/Tests/SpotterDetectionTests/Fixtures/rgb-coast-gbt-fixture.json"
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath)))
        let model = try BoostedTrees(path: Self.models + "/rerankers/rgb-coast-gbt.json")
        try model.check(features: ColourFeatures.names)
        let rows = fixture.features.map { $0.map(Float.init) }
        for (i, row) in rows.enumerated() {
            #expect(abs(model.probability(row) - fixture.probabilities[i]) < 1e-9, "row \(i)")
        }
    }

    @Test func cascadeFinishesOnlyTheBestPartialScores() throws {
        let model = try BoostedTrees(path: Self.models + "/rerankers/thermal-gbt.json")
        var rng = SplitMix64(seed: 77)
        let rows = (0..<40).map { _ in (0..<ThermalFeatures.names.count).map { _ in Float(rng.below(2000)) / 100 } }
        let full = model.probabilities(rows)
        let cascade = model.probabilities(rows, firstTrees: 50, keep: 10)
        // Exactly `keep` rows got every tree.
        #expect(zip(full, cascade).filter { abs($0 - $1) < 1e-12 }.count >= 10)
        let partial = model.probabilities(rows, firstTrees: 50, keep: 0)
        let finished = Set(rows.indices.sorted { partial[$0] > partial[$1] }.prefix(10))
        for i in finished { #expect(abs(full[i] - cascade[i]) < 1e-12) }
    }

    @Test func aModelWithTheWrongFeaturesIsRefusedWithAClearMessage() throws {
        let model = try BoostedTrees(path: Self.models + "/rerankers/thermal-gbt.json")
        #expect(throws: BoostedTrees.LoadError.self) { try model.check(features: ColourFeatures.names) }
    }

    @Test func brokenModelFilesAreRefused() throws {
        try TemporaryDirectory.with { dir in
            let cases: [(String, String)] = [
                ("not json", "not a spotter-gbt model"),
                (#"{"format": "other", "version": "x", "profile": "thermal", "features": [], "initial": 0, "trees": []}"#, "expected spotter-gbt-1"),
                (#"{"format": "spotter-gbt-1", "version": "x", "profile": "thermal", "features": ["a"], "initial": 0, "trees": [{"feature": [0], "threshold": [1], "left": [5], "right": [6], "value": [0]}]}"#, "points outside the tree"),
            ]
            for (i, (text, message)) in cases.enumerated() {
                let path = try dir.write(Array(text.utf8), to: "m\(i).json")
                do {
                    _ = try BoostedTrees(path: path)
                    Issue.record("case \(i) was accepted")
                } catch {
                    #expect(String(describing: error).contains(message), "\(error)")
                }
            }
        }
    }

    @Test func profilesInModelsLoadAndSetTheirFamily() throws {
        var options = ScanOptions()
        let thermal = try DetectorProfile(path: Self.models + "/profiles/thermal.json")
        #expect(thermal.family == .thermal)
        thermal.apply(to: &options)
        #expect(options.hotspot.cellSize == Int(thermal.parameters["hotspot.cell_size"]!))
        #expect(options.thermalCandidates.maxPerSource == Int(thermal.parameters["candidates.max_per_source"]!))
        // The RGB family's candidate settings are untouched by the thermal profile.
        #expect(options.rgbCandidates.maxPerSource == CandidateSettings().maxPerSource)
    }

    @Test func unknownProfileParametersAreRefused() throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(
                Array(#"{"format": "spotter-profile-1", "name": "x", "version": "1", "family": "rgb", "parameters": {"rx.thresold": 3}}"#.utf8),
                to: "p.json")
            do {
                _ = try DetectorProfile(path: path)
                Issue.record("accepted a misspelt parameter")
            } catch {
                #expect(String(describing: error).contains("unknown parameter rx.thresold"))
            }
        }
    }
}
