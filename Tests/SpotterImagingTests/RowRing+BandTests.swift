import SpotterImaging
import Testing
import _SpotterTestSupport

/// Streaming a frame through a RowRing in bands gives exactly the rows of a whole decode, whatever the band size,
/// ring capacity (including wrap-around mid-band) and colour.
@Suite("Band decoding")
struct BandDecodeTests {
    /// A frame to stream: name for the report and its bytes.
    struct Frame: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
    }

    static var frames: [Frame] {
        var out = [
            Frame(description: "synthetic RGB JPEG 333x217", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 333, height: 217, channels: 3, seed: 31))),
            Frame(description: "synthetic gray JPEG 131x75", bytes: TestFiles.jpeg(SyntheticImage.scene(width: 131, height: 75, channels: 1, seed: 32))),
            Frame(description: "synthetic RGB PNG 97x61", bytes: TestFiles.png(SyntheticImage.scene(width: 97, height: 61, channels: 3, seed: 33))),
            Frame(description: "progressive JPEG fixture", bytes: readFixture("progressive.jpg")),
            Frame(description: "CMYK JPEG fixture", bytes: readFixture("cmyk.jpg")),
            Frame(description: "restart-marker JPEG fixture", bytes: readFixture("restart.jpg")),
        ]
        if SharedDatasets.isAvailable {
            out.append(Frame(description: "HIT-UAV thermal 640x512", bytes: readFile(SharedDatasets.path("hit-uav-thermal-test300/images/0_100_30_0_03307.jpg"))))
            out.append(Frame(description: "TinyPerson RGB 640x640", bytes: readFile(SharedDatasets.path("tinyperson-coast-valid/images/baidu_P000_timg-1-__6e98ad97.jpg"))))
        }
        return out
    }

    @Test("bands through a small ring equal a whole decode", arguments: frames, allColours)
    func bandsEqualWholeDecode(frame: Frame, colour: DecodeOptions.Colour) throws {
        let options = DecodeOptions(colour: colour)
        let decoder = FrameDecoder()
        decoder.load(bytes: frame.bytes, name: frame.description)
        let whole = try decoder.decodeImage(options)
        let ring = RowRing()
        for band in [1, 7, 16, 64] {
            // Capacity: not a multiple of the band, so bands straddle the wrap point; always smaller than the frame.
            let capacity = min(band + 5, whole.height - 1)
            guard capacity >= band else { continue }
            let info = try decoder.begin(options)
            #expect(info.width == whole.width && info.height == whole.height && info.channels == whole.channels)
            ring.reserve(rows: capacity, rowBytes: info.rowBytes)
            var y = 0
            var mismatches = 0
            while y < info.height {
                let want = min(band, info.height - y)
                let n = try ring.fill(from: decoder, startingAt: y, count: want)
                #expect(n == want, "band \(band) at row \(y): got \(n) rows")
                if n == 0 { break }
                whole.pixels.withUnsafeBytes { ref in
                    for r in y..<y + n {
                        if let i = firstDifference(ring.row(r), ref.baseAddress! + r * whole.rowBytes, count: whole.rowBytes) {
                            if mismatches == 0 { Issue.record("band \(band): row \(r) differs at byte \(i)") }
                            mismatches += 1
                        }
                    }
                }
                y += n
            }
            decoder.end()
            #expect(y == info.height && mismatches == 0, "band \(band): \(mismatches) rows differ")
        }
    }

    /// Rows are 64-byte aligned and the ring reuses its memory when it is large enough.
    @Test("ring rows are aligned and storage is reused")
    func ringLayout() {
        let ring = RowRing()
        ring.reserve(rows: 8, rowBytes: 333 * 3)
        #expect(ring.stride == 1024 && ring.stride % 64 == 0 && ring.capacity == 8)
        let first = ring.row(0)
        for y in 0..<20 { #expect(Int(bitPattern: ring.row(y)) % 64 == 0) }
        #expect(ring.row(8) == first && ring.row(3) == ring.row(11))
        ring.reserve(rows: 4, rowBytes: 100)  // smaller: same memory
        #expect(ring.row(0) == first && ring.stride == 128 && ring.capacity == 4)
        ring.reserve(rows: 0 + 1, rowBytes: 0)  // zero-width rows are allowed
        #expect(ring.stride == 0)
    }

    /// After the last row, fill returns 0 rather than inventing rows.
    @Test("fill stops at the end of the frame")
    func fillStopsAtEnd() throws {
        let decoder = FrameDecoder()
        decoder.load(bytes: TestFiles.jpeg(SyntheticImage.grayGradient(width: 40, height: 20)))
        let info = try decoder.begin()
        let ring = RowRing()
        ring.reserve(rows: 16, rowBytes: info.rowBytes)
        #expect(try ring.fill(from: decoder, startingAt: 0, count: 16) == 16)
        #expect(try ring.fill(from: decoder, startingAt: 16, count: 16) == 4)
        #expect(try ring.fill(from: decoder, startingAt: 20, count: 16) == 0)
        decoder.end()
        #expect(decoder.diagnostics.isEmpty)
        // Without begin (or after end) nothing is delivered.
        #expect(try ring.fill(from: decoder, startingAt: 0, count: 4) == 0)
    }
}
