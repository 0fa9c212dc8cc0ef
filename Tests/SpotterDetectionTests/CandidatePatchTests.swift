import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// The patch a scan cuts for a candidate from its band ring must be the patch of the whole frame: the patch CNN is
/// trained on whole-frame patches around labelled people, and a patch cut before its bottom rows were decoded would
/// repeat its last row there instead.
@Suite struct CandidatePatchTests {
    typealias Target = (x: Int, y: Int, w: Int, h: Int, rgb: (UInt8, UInt8, UInt8))

    /// A sea frame of `w` × `h` with `targets` and `count` more small ones of random colours: RGBX and RGB.
    static func frame(_ w: Int, _ h: Int, seed: UInt64, targets: [Target] = [], count: Int) -> ([UInt8], Image) {
        var targets = targets
        var rng = SplitMix64(seed: seed)
        for _ in 0..<count {
            targets.append((rng.below(w - 4), rng.below(h - 9), 2 + rng.below(3), 4 + rng.below(6),
                            (UInt8(rng.below(256)), UInt8(rng.below(256)), UInt8(rng.below(256)))))
        }
        let rgbx = seaFrame(width: w, height: h, seed: seed &+ 1, targets: targets)
        var rgb = Image(width: w, height: h, channels: 3)
        for i in 0..<w * h { for c in 0..<3 { rgb.pixels[3 * i + c] = rgbx[4 * i + c] } }
        return (rgbx, rgb)
    }

    /// A warm-ground thermal frame of `w` × `h` with 20 hot blobs, 8- or 16-bit (16-bit samples are 97 × the 8-bit
    /// level).
    static func thermalFrame(_ w: Int, _ h: Int, seed: UInt64, bytesPerSample: Int) -> Image {
        var rng = SplitMix64(seed: seed)
        var image = Image(width: w, height: h, channels: 1, bytesPerSample: bytesPerSample)
        func put(_ x: Int, _ y: Int, _ v: Int) {
            let s = bytesPerSample == 2 ? v * 97 : v
            for k in 0..<bytesPerSample { image.pixels[(y * w + x) * bytesPerSample + k] = UInt8(truncatingIfNeeded: s >> (8 * k)) }
        }
        for y in 0..<h { for x in 0..<w { put(x, y, 70 + (x + 2 * y) / 20 + rng.below(8)) } }
        for _ in 0..<20 {
            let (x0, y0, bw, bh, v) = (rng.below(w - 3), rng.below(h - 7), 2 + rng.below(3), 3 + rng.below(6), 150 + rng.below(100))
            for y in y0..<min(h, y0 + bh) { for x in x0..<min(w, x0 + bw) { put(x, y, v) } }
        }
        return image
    }

