import Foundation
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// The one-pass model reader against `JSONDecoder`, which it stands in for: the same file, bit for bit, or nil (and
/// then `JSONDecoder` decides).
@Suite struct ModelReaderTests {
    static func decoded(_ text: String) -> BoostedTrees.File? {
        try? JSONDecoder().decode(BoostedTrees.File.self, from: Data(text.utf8))
    }

    static func fast(_ text: String) -> BoostedTrees.File? {
        Array(text.utf8).withUnsafeBytes { BoostedTrees.File.readFast($0) }
    }

    static func bits(_ f: BoostedTrees.File) -> [UInt64] {
        [f.initial.bitPattern] + f.trees.flatMap { t in t.threshold.map(\.bitPattern) + t.value.map(\.bitPattern) }
    }

    @Test(arguments: ["rerankers/rgb-coast-gbt.json", "rerankers/thermal-gbt.json"])
    func shippedModelsReadAsJSONDecoderReadsThem(name: String) throws {
        let text = try String(contentsOfFile: RerankerTests.models + "/" + name, encoding: .utf8)
        let fast = try #require(Self.fast(text), "the fast reader gave up on a shipped model")
        let decoded = try #require(Self.decoded(text))
        #expect(fast == decoded)
        #expect(Self.bits(fast) == Self.bits(decoded))
    }

    static let tree = #"{"feature": [0, -1, -1], "threshold": [0.1, -2.0, -2.0], "left": [1, -1, -1], "right": [2, -1, -1], "value": [0.0, -0.25, 1.5e-3]}"#

    /// Numbers written every way JSON allows, unknown keys of every kind, keys in another order, white space.
    @Test func readsUnusualButValidFilesLikeJSONDecoder() throws {
        let texts = [
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":["a","b"],"initial":-1,"trees":[\#(Self.tree)]}"#,
            #" { "trees" : [ \#(Self.tree) , \#(Self.tree) ] , "initial" : 2.5E+2 , "features" : [ ] , "profile" : "thermal" , "version" : "x" , "format" : "spotter-gbt-1" , "training" : {"a": [1, 2.5, "s", true, false, null, {"b": []}]} } "#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":["a"],"initial":0.30000000000000004,"trees":[],"extra":-0.0}"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":["a"],"initial":1e-320,"trees":[]}"#,
        ]
        for text in texts {
            let fast = try #require(Self.fast(text), "\(text)")
            let decoded = try #require(Self.decoded(text))
            #expect(fast == decoded)
            #expect(Self.bits(fast) == Self.bits(decoded))
        }
    }

    /// Escapes, integers written as decimals, duplicate keys, bad syntax, trailing bytes, missing keys: the fast
    /// reader gives up and leaves the file to `JSONDecoder`.
    @Test func givesUpOnWhatItDoesNotHandle() {
        let texts = [
            #"{"format":"spotter-gbt-1","version":"v\u0041","profile":"rgb","features":[],"initial":0,"trees":[]}"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":[],"initial":0,"trees":[{"feature": [1.0], "threshold": [0], "left": [0], "right": [0], "value": [0]}]}"#,
            #"{"format":"spotter-gbt-1","format":"x","version":"v","profile":"rgb","features":[],"initial":0,"trees":[]}"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":[],"initial":01,"trees":[]}"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":[],"initial":0,"trees":[]} x"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":[],"trees":[]}"#,
            #"{"format":"spotter-gbt-1","version":"v","profile":"rgb","features":[],"initial":1e999,"trees":[]}"#,
            "not json", "", "{", #"{"format":"spotter-gbt-1","version":"v","#,
        ]
        for text in texts { #expect(Self.fast(text) == nil, "\(text)") }
    }
}
