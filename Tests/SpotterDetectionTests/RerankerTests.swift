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

    @Test func rgbProfileSetsTheScoreFloorAndThermalKeepsNone() throws {
        var options = ScanOptions()
        let rgb = try DetectorProfile(path: Self.models + "/profiles/rgb-coast.json")
        rgb.apply(to: &options)
        let floor = try #require(rgb.parameters["detections.score_floor"])
        let after = try #require(rgb.parameters["detections.floor_after"])
        #expect(options.rgbCandidates.scoreFloor == floor && floor > 0)
        #expect(options.rgbCandidates.floorAfter == Int(after))
        #expect(options.rgbCandidates.maxDetectionsPerFrame > Int(after))
        try DetectorProfile(path: Self.models + "/profiles/thermal.json").apply(to: &options)
        #expect(options.thermalCandidates.floorAfter == Int.max)
    }

    /// A real frame (the bundled Brighton sample at 1/4 scale): past `floorAfter`, detections under the floor are not
    /// reported when a re-ranker scores them; detector strengths (no re-ranker) are never floored.
    @Test func scanReportsDetectionsUnderTheFloorOnlyWithinTheFirstKept() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath:
            SharedDatasets.packageRoot + "/Datasets/brighton-sample/images/DJI_0030.JPG")))
        var options = ScanOptions()
        options.scale = 4
        try DetectorProfile(path: Self.models + "/profiles/rgb-coast.json").apply(to: &options)
        options.rgbCandidates.reranker = try BoostedTrees(path: Self.models + "/rerankers/rgb-coast-gbt.json")
        options.rgbCandidates.scoreFloor = 0
        options.rgbCandidates.floorAfter = Int.max
        func scan() -> [Detection] {
            let result = FrameScanner(options: options).scan(bytes: bytes, name: "f.jpg")
            #expect(result.error == nil)
            return result.detections
        }
        let open = scan()
        #expect(open.count > 20 && open[10...].contains { $0.score < 0.01 })
        options.rgbCandidates.scoreFloor = 0.01
        options.rgbCandidates.floorAfter = 10
        let floored = scan()
        #expect(floored == Array(open.prefix(floored.count)))
        #expect(floored.count >= 10 && floored.count < open.count)
        #expect(floored[10...].allSatisfy { $0.score >= 0.01 })
        // Strengths are standard deviations, not probabilities: a floor above all of them still cuts nothing.
        options.rgbCandidates.reranker = nil
        options.rgbCandidates.scoreFloor = 1e9
        let strengths = scan()
        options.rgbCandidates.floorAfter = Int.max
        #expect(strengths.count > 10 && scan() == strengths)
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
