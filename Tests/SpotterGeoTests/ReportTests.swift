import Foundation
import SpotterGeo
import SpotterImaging
import Testing
import _SpotterTestSupport

/// The HTML report: self-contained (no external URL), one card per detection with its crop, a map, sorting.
@Suite(.enabled(if: SharedDatasets.isAvailable, "needs ../shared/datasets"))
struct ReportTests {
    @Test func reportIsSelfContainedWithACropPerDetection() throws {
        let batch = ExportTests.batch()
        let crops = CropSet.jpegs(for: batch, indices: Array(batch.detections.indices))
        let html = Report.html(batch, crops: crops.crops, generated: Date(timeIntervalSince1970: 0))
        // Nothing is fetched: no http(s) or protocol-relative URL anywhere, every image is a data: URI.
        for pattern in ["http://", "https://", "src=\"//", "href=\"//", "url(", "@import"] {
            #expect(!html.contains(pattern), "\(pattern)")
        }
        let sources = html.components(separatedBy: "src=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(sources.count == crops.crops.count && crops.crops.count == 13, "\(sources.count) images (frames without a position still get their crop)")
        for src in sources {
            #expect(src.hasPrefix("data:image/jpeg;base64,"))
            let jpeg = try #require(Data(base64Encoded: String(src.dropFirst("data:image/jpeg;base64,".count))))
            let image = try Image.decode(bytes: Array(jpeg))
            #expect(image.width >= 96 && image.height >= 96 && image.width <= 384)
        }
        #expect(html.components(separatedBy: "<article class=\"card\"").count - 1 == batch.detections.count)
        #expect(html.contains("<svg") && html.contains("<polygon") && html.contains("data-key=\"time\""))
        #expect(html.contains("name=\"viewport\""))
        // Detections that could not be located say why; the frame without GPS is named among the warnings.
        #expect(html.contains("no position: pixel"))
        #expect(html.contains("M3T_DJI_0001_R.JPG: not located: no GPS position"))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    }

    /// Crops taken in one pass per frame equal the same rectangles decoded one by one.
    @Test func cropsMatchSingleRegionDecodes() throws {
        let batch = ExportTests.batch()
        let indices = batch.detections.indices.filter { batch.detections[$0].file.hasSuffix("DJI_0031.JPG") }
        let decoder = FrameDecoder()
        try decoder.load(path: GeoTestData.brighton("DJI_0031.JPG"))
        let rects = indices.compactMap { CropSet.rect(for: batch.detections[$0].detection, width: 4000, height: 2250) }
        let together = try decoder.decodeRegions(rects, options: DecodeOptions(colour: .rgb))
        for (rect, image) in zip(rects, together) {
            let single = try decoder.decodeRegion(x: rect.x, y: rect.y, width: rect.width, height: rect.height, options: DecodeOptions(colour: .rgb))
            #expect(single == image, "\(rect)")
        }
    }
}
