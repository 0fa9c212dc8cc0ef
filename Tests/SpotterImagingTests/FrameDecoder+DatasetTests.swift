import SpotterImaging
import Testing
import _SpotterTestSupport

/// Every real frame in the shared datasets decodes: headers for all of them (cheap), pixels for a sample.
@Suite("Shared datasets decode")
struct DatasetDecodeTests {
    static let imageExtensions: Set<String> = ["jpg", "JPG", "jpeg", "JPEG", "png", "PNG"]

    @Test("the shared datasets folder is where the tests look for it")
    func datasetsArePresent() {
        #expect(
            SharedDatasets.isAvailable,
            "no datasets at \(SharedDatasets.root): set SPOTTER_SHARED_DATASETS or put shared/ beside the package")
    }

    /// Labelled datasets: every image file on disk is named in labels.json and vice versa, and each header gives
    /// the labelled size and the expected channel count (HIT-UAV thermal is 1-channel, TinyPerson 3-channel).
    @Test(
        "headers of every labelled frame match labels.json", .enabled(if: SharedDatasets.isAvailable),
        arguments: [
            ("hit-uav-thermal-test300", 300, 1), ("hit-uav-thermal-train400", 400, 1), ("tinyperson-coast-valid", 153, 3),
        ])
    func labelledHeaders(dataset: String, count: Int, channels: Int) throws {
        let labels = try SharedDatasets.labels(dataset)
        #expect(labels.images.count == count)
        let onDisk = Set(SharedDatasets.files(in: dataset + "/images", extensions: Self.imageExtensions))
        let labelled = Set(labels.images.map { SharedDatasets.path(dataset + "/" + $0.file) })
        #expect(onDisk == labelled, "images on disk and in labels.json differ")
        let decoder = FrameDecoder()
        for entry in labels.images {
            let path = SharedDatasets.path(dataset + "/" + entry.file)
            do throws(ImagingError) {
                try decoder.load(path: path)
                let info = try decoder.begin()
                decoder.end()
                #expect(info.format == .jpeg, "\(entry.file)")
                #expect(info.width == entry.width && info.height == entry.height, "\(entry.file): \(info.width)x\(info.height)")
                #expect(info.sourceWidth == entry.width && info.sourceHeight == entry.height, "\(entry.file)")
                #expect(info.channels == channels && info.sourceChannels == channels, "\(entry.file)")
                #expect(info.bitsPerSample == 8 && !info.isProgressive, "\(entry.file)")
            } catch {
                Issue.record("\(entry.file): \(error)")
            }
        }
    }

    /// TinyPerson person-free tiles are 160×160 RGB PNGs.
    @Test("headers of the TinyPerson negative PNG tiles", .enabled(if: SharedDatasets.isAvailable))
    func negativeTileHeaders() throws {
        let files = SharedDatasets.files(in: "tinyperson-coast-valid/negatives", extensions: Self.imageExtensions)
        #expect(files.count == 40)
        let decoder = FrameDecoder()
        for path in files {
            do throws(ImagingError) {
                try decoder.load(path: path)
                let info = try decoder.begin()
                decoder.end()
                #expect(info.format == .png && info.width == 160 && info.height == 160 && info.channels == 3, "\(path)")
            } catch {
                Issue.record("\(path): \(error)")
            }
        }
    }

    /// Unlabelled folders: every file's header, against the sizes in their SOURCE.txt.
    @Test("headers of the unlabelled frames", .enabled(if: SharedDatasets.isAvailable))
    func unlabelledHeaders() throws {
        let expected: [String: (Int, Int)] = [
            "FLIR.jpg": (480, 640), "FLIR_AX8.jpg": (640, 480), "FLIR_B60.jpg": (240, 240), "FLIR_E40.jpg": (320, 240),
            "FLIR_T640.jpg": (640, 480), "H30T_DJI_0001_R.JPG": (1280, 1024), "M30T_DJI_0001_R.JPG": (1280, 1024),
            "FLIR_iPhone_device.jpg": (480, 640),
        ]
        var files = SharedDatasets.files(in: "brighton-beach-frames", extensions: Self.imageExtensions)
        #expect(files.count == 12)
        files += SharedDatasets.files(in: "heridal-sample", extensions: Self.imageExtensions)
        let thermal = SharedDatasets.files(in: "thermal-radiometric-samples", extensions: Self.imageExtensions)
        #expect(thermal.count == 21)
        files += thermal
        let decoder = FrameDecoder()
        for path in files {
            let name = String(path.split(separator: "/").last!)
            let size = path.contains("/thermal-radiometric-samples/") ? expected[name] ?? (640, 512) : (4000, 2250)
            do throws(ImagingError) {
                try decoder.load(path: path)
                let info = try decoder.begin()
                decoder.end()
                #expect(info.format == .jpeg && info.channels == 3 && info.sourceChannels == 3, "\(name)")
                #expect(info.width == size.0 && info.height == size.1, "\(name): \(info.width)x\(info.height)")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
    }

    /// A deterministic sample: every 25th frame of each labelled set, all negative tiles' first and last, every
    /// thermal sample, at full size.
    static var fullDecodeSample: [String] {
        guard SharedDatasets.isAvailable else { return [] }
        var out: [String] = []
        for dataset in ["hit-uav-thermal-test300", "hit-uav-thermal-train400", "tinyperson-coast-valid"] {
            let files = SharedDatasets.files(in: dataset + "/images", extensions: imageExtensions)
            out += stride(from: 0, to: files.count, by: 25).map { files[$0] }
        }
        let tiles = SharedDatasets.files(in: "tinyperson-coast-valid/negatives", extensions: imageExtensions)
        out += [tiles.first, tiles.last].compactMap { $0 }
        out += SharedDatasets.files(in: "thermal-radiometric-samples", extensions: imageExtensions)
            .filter { !$0.hasSuffix("/DJI_XTS.jpg") }
        return out.map { String($0.dropFirst(SharedDatasets.root.count + 1)) }
    }

    @Test("a sample of frames decodes whole", .enabled(if: SharedDatasets.isAvailable), arguments: fullDecodeSample)
    func fullDecode(relative: String) throws {
        let decoder = FrameDecoder()
        try decoder.load(path: SharedDatasets.path(relative))
        let info = try decoder.begin()
        let image = try decoder.decodeImage()
        #expect(image.width == info.width && image.height == info.height && image.channels == info.channels)
        // Real frames have content: a decoder delivering a constant grey frame would fail this.
        #expect(standardDeviation(image) > 2, "decoded frame is (nearly) constant")
        // Clean files decode without a single libjpeg/libpng warning, including those with a preview after EOI.
        #expect(decoder.diagnostics.isEmpty, "\(decoder.diagnostics)")
    }

    /// The 4000×2250 frames at 1/8 scale: 500×282 (ceil), content present, no warnings.
    @Test(
        "large frames decode at scale 8", .enabled(if: SharedDatasets.isAvailable),
        arguments: SharedDatasets.isAvailable
            ? (SharedDatasets.files(in: "brighton-beach-frames", extensions: imageExtensions)
                + SharedDatasets.files(in: "heridal-sample", extensions: imageExtensions))
                .map { String($0.dropFirst(SharedDatasets.root.count + 1)) } : [])
    func largeFrameAtScale8(relative: String) throws {
        let decoder = FrameDecoder()
        try decoder.load(path: SharedDatasets.path(relative))
        let image = try decoder.decodeImage(DecodeOptions(scale: 8))
        #expect(image.width == 500 && image.height == 282 && image.channels == 3)
        #expect(standardDeviation(image) > 2)
        #expect(decoder.diagnostics.isEmpty, "\(decoder.diagnostics)")
    }

    /// Several DJI files carry an MPF preview JPEG after the first EOI, and some end with that preview's bytes
    /// rather than FF D9: only the first image is decoded, and it decodes cleanly.
    @Test("files with a second JPEG after the first EOI decode the first", .enabled(if: SharedDatasets.isAvailable),
          arguments: ["M3T_DJI_0001_R.JPG", "M3TD_DJI_0001_R.JPG", "M4T_DJI_0001_R.JPG", "H30T_DJI_0001_R.JPG", "M30T_DJI_0001_R.JPG"])
    func previewAfterEOI(name: String) throws {
        let path = SharedDatasets.path("thermal-radiometric-samples/" + name)
        let decoder = FrameDecoder()
        try decoder.load(path: path)
        let layout = JPEGLayout(Array(decoder.bytes))
        let eoi = try #require(layout.eoi)
        // The premise: there is more JPEG after the first image's EOI.
        let rest = Array(decoder.bytes[(eoi + 2)...])
        #expect(rest.count > 1000)
        #expect(rest.indices.dropLast(2).contains { rest[$0] == 0xFF && rest[$0 + 1] == 0xD8 && rest[$0 + 2] == 0xFF })
        let image = try decoder.decodeImage(DecodeOptions(scale: name.hasPrefix("M3") || name.hasPrefix("M4") ? 1 : 2))
        #expect(image.width > 0 && standardDeviation(image) > 2)
        #expect(decoder.diagnostics.isEmpty, "\(decoder.diagnostics)")
    }

    /// DJI_XTS.jpg lost its last 22 bytes upstream (end of scan + EOI): a truncation error naming the file, never a
    /// crash and never silently grey rows; streaming it through a ring stops with the same error.
    @Test("the truncated DJI_XTS.jpg is reported as truncated", .enabled(if: SharedDatasets.isAvailable))
    func truncatedXTS() throws {
        let path = SharedDatasets.path("thermal-radiometric-samples/DJI_XTS.jpg")
        let decoder = FrameDecoder()
        try decoder.load(path: path)
        let error = imagingError { () throws(ImagingError) in try decoder.decodeImage() }
        #expect(error?.code == .truncated)
        #expect(error?.file == path)
        #expect(error?.message.contains("ends early") == true, "\(String(describing: error))")
        // Header is fine; the frame is 640×512.
        let info = try decoder.begin()
        #expect(info.width == 640 && info.height == 512)
        let ring = RowRing()
        ring.reserve(rows: 32, rowBytes: info.rowBytes)
        var y = 0
        let streamed = imagingError { () throws(ImagingError) in
            while y < info.height {
                let n = try ring.fill(from: decoder, startingAt: y, count: 16)
                if n == 0 { break }
                y += n
            }
        }
        decoder.end()
        #expect(streamed?.code == .truncated)
        #expect(y < info.height)
        // The same decoder is reusable afterwards.
        try decoder.load(path: SharedDatasets.path("thermal-radiometric-samples/XTS_DJI_0002_R.jpg"))
        #expect(try decoder.decodeImage(DecodeOptions(scale: 4)).width == 160)
    }
}
