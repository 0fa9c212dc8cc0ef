import Foundation
import SpotterEval
import Testing
import _SpotterTestSupport

/// Writes `json` as `labels.json` in `dir`.
func writeLabels(_ json: String, in dir: TemporaryDirectory) throws {
    try dir.write(Array(json.utf8), to: "labels.json")
}

@Suite("Labelled datasets: labels.json")
struct LabelledDatasetTests {
    static let sample = """
        {"dataset": "tiny test", "bbox_format": "[x_min, y_min, width, height] in pixels",
         "images": [
          {"file": "images/a.jpg", "width": 640, "height": 512, "has_person": true,
           "persons": [[10, 20, 11, 18]], "ignore": [[0, 0, 5, 5]],
           "other_objects": [{"label": "Car", "bbox": [100, 100, 30, 20]}],
           "meta": {"sar": true, "altitude_m": 60, "scenario": "night", "note": null, "unused": 2.5}},
          {"file": "images/b.jpg", "width": 640, "height": 640,
           "persons": [[607.1, 519.6, 14.3, 21.1], [2.5, 0.25, 2.4, 5.8]]},
          {"file": "images/c.jpg", "width": 640, "height": 640, "persons": [], "meta": {"sar": false}},
          {"file": "images/d.jpg", "width": 640, "height": 640, "has_person": false, "persons": [[1, 2, 3, 4]],
           "meta": {"sar": "true"}},
          {"file": "images/e.jpg", "width": 640, "height": 640, "persons": [], "meta": {"sar": 1}, "extra": [1]}
         ]}
        """

    /// Every key read; missing optional keys default to empty; `has_person` is inferred from `persons` only when
    /// absent; fractional boxes are kept exactly as written.
    @Test func loadsKeysAndDefaults() throws {
        try TemporaryDirectory.with { dir in
            try writeLabels(Self.sample, in: dir)
            let ds = try LabelledDataset.load(directory: dir.path + "/")
            #expect(ds.name == "tiny test")
            #expect(ds.bboxFormat == "[x_min, y_min, width, height] in pixels")
            #expect(ds.directory == dir.path)
            #expect(ds.images.map(\.file) == ["images/a.jpg", "images/b.jpg", "images/c.jpg", "images/d.jpg", "images/e.jpg"])
            #expect(ds.personCount == 4)

            let a = ds.images[0]
            #expect(a.path == dir.path + "/images/a.jpg")
            #expect(a.width == 640 && a.height == 512 && a.hasPerson)
            #expect(a.persons == [EvalBox(10, 20, 11, 18)] && a.ignore == [EvalBox(0, 0, 5, 5)])
            #expect(a.otherObjects == [LabelledObject(label: "Car", box: EvalBox(100, 100, 30, 20))])
            #expect(a.meta == ["sar": .bool(true), "altitude_m": .number(60), "scenario": .string("night"), "note": .null, "unused": .number(2.5)])

            let b = ds.images[1]
            #expect(b.hasPerson)  // no has_person: persons is non-empty
            #expect(b.persons == [EvalBox(607.1, 519.6, 14.3, 21.1), EvalBox(2.5, 0.25, 2.4, 5.8)])
            #expect(b.ignore.isEmpty && b.otherObjects.isEmpty && b.meta.isEmpty)

            #expect(!ds.images[2].hasPerson)  // no has_person, no persons
            #expect(!ds.images[3].hasPerson && ds.images[3].persons.count == 1)  // has_person wins over the boxes
        }
    }

    /// Only the boolean `true` passes a meta flag (not `false`, `"true"`, 1 or a missing key).
    @Test func filtersByMetaFlagAndFiles() throws {
        try TemporaryDirectory.with { dir in
            try writeLabels(Self.sample, in: dir)
            let ds = try LabelledDataset.load(directory: dir.path)
            #expect(ds.filtered(metaFlag: "sar").images.map(\.file) == ["images/a.jpg"])
            #expect(ds.filtered(metaFlag: "absent").images.isEmpty)
            #expect(ds.filtered(metaFlag: "sar").name == "tiny test")
            let picked = ds.filtered(files: ["images/e.jpg", dir.path + "/images/b.jpg", "images/zzz.jpg"])
            #expect(picked.images.map(\.file) == ["images/b.jpg", "images/e.jpg"])
        }
    }

