import SpotterImaging
import Testing
import _SpotterTestSupport

@testable import SpotterDetection

/// `--profile auto` scans a thermal frame stored in colour with three equal channels (white-hot or black-hot JPEGs of
/// DJI and FLIR thermal cameras) as the thermal frame it is, and a colour frame as colour.
@Suite struct AutoProfileTests {
    static func scan(_ image: Image, profile: Profile = .auto) throws -> FrameResult {
        var options = ScanOptions()
        options.profile = profile
        options.thermalCandidates.reranker = try BoostedTrees(
            path: SharedDatasets.packageRoot + "/Models/rerankers/thermal-gbt.json")
        return FrameScanner(options: options).scan(bytes: try ImageEncoder.png(image), name: "frame.png")
    }

    /// The same pixels in 3 channels.
    static func colour(_ gray: Image) -> Image {
        var rgb = Image(width: gray.width, height: gray.height, channels: 3)
        for i in 0..<gray.width * gray.height { for c in 0..<3 { rgb.pixels[3 * i + c] = gray.pixels[i] } }
        return rgb
    }

    @Test func aThermalFrameStoredInColourIsScannedAsThermal() throws {
        let gray = CandidatePatchTests.thermalFrame(180, 150, seed: 5, bytesPerSample: 1)
        let asGray = try Self.scan(gray), asColour = try Self.scan(Self.colour(gray))
        #expect(asGray.error == nil && asColour.error == nil)
        #expect(asGray.profile == "thermal" && asColour.profile == "thermal")
        #expect(!asGray.detections.isEmpty)
        #expect(asColour.detections.map(\.box) == asGray.detections.map(\.box))
        #expect(asColour.detections.map(\.score) == asGray.detections.map(\.score))
        #expect(asColour.width == 180 && asColour.height == 150)
        // Asked for the RGB profile, it is scanned as colour.
        #expect(try Self.scan(Self.colour(gray), profile: .rgb).profile == "rgb")
    }

    /// One coloured pixel anywhere (here in the last row, far below the first band the check reads) keeps a frame RGB,
    /// and so does a gray frame larger than a thermal camera's.
    @Test func aSingleColouredPixelOrALargeFrameStaysRGB() throws {
        let gray = CandidatePatchTests.thermalFrame(180, 150, seed: 5, bytesPerSample: 1)
        var tinted = Self.colour(gray)
        tinted.pixels[3 * (149 * 180 + 90)] ^= 1
        #expect(try Self.scan(tinted).profile == "rgb")
        let large = Self.colour(CandidatePatchTests.thermalFrame(1_300, 40, seed: 6, bytesPerSample: 1))
        #expect(try Self.scan(large).profile == "rgb")
    }

    /// The vendor samples: the white-hot ones stored with three equal channels go to the thermal profile, the
    /// palette-coloured ones (and FLIR_B60, whose top rows are gray but the rest is not) stay RGB.
    @Test(.enabled(if: SharedDatasets.isAvailable, "the shared datasets folder is missing"))
    func vendorThermalJPEGs() throws {
        let folder = SharedDatasets.path("thermal-radiometric-samples")
        let gray: Set = [
            "DJI_XT2.jpg", "DJI_XTR.jpg", "H30T_DJI_0001_R.JPG", "M30T_DJI_0001_R.JPG", "M30T_DJI_0003_R.JPG",
            "M3TD_DJI_0001_R.JPG", "M3T_DJI_0001_R.JPG",
        ]
        let palette = [
            "DJI_H20T.jpg", "FLIR.jpg", "FLIR_AX8.jpg", "FLIR_B60.jpg", "FLIR_E40.jpg", "FLIR_T640.jpg",
            "H20N_DJI_0006_R.JPG", "H20T_DJI_0001_R.JPG", "M2EA_DJI_0001_R.JPG", "M4T_DJI_0001_R.JPG", "XTS_DJI_0002_R.jpg",
        ]
        let scanner = FrameScanner(options: ScanOptions())
        for name in gray.sorted() + palette {
            let result = scanner.scan(path: folder + "/" + name)
            #expect(result.error == nil, "\(name)")
            #expect(result.profile == (gray.contains(name) ? "thermal" : "rgb"), "\(name)")
        }
    }
}
