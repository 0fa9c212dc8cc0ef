import SpotterImaging
import Testing
import _SpotterTestSupport

/// EXIF and XMP parsing on hand-built files: both byte orders, hemispheres, bad values, element-form XMP, PNG
/// chunks, and damaged input that must never crash.
struct FrameMetadataParsingTests {
    /// A TIFF block builder (what follows "Exif\0\0").
    struct TIFFBuilder {
        var little: Bool
        var bytes: [UInt8] = []

        mutating func u16(_ v: Int) { bytes += little ? [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] : [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        mutating func u32(_ v: Int) {
            let b = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
            bytes += little ? b : b.reversed()
        }

        /// Entries: (tag, type, count, inline value or data). Data longer than 4 bytes goes after the IFD.
        static func ifd(little: Bool, at offset: Int, _ entries: [(Int, Int, Int, [UInt8])], next: Int = 0) -> [UInt8] {
            var b = TIFFBuilder(little: little)
            var data: [UInt8] = []
            let dataStart = offset + 2 + entries.count * 12 + 4
            b.u16(entries.count)
            for (tag, type, count, value) in entries {
                b.u16(tag); b.u16(type); b.u32(count)
                if value.count <= 4 {
                    b.bytes += value + [UInt8](repeating: 0, count: 4 - value.count)
                } else {
                    b.u32(dataStart + data.count)
                    data += value
                    if data.count % 2 == 1 { data.append(0) }
                }
            }
            b.u32(next)
            return b.bytes + data
        }

        func short(_ v: Int) -> [UInt8] { var t = TIFFBuilder(little: little); t.u16(v); return t.bytes }
        func long(_ v: Int) -> [UInt8] { var t = TIFFBuilder(little: little); t.u32(v); return t.bytes }
        func rationals(_ pairs: [(Int, Int)]) -> [UInt8] {
            var t = TIFFBuilder(little: little)
            for (n, d) in pairs { t.u32(n); t.u32(d) }
            return t.bytes
        }
    }

    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }

    /// A TIFF block with IFD0 (make, model, software), an Exif IFD and a GPS IFD.
    static func exif(little: Bool, latRef: String = "S", lonRef: String = "W", altRef: Int = 1, latDenominator: Int = 1) -> [UInt8] {
        let t = TIFFBuilder(little: little)
        var header = TIFFBuilder(little: little)
        header.bytes = little ? [0x49, 0x49] : [0x4D, 0x4D]
        header.u16(42)
        header.u32(8)
        // IFD0 at 8 with 5 entries: size 2 + 60 + 4 = 66, data follows.
        let make = ascii("DJI"), model = ascii("FC6310S"), software = ascii("v01.00.0300")
        func ifd0(_ exif: Int, _ gps: Int) -> [UInt8] {
            TIFFBuilder.ifd(little: little, at: 8, [
                (0x010F, 2, make.count, make), (0x0110, 2, model.count, model), (0x0131, 2, software.count, software),
                (0x8769, 4, 1, t.long(exif)), (0x8825, 4, 1, t.long(gps)),
            ])
        }
        let ifd0Size = ifd0(0, 0).count
        let exifOffset = 8 + ifd0Size
        let exifEntries: [(Int, Int, Int, [UInt8])] = [
            (0x9003, 2, 20, ascii("2024:05:06 07:08:09")),
            (0x920A, 5, 1, t.rationals([(880, 100)])),
            (0xA405, 3, 1, t.short(24)),
            (0xA002, 4, 1, t.long(5472)),
            (0xA003, 4, 1, t.long(3648)),
        ]
        let exifIFD = TIFFBuilder.ifd(little: little, at: exifOffset, exifEntries)
        let gpsOffset = exifOffset + exifIFD.count
        let gps = TIFFBuilder.ifd(little: little, at: gpsOffset, [
            (0x0001, 2, 2, ascii(latRef)), (0x0002, 5, 3, t.rationals([(33, 1), (51, 1), (3000, 100 * latDenominator)])),
            (0x0003, 2, 2, ascii(lonRef)), (0x0004, 5, 3, t.rationals([(151, 1), (12, 1), (3600, 100)])),
            (0x0005, 1, 1, [UInt8(altRef)]), (0x0006, 5, 1, t.rationals([(125, 10)])),
        ])
        return header.bytes + ifd0(exifOffset, gpsOffset) + exifIFD + gps
    }