    /// Without a `dataset` key the folder's name is used.
    @Test func nameFallsBackToTheFolder() throws {
        try TemporaryDirectory.with { dir in
            try dir.makeDirectory("my-set")
            try dir.write(Array(#"{"images": []}"#.utf8), to: "my-set/labels.json")
            let ds = try LabelledDataset.load(directory: dir.url("my-set"))
            #expect(ds.name == "my-set" && ds.images.isEmpty && ds.bboxFormat == nil)
        }
    }

    /// One image record that is fine, for building broken ones around it.
    static let okImage = #"{"file": "a.jpg", "width": 1, "height": 1, "persons": []}"#

    /// Malformed labels, each with its exact message (after `<dir>/labels.json: `).
    static let malformed: [(String, String)] = [
        ("[]", "expected an object at the top level, found an array of 0 elements"),
        (#"{"dataset": "x"}"#, #"missing required key "images""#),
        (#"{"images": {}}"#, "images: expected an array, found an object"),
        (#"{"dataset": 3, "images": []}"#, "dataset: expected a string, found a number"),
        (#"{"images": [7]}"#, "images[0]: expected an object, found a number"),
        (#"{"images": [\#(okImage), {"file": "b.jpg", "height": 1, "persons": []}]}"#, #"images[1]: missing required key "width""#),
        (#"{"images": [{"width": 1, "height": 1, "persons": []}]}"#, #"images[0]: missing required key "file""#),
        (#"{"images": [{"file": "", "width": 1, "height": 1, "persons": []}]}"#, #"images[0].file: expected a non-empty string, found """#),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1}]}"#, #"images[0]: missing required key "persons""#),
        (#"{"images": [{"file": "a.jpg", "width": -3, "height": 1, "persons": []}]}"#, "images[0].width: expected a non-negative whole number, found -3"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 12.5, "persons": []}]}"#, "images[0].height: expected a non-negative whole number, found 12.5"),
        (#"{"images": [{"file": "a.jpg", "width": "1", "height": 1, "persons": []}]}"#, #"images[0].width: expected a non-negative whole number, found "1""#),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [[1, 2, 3, 4], [1, 2, 3]]}]}"#,
         "images[0].persons[1]: expected [x, y, width, height], found an array of 3 elements"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [[1, 2, "3", 4]]}]}"#,
         "images[0].persons[0]: expected [x, y, width, height] of 4 numbers, found a string in it"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [[1, 2, -3, 4.5]]}]}"#,
         "images[0].persons[0]: width and height must not be negative, found -3×4.5"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": {}}]}"#, "images[0].persons: expected an array of boxes, found an object"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "ignore": "none"}]}"#,
         "images[0].ignore: expected an array of boxes, found a string"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "has_person": "yes"}]}"#,
         "images[0].has_person: expected a boolean, found a string"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "other_objects": [{"bbox": [0, 0, 1, 1]}]}]}"#,
         #"images[0].other_objects[0]: missing required key "label""#),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "other_objects": [{"label": "Car", "bbox": [0, 0, 1]}]}]}"#,
         "images[0].other_objects[0].bbox: expected [x, y, width, height], found an array of 3 elements"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "meta": {"tags": ["a"]}}]}"#,
         "images[0].meta.tags: expected a boolean, number, string or null, found an array of 1 element"),
        (#"{"images": [{"file": "a.jpg", "width": 1, "height": 1, "persons": [], "meta": []}]}"#,
         "images[0].meta: expected an object, found an array of 0 elements"),
    ]

    @Test(arguments: malformed)
    func malformedLabelsNameTheRecord(json: String, message: String) throws {
        try TemporaryDirectory.with { dir in
            try writeLabels(json, in: dir)
            let error = #expect(throws: EvalError.self) { try LabelledDataset.load(directory: dir.path) }
            #expect(error?.code == .badLabels)
            #expect(error?.description == "\(dir.path)/labels.json: \(message)")
        }
    }

    /// Text that is not JSON, each with where it goes wrong (after `<dir>/labels.json: not valid JSON: `).
    static let notJSON: [(String, String)] = [
        ("", "the file is empty"),
        (" \n ", "the file is empty"),
        (#"{"images": ["#, "line 1, column 13: expected a value, found the end of the file"),
        (#"{"images": []} x"#, "line 1, column 16: expected nothing after the top-level value, found `x`"),
        ("{'images': []}", "line 1, column 2: expected a key in double quotes, found `'`"),
        ("{\"images\": [\n  {\"file\": \"a.jpg\"},\n  x\n]}", "line 3, column 3: expected a value, found `x`"),
        ("[1, 2,,]", "line 1, column 7: expected a value, found `,`"),
        ("{\"a\": tru}", "line 1, column 10: expected `true`, found `}`"),
        ("{\"a\": 1.}", "line 1, column 9: expected a digit after `.`, found `}`"),
        ("{\"a\": 01}", "line 1, column 8: expected `,` or `}` in the object, found `1`"),
        ("{\"a\" 1}", "line 1, column 6: expected `:` after the key, found `1`"),
        ("{\"a\": \"x\\q\"}", #"line 1, column 10: expected an escape (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u`), found `q`"#),
        ("{\"a\": \"x", "line 1, column 9: expected `\"` to close the string, found the end of the file"),
        ("[1, 2", "line 1, column 6: expected `,` or `]` in the array, found the end of the file"),
    ]

    @Test(arguments: notJSON)
    func invalidJSONSaysWhere(json: String, message: String) throws {
        try TemporaryDirectory.with { dir in
            try writeLabels(json, in: dir)
            let error = #expect(throws: EvalError.self) { try LabelledDataset.load(directory: dir.path) }
            #expect(error?.code == .badJSON)
            #expect(error?.description == "\(dir.path)/labels.json: not valid JSON: \(message)")
        }
    }

    @Test func missingLabelsOrFolder() throws {
        try TemporaryDirectory.with { dir in
            let noLabels = #expect(throws: EvalError.self) { try LabelledDataset.load(directory: dir.path) }
            #expect(noLabels?.code == .missingFile)
            #expect(noLabels?.description == "\(dir.path)/labels.json: no labels.json in the dataset folder")
            let noFolder = #expect(throws: EvalError.self) { try LabelledDataset.load(directory: dir.url("nope")) }
            #expect(noFolder?.code == .missingFile)
            #expect(noFolder?.description == "\(dir.path)/nope: no such dataset folder")
        }
    }
}

/// The shared real datasets load with the counts their README gives, and a perfect detector scores perfectly on them.
@Suite("Labelled datasets: the shared real ones")
struct SharedLabelledDatasetTests {
    /// HIT-UAV test300: 300 frames (60 without a person), 1,649 persons, integer boxes.
    @Test(.enabled(if: SharedDatasets.isAvailable))
    func hitUAVTest300() throws {
        let ds = try LabelledDataset.load(directory: SharedDatasets.path("hit-uav-thermal-test300"))
        #expect(ds.images.count == 300)
        #expect(ds.personCount == 1649)
        #expect(ds.images.filter(\.hasPerson).count == 240)
        #expect(ds.images.allSatisfy { $0.width == 640 && $0.height == 512 })
        #expect(ds.images.contains { !$0.otherObjects.isEmpty })
        #expect(ds.images.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        #expect(ds.filtered(metaFlag: "sar_like_le5_persons").images.isEmpty)
    }

    /// TinyPerson coast valid: 153 frames, 10,763 persons with fractional boxes, ignore boxes; 55 frames flagged
    /// `sar_like_le5_persons`, each with one to five persons.
    @Test(.enabled(if: SharedDatasets.isAvailable))
    func tinyPersonCoastValid() throws {
        let ds = try LabelledDataset.load(directory: SharedDatasets.path("tinyperson-coast-valid"))
        #expect(ds.images.count == 153)
        #expect(ds.personCount == 10_763)
        #expect(ds.images.contains { $0.persons.contains { $0.width != $0.width.rounded() } })
        #expect(ds.images.contains { !$0.ignore.isEmpty })
        let sar = ds.filtered(metaFlag: "sar_like_le5_persons")
        #expect(sar.images.count == 55)
        #expect(sar.images.allSatisfy { (1...5).contains($0.persons.count) && $0.meta["sar_like_le5_persons"] == .bool(true) })
        #expect(ds.images.filter { $0.meta["sar_like_le5_persons"] == .bool(false) }.count == 98)
        let subset = ds.filtered(files: Set(sar.images.map(\.file)))
        #expect(subset == sar)
    }

    /// Detections exactly on every labelled person (seeded distinct scores): recall 1, no false alarms, AP 1; frames
    /// without persons have no detections, so frame AP is 1 too. A second copy of every detection is all duplicates.
    @Test(.enabled(if: SharedDatasets.isAvailable), arguments: ["hit-uav-thermal-test300", "tinyperson-coast-valid"])
    func perfectDetectorScoresPerfectly(dataset: String) throws {
        let ds = try LabelledDataset.load(directory: SharedDatasets.path(dataset))
        var rng = SplitMix64(seed: 42)
        let frames = ds.images.map { image in
            FrameEvaluationInput(image: image, detections: image.persons.map { ($0, Double(1 + rng.below(1_000_000))) })
        }
        let r = Evaluation.evaluate(frames)
        #expect(r.frames == ds.images.count && r.persons == ds.personCount)
        #expect(r.truePositives == ds.personCount && r.falseAlarms == 0 && r.maxRecall == 1)
        #expect(r.recallAt(fppi: 1) == 1)
        #expect(r.ap == 1 && r.frameAP == 1)
        let doubled = Evaluation.evaluate(frames.map { var f = $0; f.detections += f.detections; return f })
        #expect(doubled.truePositives == ds.personCount && doubled.duplicates == ds.personCount && doubled.falseAlarms == 0)
    }
}
