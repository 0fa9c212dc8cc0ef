import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// Writes an 8-bit gray thermal-like frame with warm blobs as lossless PNG bytes.
func thermalPNG(width: Int, height: Int, hot: [(x: Int, y: Int)], seed: UInt64) throws -> [UInt8] {
    var image = Image(width: width, height: height, channels: 1)
    var rng = SplitMix64(seed: seed)
    for y in 0..<height { for x in 0..<width {
        image.pixels[y * width + x] = UInt8(80 + (x + y) / 40 + rng.below(6))
    } }
    for h in hot {
        for dy in -3...3 { for dx in -2...2 {
            let x = h.x + dx, y = h.y + dy
            if x >= 0, y >= 0, x < width, y < height { image.pixels[y * width + x] = 170 }
        } }
    }
    return try ImageEncoder.png(image)
}

@Suite struct ScannerTests {
    @Test func findsPlantedHotspotsFirst() throws {
        let hot = [(x: 40, y: 30), (x: 150, y: 90), (x: 3, y: 117)]
        let png = try thermalPNG(width: 200, height: 120, hot: hot, seed: 5)
        let scanner = FrameScanner(options: ScanOptions())
        let result = scanner.scan(bytes: png, name: "synthetic.png")
        #expect(result.error == nil)
        #expect(result.profile == "thermal")
        #expect(result.width == 200 && result.height == 120)
        let top = result.detections.prefix(3)
        for h in hot {
            #expect(top.contains { d in
                d.box.x <= h.x && h.x < d.box.x + d.box.width && d.box.y <= h.y && h.y < d.box.y + d.box.height
            }, "hotspot at \(h)")
        }
        #expect(top.allSatisfy { $0.detector == "hotspot" })
        #expect(result.detections == result.detections.sorted(by: NonMaximumSuppression.rankedBefore))
    }

    @Test func findsAPlantedColourTargetInAnRGBFrame() throws {
        let (w, h) = (160, 96)
        let rgbx = seaFrame(width: w, height: h, seed: 11, targets: [(101, 40, 3, 7, (210, 50, 40))])
        var rgb = Image(width: w, height: h, channels: 3)
        for i in 0..<w * h { for c in 0..<3 { rgb.pixels[3 * i + c] = rgbx[4 * i + c] } }
        let result = FrameScanner(options: ScanOptions()).scan(bytes: try ImageEncoder.png(rgb), name: "sea.png")
        #expect(result.error == nil)
        #expect(result.profile == "rgb")
        let best = try #require(result.detections.first)
        #expect(["rx", "contrast"].contains(best.detector))
        #expect(best.box.x <= 102 && 102 < best.box.x + best.box.width && best.box.y <= 43 && 43 < best.box.y + best.box.height)
    }

    @Test func scaledDecodeReportsFullResolutionBoxes() throws {
        // A JPEG so DCT scaling applies; the planted blob must come back near its full-resolution place.
        var image = Image(width: 256, height: 192, channels: 1)
        var rng = SplitMix64(seed: 2)
        for i in image.pixels.indices { image.pixels[i] = UInt8(90 + rng.below(5)) }
        for y in 100..<116 { for x in 180..<192 { image.pixels[y * 256 + x] = 220 } }
        let jpeg = try ImageEncoder.jpeg(image, quality: 95)
        for scale in [1, 2, 4] {
            var options = ScanOptions()
            options.scale = scale
            let result = FrameScanner(options: options).scan(bytes: jpeg, name: "s.jpg")
            #expect(result.width == 256 && result.height == 192)
            let best = try #require(result.detections.first, "scale \(scale)")
            #expect(abs(best.box.centreX - 186) <= Double(2 * scale) && abs(best.box.centreY - 108) <= Double(2 * scale), "scale \(scale): \(best.box)")
            #expect(best.box.x % scale == 0 && best.box.y % scale == 0)
        }
    }

    @Test func badBytesBecomeAFailedFrameNotACrash() {
        let scanner = FrameScanner(options: ScanOptions())
        let result = scanner.scan(bytes: Array("hello, not an image".utf8), name: "note.jpg")
        #expect(result.error?.code == .notAnImage)
        #expect(result.detections.isEmpty)
        // The scanner is still usable afterwards.
        let ok = scanner.scan(bytes: try! thermalPNG(width: 50, height: 40, hot: [(25, 20)], seed: 1), name: "ok.png")
        #expect(ok.error == nil && !ok.detections.isEmpty)
    }

    @Test func rgbProfileOnAGrayFrameIsAClearError() throws {
        var options = ScanOptions()
        options.profile = .rgb
        let result = FrameScanner(options: options).scan(bytes: try thermalPNG(width: 30, height: 30, hot: [], seed: 1), name: "g.png")
        #expect(result.error?.code == .unsupported)
        #expect(result.error?.message.contains("colour") == true)
    }

    @Test func batchKeepsInputOrderAndRecordsFailures() throws {
        try TemporaryDirectory.with { dir in
        var files: [String] = []
        for i in 0..<7 {
            let bytes = i == 3 ? Array("broken".utf8) : try thermalPNG(width: 64, height: 48, hot: [(10 + i, 20)], seed: UInt64(i))
            files.append(try dir.write(bytes, to: "f\(i).png"))
        }
        for threads in [1, 3] {
            let order = OrderBox()
            BatchScanner(options: ScanOptions(), threads: threads).run(files: files, onResult: { i, r in order.add(i, r) })
            #expect(order.indices == Array(0..<7))
            #expect(order.results.map(\.file) == files)
            #expect(order.results.filter(\.failed).map(\.file) == [files[3]])
        }
        }
    }
}

final class OrderBox: @unchecked Sendable {
    var indices: [Int] = []
    var results: [FrameResult] = []
    func add(_ i: Int, _ r: FrameResult) { indices.append(i); results.append(r) }
}

@Suite struct EdgeTests {
    @Test func aBrightnessRampDoesNotMakeTheFrameEdgeHot() throws {
        // A smooth ramp towards every edge, with noise: the background follows it, so nothing stands out.
        var image = Image(width: 200, height: 120, channels: 1)
        var rng = SplitMix64(seed: 4)
        for y in 0..<120 { for x in 0..<200 {
            image.pixels[y * 200 + x] = UInt8(30 + x * 3 / 4 + y / 2 + rng.below(4))
        } }
        let result = FrameScanner(options: ScanOptions()).scan(bytes: try ImageEncoder.png(image), name: "ramp.png")
        #expect(result.error == nil)
        // Candidates at the permissive threshold (3) are noise; nothing reaches 4 robust deviations.
        #expect(result.detections.allSatisfy { $0.score < 4 }, "\(result.detections.prefix(3))")
    }

    @Test func partialLastBlockRowsAreNotScoredAtReducedScale() {
        func info(_ w: Int, _ h: Int, scale: Int) -> ImageInfo {
            ImageInfo(
                format: .jpeg, width: (w + scale - 1) / scale, height: (h + scale - 1) / scale, sourceWidth: w,
                sourceHeight: h, channels: 4, bitsPerSample: 8, sourceChannels: 3, sourceBits: 8, isProgressive: false,
                wasConverted: false, scale: scale)
        }
        #expect(FrameScanner.scoredSize(info(4000, 2250, scale: 8)) == (500, 281))
        #expect(FrameScanner.scoredSize(info(4000, 2250, scale: 2)) == (2000, 1125))
        #expect(FrameScanner.scoredSize(info(4001, 2250, scale: 1)) == (4001, 2250))
        #expect(FrameScanner.scoredSize(info(4001, 2251, scale: 4)) == (1000, 562))
    }
}
