import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// The patch cutter against its pixel-by-pixel reference, inside the frame and across every edge.
@Suite struct PatchSamplerTests {
    @Test(arguments: [1, 2, 7, 32, 33])
    func cutPatchesEqualTheReference(side: Int) {
        let width = 45, height = 40
        var rng = SplitMix64(seed: UInt64(side))
        let pixels: [UInt32] = (0..<(width * height)).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
        pixels.withUnsafeBufferPointer { frame in
            let row = { (y: Int) -> UnsafePointer<UInt32> in frame.baseAddress! + y * width }
            let centres = [-40, -3, 0, 1, side / 2, 10, 22, width - 1 - side / 2, width - 1, width + 5, 80]
            for rows in [0..<height, 5..<17, 39..<40] {
                for cx in centres {
                    for cy in centres {
                        let fast = PatchSampler.patch(side: side, cx: cx, cy: cy, width: width, rows: rows, row: row)
                        let reference = PatchSampler.patchReference(side: side, cx: cx, cy: cy, width: width, rows: rows, row: row)
                        #expect(fast == reference, "side \(side), centre (\(cx), \(cy)), rows \(rows)")
                    }
                }
            }
            #expect(PatchSampler.patch(side: side, cx: 3, cy: 3, width: width, rows: 4..<4, row: row) == [UInt8](repeating: 0, count: side * side * 3))
        }
    }
}