    @Test(arguments: [32, 48])
    func scanPatchesEqualWholeFramePatches(side: Int) throws {
        let (w, h) = (200, 160)
        let (rgbx, rgb) = Self.frame(w, h, seed: 41, count: 24)
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

    /// A target near the top of a tall frame with nothing below it for hundreds of rows: its blob must reach the
    /// tracker while its rows are still in the ring, not when the next row with anything in it arrives.
    @Test func aLoneTargetAtTheTopIsMeasuredFromItsOwnRows() throws {
        let (w, h) = (120, 900)
        // Calm, even water: no detector finds anything in the rows between the two targets.
        var rgbx = [UInt8](repeating: 255, count: 4 * w * h)
        for i in 0..<w * h { (rgbx[4 * i], rgbx[4 * i + 1], rgbx[4 * i + 2]) = (40, 90, 120) }
        for (x0, y0, colour) in [(60, 6, (250, 20, 20)), (30, 860, (20, 250, 20))] as [(Int, Int, (UInt8, UInt8, UInt8))] {
            for y in y0..<y0 + 6 { for x in x0..<x0 + 3 { (rgbx[4 * (y * w + x)], rgbx[4 * (y * w + x) + 1], rgbx[4 * (y * w + x) + 2]) = colour } }
        }
        var rgb = Image(width: w, height: h, channels: 3)
        for i in 0..<w * h { for c in 0..<3 { rgb.pixels[3 * i + c] = rgbx[4 * i + c] } }
        var options = ScanOptions()
        options.keepCandidates = true
        options.bandRows = 4
        options.rgbCandidates.patchSide = 32
        let result = FrameScanner(options: options).scan(bytes: try ImageEncoder.png(rgb), name: "tall.png")
        let candidates = try #require(result.candidates).map(\.1)
        let top = try #require(candidates.first { $0.blob.minY <= 12 && $0.blob.minX >= 55 && $0.blob.maxX <= 66 })
        let b = top.blob
        rgbx.withUnsafeBufferPointer { frame in
            let whole = PatchSampler.patch(
                side: 32, cx: (b.minX + b.maxX + 1) / 2, cy: (b.minY + b.maxY + 1) / 2, width: w, rows: 0..<h,
                row: { UnsafeRawPointer(frame.baseAddress! + 4 * w * $0).assumingMemoryBound(to: UInt32.self) })
            #expect(top.patch == whole)
        }
    }

    /// The same for thermal frames (8- and 16-bit): one channel, samples as decoded.
    @Test(arguments: [(32, 1), (56, 1), (40, 2), (120, 1)])
    func thermalScanPatchesEqualWholeFramePatches(side: Int, bytesPerSample: Int) throws {
        let (w, h) = (180, 150)
        let image = Self.thermalFrame(w, h, seed: UInt64(side + bytesPerSample), bytesPerSample: bytesPerSample)
        var options = ScanOptions()
        options.profile = .thermal
        options.keepCandidates = true
        options.bandRows = 4  // small bands: many candidates close over rows not yet decoded
        options.thermalCandidates.patchSide = side
        let result = FrameScanner(options: options).scan(bytes: try ImageEncoder.png(image), name: "warm.png")
        #expect(result.error == nil)
        let candidates = try #require(result.candidates)
        #expect(candidates.count >= 10)
        image.pixels.withUnsafeBufferPointer { frame in
            let rows = { (y: Int) in UnsafeRawPointer(frame.baseAddress! + w * bytesPerSample * y) }
            for (_, c) in candidates {
                let b = c.blob
                let whole = PatchSampler.grayPatch(
                    side: side, cx: (b.minX + b.maxX + 1) / 2, cy: (b.minY + b.maxY + 1) / 2, width: w,
                    bytesPerSample: bytesPerSample, rows: 0..<h, row: rows)
                let rowBytes = side * bytesPerSample
                let differing = (0..<side).filter { y in
                    c.patch.count != whole.count || c.patch[y * rowBytes..<(y + 1) * rowBytes] != whole[y * rowBytes..<(y + 1) * rowBytes]
                }
                #expect(differing.isEmpty, "\(c.kind) candidate \(b.minX),\(b.minY)–\(b.maxX),\(b.maxY): patch rows \(differing) differ")
            }
        }
    }

    /// Cutting patches must not change what is measured: the re-ranker is trained on features of scans without
    /// patches and scores scans with them. Wide and tall targets whose feature grids reach far beyond their boxes
    /// (the rows a patch makes the scan wait for or keep) included.
    @Test func featuresAreTheSameWithOrWithoutPatches() throws {
        let (w, h) = (260, 300)
        let large: [Target] = [(20, 30, 70, 14, (250, 240, 20)), (150, 40, 9, 92, (20, 20, 230)), (100, 200, 50, 40, (240, 30, 30))]
        let (rgbx, rgb) = Self.frame(w, h, seed: 17, targets: large, count: 30)
        var gray = Image(width: w, height: h, channels: 1)
        for i in 0..<w * h { gray.pixels[i] = rgbx[4 * i] / 2 + rgbx[4 * i + 2] / 2 }
        for (image, thermal) in [(rgb, false), (gray, true)] {
            let png = try ImageEncoder.png(image)
            func scan(patchSide: Int) throws -> [Candidate] {
                var options = ScanOptions()
                options.keepCandidates = true
                options.bandRows = 4
                if thermal {
                    options.profile = .thermal
                    options.thermalCandidates.patchSide = patchSide
                } else {
                    options.rgbCandidates.patchSide = patchSide
                }
                let result = FrameScanner(options: options).scan(bytes: png, name: "frame.png")
                #expect(result.error == nil)
                return try #require(result.candidates).map(\.1)
            }
            let plain = try scan(patchSide: 0), cut = try scan(patchSide: 48)
            #expect(plain.count >= 10 && plain.count == cut.count, "thermal \(thermal): \(plain.count) vs \(cut.count)")
            #expect(plain.contains { $0.blob.maxY - $0.blob.minY >= 80 }, "a tall candidate")
            #expect(cut.allSatisfy { !$0.patch.isEmpty })
            for (a, b) in zip(plain, cut) {
                #expect(a.blob.minX == b.blob.minX && a.blob.minY == b.blob.minY && a.blob.maxX == b.blob.maxX
                    && a.blob.maxY == b.blob.maxY && a.kind == b.kind)
                #expect(a.features == b.features, "thermal \(thermal): \(a.kind) \(a.blob.minX),\(a.blob.minY)–\(a.blob.maxX),\(a.blob.maxY)")
            }
        }
    }
}