    /// A minimal JPEG: SOI, the given APP segments, an SOF0 of `width`x`height`, SOS, EOI.
    static func jpeg(segments: [(UInt8, [UInt8])], width: Int = 5472, height: Int = 3648) -> [UInt8] {
        var b: [UInt8] = [0xFF, 0xD8]
        for (marker, payload) in segments {
            b += [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        b += [0xFF, 0xC0, 0x00, 0x0B, 8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0]
        b += [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0, 0x00, 0xFF, 0xD9]
        return b
    }

    static func app1Exif(_ tiff: [UInt8]) -> (UInt8, [UInt8]) { (0xE1, Array("Exif".utf8) + [0, 0] + tiff) }
    static func app1XMP(_ xml: String) -> (UInt8, [UInt8]) { (0xE1, Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + Array(xml.utf8)) }

    @Test(arguments: [true, false])
    func exifInBothByteOrders(little: Bool) throws {
        let m = try FrameMetadata.parse(bytes: Self.jpeg(segments: [Self.app1Exif(Self.exif(little: little))]))
        #expect(m.make == "DJI" && m.model == "FC6310S" && m.software == "v01.00.0300")
        #expect(m.resavedBy == nil)
        #expect(m.dateTimeOriginal == "2024:05:06 07:08:09")
        #expect(m.focalLengthMM == 8.8 && m.focalLength35mm == 24)
        #expect(m.width == 5472 && m.height == 3648 && m.exifWidth == 5472)
        let lat = try #require(m.latitude), lon = try #require(m.longitude)
        #expect(abs(lat - -(33 + 51.0 / 60 + 30.0 / 3600)) < 1e-12)
        #expect(abs(lon - -(151 + 12.0 / 60 + 36.0 / 3600)) < 1e-12)
        #expect(m.gpsAltitude == -12.5)
        #expect(m.warnings.isEmpty, "\(m.warnings)")
    }

    @Test func zeroDenominatorAndNullIslandAreDropped() throws {
        // A zero denominator in the seconds makes the whole latitude unknown, and a lone longitude is dropped too.
        let m = try FrameMetadata.parse(bytes: Self.jpeg(segments: [Self.app1Exif(Self.exif(little: true, latDenominator: 0))]))
        #expect(m.latitude == nil && m.longitude == nil)
        #expect(m.warnings.contains { $0.contains("only one of latitude and longitude") })
    }

    static let xmpAttributes = """
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
          tiff:Make="DJI" drone-dji:AbsoluteAltitude="+52.10" drone-dji:RelativeAltitude='+48.25'
          drone-dji:GimbalRollDegree="+180.00" drone-dji:GimbalYawDegree="-179.90" drone-dji:GimbalPitchDegree="-45.00"
          drone-dji:CalibratedFocalLength="3666.666504" drone-dji:CalibratedOpticalCenterX="2736.000000"
          drone-dji:CalibratedOpticalCenterY="1824.000000" drone-dji:RtkFlag="50"
          drone-dji:DewarpData="2022-06-08;3678.87,3671.84,8.52,-10.39,-0.1126,0.0148,-0.0000857,0.000027,-0.0270"/>
        </rdf:RDF></x:xmpmeta>
        """

    @Test func xmpAttributesAreRead() throws {
        let m = try FrameMetadata.parse(bytes: Self.jpeg(segments: [Self.app1XMP(Self.xmpAttributes)]))
        #expect(m.make == "DJI")
        #expect(m.absoluteAltitude == 52.1 && m.relativeAltitude == 48.25)
        #expect(m.gimbalRoll == 180 && m.gimbalYaw == -179.9 && m.gimbalPitch == -45)
        #expect(m.calibratedFocalLength == 3666.666504 && m.calibratedOpticalCenterX == 2736 && m.calibratedOpticalCenterY == 1824)
        #expect(m.rtkFlag == 50)
        #expect(m.dewarpData?.hasPrefix("2022-06-08;3678.87") == true)
        #expect(m.attitudeVendor == "drone-dji")
    }

    /// Element form, another prefix bound to the same namespace, entities, comments, and a Parrot attitude.
    @Test func xmpElementsAndOtherVendors() throws {
        let xml = """
            <?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- a <comment> -->
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description xmlns:d="http://www.dji.com/drone-dji/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
              <d:RelativeAltitude>+30.5</d:RelativeAltitude>
              <d:GimbalPitchDegree> -90.0 </d:GimbalPitchDegree>
              <xmp:CreatorTool>Photo &amp; Co &#x263A;</xmp:CreatorTool>
              <d:BandName><rdf:Seq><rdf:li>LWIR</rdf:li></rdf:Seq></d:BandName>
            </rdf:Description>
            <rdf:Description xmlns:drone-parrot="http://www.parrot.com/drone-parrot/1.0/" drone-parrot:CameraYawDegree="12.5"/>
            </rdf:RDF></x:xmpmeta>
            """
        let m = try FrameMetadata.parse(bytes: Self.jpeg(segments: [Self.app1XMP(xml)]))
        #expect(m.relativeAltitude == 30.5 && m.gimbalPitch == -90)
        #expect(m.creatorTool == "Photo & Co \u{263A}")
        #expect(m.resavedBy == "Photo & Co \u{263A}")
        #expect(m.gimbalYaw == 12.5 && m.attitudeVendor == "drone-parrot")
    }

    @Test func pngChunks() throws {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            let n = data.count
            png += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + data + [0, 0, 0, 0]
        }
        chunk("IHDR", [0, 0, 2, 128, 0, 0, 2, 0, 16, 0, 0, 0, 0])
        chunk("eXIf", Self.exif(little: false))
        chunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(Self.xmpAttributes.utf8))
        chunk("IDAT", [])
        let m = try FrameMetadata.parse(bytes: png)
        #expect(m.format == .png && m.width == 640 && m.height == 512)
        #expect(m.model == "FC6310S" && m.relativeAltitude == 48.25)
    }

    /// Truncations at every length and seeded byte flips: fewer values and warnings, never a crash or a hang.
    @Test func damagedInputNeverCrashes() throws {
        let good = Self.jpeg(segments: [Self.app1Exif(Self.exif(little: true)), Self.app1XMP(Self.xmpAttributes)])
        for n in stride(from: 3, to: good.count, by: 7) {
            _ = try? FrameMetadata.parse(bytes: Array(good.prefix(n)))
        }
        var rng = SplitMix64(seed: 6)
        for _ in 0..<300 {
            var bad = good
            for _ in 0..<8 { bad[Int(rng.next() % UInt64(bad.count - 3)) + 3] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? FrameMetadata.parse(bytes: bad)
        }
        let cut = try FrameMetadata.parse(bytes: Array(good.prefix(40)))
        #expect(cut.warnings.contains { $0.contains("truncated") })
        #expect(throws: ImagingError.self) { try FrameMetadata.parse(bytes: Array("not an image".utf8)) }
    }
}
