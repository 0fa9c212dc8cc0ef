import Foundation
import SpotterImaging
import Testing
import _SpotterTestSupport

/// `spotter bench --candidates-csv --patches` on thermal frames: the training data of a thermal patch classifier.
/// Every candidate patch is the frame's pixels around the candidate's box (one 8-bit channel), every person patch the
/// frame's pixels around the labelled box.
@Suite struct BenchPatchesTests {
    static let (width, height) = (120, 96)

    /// A gray frame with a gradient, seeded noise and warm rectangles; its pixels.
    static func frame(seed: UInt64, warm: [(x: Int, y: Int, w: Int, h: Int)]) -> Image {
        var rng = SplitMix64(seed: seed)
        var image = Image(width: width, height: height, channels: 1)
        for y in 0..<height { for x in 0..<width { image.pixels[y * width + x] = UInt8(60 + (x + y) / 8 + rng.below(6)) } }
        for r in warm { for y in r.y..<r.y + r.h { for x in r.x..<r.x + r.w { image.pixels[y * width + x] = UInt8(180 + rng.below(40)) } } }
        return image
    }

    /// The `side` × `side` square of `image` centred on (cx, cy), edges repeated.
    static func square(_ image: Image, cx: Int, cy: Int, side: Int) -> [UInt8] {
        var out: [UInt8] = []
        for py in 0..<side {
            for px in 0..<side {
                let x = min(max(cx - side / 2 + px, 0), image.width - 1), y = min(max(cy - side / 2 + py, 0), image.height - 1)
                out.append(image.pixels[y * image.width + x])
            }
        }
        return out
    }

    /// With the re-ranker (and the thermal profile's CNN, which is left out with a note) or without.
    @Test(arguments: [["--no-rerank"], []])
    func thermalCandidateAndPersonPatchesAreTheFramesPixels(ranking: [String]) throws {
        try TemporaryDirectory.with { dir in
            let people: [[(x: Int, y: Int, w: Int, h: Int)]] = [[(20, 30, 5, 9), (100, 85, 6, 8)], [(50, 2, 4, 7)]]
            let frames = people.enumerated().map { i, warm in Self.frame(seed: UInt64(i + 1), warm: warm) }
            for (i, f) in frames.enumerated() { try dir.write(try ImageEncoder.png(f), to: "images/f\(i).png") }
            let entries = people.enumerated().map { i, boxes in
                "{\"file\": \"images/f\(i).png\", \"width\": \(Self.width), \"height\": \(Self.height), \"has_person\": true, "
                    + "\"persons\": [\(boxes.map { "[\($0.x), \($0.y), \($0.w), \($0.h)]" }.joined(separator: ", "))], \"ignore\": []}"
            }
            try dir.write(Array("{\"dataset\": \"warm\", \"images\": [\(entries.joined(separator: ", "))]}".utf8), to: "labels.json")
            let side = 24
            let run = try SpotterProcess.run([
                "bench", dir.path, "--candidates-csv", dir.url("c.csv"), "--patches", dir.url("p"),
                "--patch-side", "\(side)",
            ] + ranking)
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.contains("thermal-cnn-1 left out") == ranking.isEmpty, "\(run)")

            let rows = try #require(CSV.parse(try String(contentsOfFile: dir.url("c.csv"), encoding: .utf8))).dropFirst()
            let candidates = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.url("p-candidates.u8"))))
            #expect(rows.count >= 3)
            // Scores are written exactly (shortest round trip), so that a re-evaluation of the CSV outside bench
            // (tools/training/bootstrap_eval.py) ranks ties and the false-alarm cut-offs as bench did.
            let scores = rows.map { String($0[8]) }
            #expect(scores.allSatisfy { Double($0).map { String($0) } == $0 }, "\(scores.prefix(5))")
            #expect(scores.contains { ($0.split(separator: ".").last?.count ?? 0) > 6 }, "not rounded: \(scores.prefix(5))")
            #expect(candidates.count == rows.count * side * side, "one 8-bit channel per candidate patch")
            for (k, row) in rows.enumerated() where candidates.count == rows.count * side * side {
                let i = try #require(Int(row[0].dropFirst("images/f".count).dropLast(".png".count)))
                let (x, y, w, h) = (Int(row[4])!, Int(row[5])!, Int(row[6])!, Int(row[7])!)
                let want = Self.square(frames[i], cx: (2 * x + w) / 2, cy: (2 * y + h) / 2, side: side)
                #expect(Array(candidates[k * side * side..<(k + 1) * side * side]) == want, "candidate \(k): \(row[0...7])")
            }

            let persons = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.url("p-persons.u8"))))
            let personRows = try String(contentsOfFile: dir.url("p-persons.csv"), encoding: .utf8).split(separator: "\n")
            #expect(personRows.first == "file,x,y,w,h" && personRows.count == 4)
            #expect(persons.count == 3 * side * side)
            var k = 0
            for (i, boxes) in people.enumerated() {
                for b in boxes where persons.count == 3 * side * side {
                    let want = Self.square(frames[i], cx: b.x + b.w / 2, cy: b.y + b.h / 2, side: side)
                    #expect(Array(persons[k * side * side..<(k + 1) * side * side]) == want, "person \(k)")
                    k += 1
                }
            }
        }
    }

    @Test func sixteenBitThermalFramesAreRefusedWithTheFileNamed() throws {
        try TemporaryDirectory.with { dir in
            var image = Image(width: 64, height: 48, channels: 1, bytesPerSample: 2)
            var rng = SplitMix64(seed: 9)
            for i in 0..<64 * 48 {
                let v = 30000 + rng.below(200) + (i % 64 > 30 && i % 64 < 34 && i / 64 > 20 && i / 64 < 28 ? 3000 : 0)
                image.pixels[2 * i] = UInt8(v & 255)
                image.pixels[2 * i + 1] = UInt8(v >> 8)
            }
            let path = try dir.write(try ImageEncoder.png(image), to: "images/raw16.png")
            try dir.write(Array(("{\"dataset\": \"raw\", \"images\": [{\"file\": \"images/raw16.png\", \"width\": 64, \"height\": 48, "
                + "\"has_person\": true, \"persons\": [[31, 21, 3, 7]], \"ignore\": []}]}").utf8), to: "labels.json")
            let run = try SpotterProcess.run([
                "bench", dir.path, "--no-rerank", "--candidates-csv", dir.url("c.csv"), "--patches", dir.url("p"),
            ])
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderr.contains("\(path): 16-bit thermal frame; --patches writes 8-bit patches only"), "\(run)")
        }
    }
}
