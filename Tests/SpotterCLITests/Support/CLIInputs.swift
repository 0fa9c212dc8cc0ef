import Foundation
import SpotterImaging
import Testing
import _SpotterTestSupport

/// Frames the CLI tests scan: real ones read in place from the shared datasets (linked, never copied, into temporary
/// folders when a test needs a folder of its own) and small synthetic ones written into temporary folders.
enum CLIInputs {
    static let thermalFolder = "hit-uav-thermal-test300"
    static let rgbFolder = "tinyperson-coast-valid"

    /// Size of every HIT-UAV thermal frame.
    static let thermalSize = (width: 640, height: 512)

    /// The first `count` thermal frames (640×512 gray JPEG), sorted by path.
    static func thermal(_ count: Int) -> [String] {
        let files = SharedDatasets.files(in: thermalFolder + "/images", extensions: ["jpg"])
        precondition(files.count >= count, "only \(files.count) thermal frames in \(thermalFolder)")
        return Array(files.prefix(count))
    }

    /// The first small RGB frame (640×640 JPEG).
    static func rgb() -> String {
        let files = SharedDatasets.files(in: rgbFolder + "/images", extensions: ["jpg"])
        precondition(!files.isEmpty, "no RGB frames in \(rgbFolder)")
        return files[0]
    }

    /// Width and height of a dataset frame, from the dataset's `labels.json` (not from Spotter's own decoder).
    static func labelledSize(_ path: String) throws -> (width: Int, height: Int) {
        for dataset in [thermalFolder, rgbFolder] {
            let prefix = SharedDatasets.path(dataset) + "/"
            guard path.hasPrefix(prefix) else { continue }
            let relative = String(path.dropFirst(prefix.count))
            let labels = try SharedDatasets.labels(dataset)
            if let entry = labels.images.first(where: { $0.file == relative }) { return (entry.width, entry.height) }
        }
        throw SpotterProcessError(message: "no label entry for \(path)")
    }

    /// A symbolic link at `directory/name` to `target`; returns the link's path.
    @discardableResult
    static func link(_ target: String, as name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.url(name)
        let parent = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        return path
    }

    /// The bytes of a file.
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Where the synthetic hot blob is planted (full-resolution pixels; deliberately not on an 8-pixel grid).
    static let hotBlob = (x: 203, y: 141, width: 10, height: 10)

    /// A 640×512 gray frame like a thermal one: flat ground (level 90) with seeded ±4 noise, and one hot 10×10
    /// blob at `hotBlob` that the hotspot detector must rank first at every scale. (Flat, not a ramp: on a ramp the
    /// frame border itself can look hot, which is the detector's business, not the CLI's.)
    static func plantedHotspot(seed: UInt64 = 7) -> Image {
        var rng = SplitMix64(seed: seed)
        let pixels = (0..<thermalSize.width * thermalSize.height).map { _ in UInt8(86 + rng.below(9)) }
        var image = Image(width: thermalSize.width, height: thermalSize.height, channels: 1, pixels: pixels)
        for y in hotBlob.y..<hotBlob.y + hotBlob.height {
            for x in hotBlob.x..<hotBlob.x + hotBlob.width { image.pixels[y * image.width + x] = 250 }
        }
        return image
    }

    /// A small gray PNG (64×48), under any sensible megapixel cap.
    static func smallPNG(seed: UInt64 = 11) -> [UInt8] {
        TestFiles.png(SyntheticImage.scene(width: 64, height: 48, channels: 1, seed: seed))
    }
}

/// Tests that read the shared datasets are skipped (with this reason) when the folder is missing.
extension Trait where Self == ConditionTrait {
    static var needsDatasets: Self {
        .enabled(if: SharedDatasets.isAvailable, "the shared datasets folder is missing (\(SharedDatasets.root))")
    }
}
