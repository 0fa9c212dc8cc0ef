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

    /// Single-channel (thermal) patches, 8- and 16-bit, against their sample-by-sample reference.
    @Test(arguments: [(1, 1), (7, 1), (32, 1), (33, 1), (1, 2), (7, 2), (33, 2)])
    func grayPatchesEqualTheReference(side: Int, bytesPerSample: Int) {
        let width = 45, height = 40
        var rng = SplitMix64(seed: UInt64(100 + side))
        let pixels = rng.bytes(width * height * bytesPerSample)
        pixels.withUnsafeBufferPointer { frame in
            let row = { (y: Int) in UnsafeRawPointer(frame.baseAddress! + y * width * bytesPerSample) }
            let centres = [-40, -3, 0, 1, side / 2, 10, 22, width - 1 - side / 2, width - 1, width + 5, 80]
            for rows in [0..<height, 5..<17, 39..<40] {
                for cx in centres {
                    for cy in centres {
                        let fast = PatchSampler.grayPatch(
                            side: side, cx: cx, cy: cy, width: width, bytesPerSample: bytesPerSample, rows: rows, row: row)
                        let reference = PatchSampler.grayPatchReference(
                            side: side, cx: cx, cy: cy, width: width, bytesPerSample: bytesPerSample, rows: rows, row: row)
                        #expect(fast == reference, "side \(side), \(bytesPerSample) bytes, centre (\(cx), \(cy)), rows \(rows)")
                    }
                }
            }
            // A patch inside the frame is the frame's pixels.
            let inside = PatchSampler.grayPatch(
                side: side, cx: 22, cy: 20, width: width, bytesPerSample: bytesPerSample, rows: 0..<height, row: row)
            let b = bytesPerSample, x0 = 22 - side / 2, y0 = 20 - side / 2
            if x0 >= 0 && x0 + side <= width && y0 >= 0 && y0 + side <= height {
                for py in 0..<side {
                    let start = ((y0 + py) * width + x0) * b
                    #expect(Array(inside[py * side * b..<(py + 1) * side * b]) == Array(pixels[start..<start + side * b]))
                }
            }
            #expect(PatchSampler.grayPatch(side: side, cx: 3, cy: 3, width: width, bytesPerSample: bytesPerSample, rows: 4..<4, row: row)
                == [UInt8](repeating: 0, count: side * side * bytesPerSample))
        }
    }
}
