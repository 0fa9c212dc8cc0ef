import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// The patch a scan cuts for a candidate from its band ring must be the patch of the whole frame: the patch CNN is
/// trained on whole-frame patches around labelled people, and a patch cut before its bottom rows were decoded would
/// repeat its last row there instead.
@Suite struct CandidatePatchTests {
    @Test(arguments: [32, 48])
    func scanPatchesEqualWholeFramePatches(side: Int) throws {
        let (w, h) = (200, 160)
        var targets: [(x: Int, y: Int, w: Int, h: Int, rgb: (UInt8, UInt8, UInt8))] = []
        var rng = SplitMix64(seed: 41)
        for _ in 0..<24 {
            targets.append((rng.below(w - 4), rng.below(h - 9), 2 + rng.below(3), 4 + rng.below(6),
                            (UInt8(rng.below(256)), UInt8(rng.below(256)), UInt8(rng.below(256)))))
        }
        let rgbx = seaFrame(width: w, height: h, seed: 7, targets: targets)
        var rgb = Image(width: w, height: h, channels: 3)
        for i in 0..<w * h { for c in 0..<3 { rgb.pixels[3 * i + c] = rgbx[4 * i + c] } }
        var options = ScanOptions()
        options.keepCandidates = true
        options.bandRows = 4  // small bands: many candidates close over rows not yet decoded
        options.rgbCandidates.patchSide = side
        let result = FrameScanner(options: options).scan(bytes: try ImageEncoder.png(rgb), name: "sea.png")
        #expect(result.error == nil)
        let candidates = try #require(result.candidates)
        #expect(candidates.count >= 10)
        rgbx.withUnsafeBufferPointer { frame in
            let rows = { (y: Int) in UnsafeRawPointer(frame.baseAddress! + 4 * w * y).assumingMemoryBound(to: UInt32.self) }
            for (_, c) in candidates {
                let b = c.blob
                let whole = PatchSampler.patch(
                    side: side, cx: (b.minX + b.maxX + 1) / 2, cy: (b.minY + b.maxY + 1) / 2, width: w, rows: 0..<h, row: rows)
                let rowBytes = 3 * side
                let differing = (0..<side).filter { y in
                    c.patch.count != whole.count || c.patch[y * rowBytes..<(y + 1) * rowBytes] != whole[y * rowBytes..<(y + 1) * rowBytes]
                }
                #expect(differing.isEmpty, "\(c.kind) candidate \(b.minX),\(b.minY)–\(b.maxX),\(b.maxY): patch rows \(differing) differ")
            }
        }
    }
}
