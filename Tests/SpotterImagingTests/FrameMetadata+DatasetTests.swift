import Foundation
import SpotterImaging
import Testing
import _SpotterTestSupport

/// Metadata read from real camera files, checked against the values the datasets' SOURCE.txt lists per image and
/// against exiftool 12.35's dumps of the radiometric samples.
@Suite(.enabled(if: SharedDatasets.isAvailable, "needs ../shared/datasets"))
struct FrameMetadataDatasetTests {
    /// One per-image line of a SOURCE.txt: `NAME | bytes | WxH | sha256 | Key=value Key=value … | segments: …`.
    struct SourceLine {
        var name: String
        var width: Int
        var height: Int
        var values: [String: String]

        static func parse(_ folder: String) throws -> [SourceLine] {
            let text = try String(contentsOfFile: SharedDatasets.path(folder + "/SOURCE.txt"), encoding: .utf8)
            var out: [SourceLine] = []
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count >= 6, fields[0].lowercased().hasSuffix(".jpg") else { continue }
                let size = fields[2].split(separator: "x").compactMap { Int($0) }
                guard size.count == 2 else { continue }
                out.append(SourceLine(name: fields[0], width: size[0], height: size[1], values: keyValues(fields[4])))
            }
            return out
        }

        /// `Make=FLIR Systems AB Model=FLIR AX8 FocalLength=1` → keys and values (values may contain spaces).
        static func keyValues(_ s: String) -> [String: String] {
            let keyPattern = /(?:^| )([A-Za-z0-9]+)=/
            let matches = s.matches(of: keyPattern)
            var out: [String: String] = [:]
            for (i, m) in matches.enumerated() {
                let end = i + 1 < matches.count ? matches[i + 1].range.lowerBound : s.endIndex
                out[String(m.output.1)] = String(s[m.range.upperBound..<end])
            }
            return out
        }
    }

    static var numericKeys: [(String, KeyPath<FrameMetadata, Double?>)] { [
        ("GPSLatitude", \.latitude), ("GPSLongitude", \.longitude), ("GPSAltitude", \.gpsAltitude),
        ("AbsoluteAltitude", \.absoluteAltitude), ("RelativeAltitude", \.relativeAltitude),
        ("GimbalPitchDegree", \.gimbalPitch), ("GimbalYawDegree", \.gimbalYaw), ("GimbalRollDegree", \.gimbalRoll),
        ("FlightYawDegree", \.flightYaw), ("FlightPitchDegree", \.flightPitch), ("FlightRollDegree", \.flightRoll),
        ("FocalLength", \.focalLengthMM), ("FocalLengthIn35mmFormat", \.focalLength35mm),
        ("LRFTargetDistance", \.lrfTargetDistance), ("LRFTargetLat", \.lrfTargetLatitude), ("LRFTargetLon", \.lrfTargetLongitude),
    ] }

    static func check(_ line: SourceLine, in folder: String) throws {
        let meta = try FrameMetadata.read(path: SharedDatasets.path(folder + "/" + line.name))
        let name = line.name
        #expect(meta.width == line.width && meta.height == line.height, "\(name): \(meta.width ?? 0)x\(meta.height ?? 0)")
        #expect(meta.make == line.values["Make"], "\(name): make \(meta.make ?? "nil")")
        #expect(meta.model == line.values["Model"], "\(name): model \(meta.model ?? "nil")")
        if let date = line.values["DateTimeOriginal"] {
            // FLIR cores also write a sub-second, zoned time in their own records; EXIF holds the first 19 characters.
            #expect(meta.dateTimeOriginal == String(date.prefix(19)), "\(name): \(meta.dateTimeOriginal ?? "nil")")
        }
        for (key, path) in numericKeys {
            let ours = meta[keyPath: path]
            // FLIR.jpg's GPSAltitude=-1 comes from the FLIR FFF record's GPS block (its EXIF GPS IFD has no
            // altitude tag); FFF records are not read.
            let fromFLIRRecord = key == "GPSAltitude" && line.values["Make"] == "FLIR Systems AB"
            if let text = line.values[key], !fromFLIRRecord {
                let expected = try #require(Double(text), "\(name): \(key)=\(text)")
                // SOURCE.txt writes what exiftool printed: decimal degrees to 1e-13, altitudes to 1 mm.
                let tolerance = key.hasPrefix("GPSL") || key.hasPrefix("LRFTargetL") ? 1e-9 : 1e-3
                #expect(ours.map { abs($0 - expected) <= tolerance } == true, "\(name): \(key) \(ours.map { "\($0)" } ?? "nil") vs \(expected)")
            } else if ["GPSLatitude", "GPSLongitude", "RelativeAltitude", "GimbalPitchDegree", "GimbalYawDegree"].contains(key) {
                // Stripped upstream: nothing may be invented.
                #expect(ours == nil, "\(name): \(key) is \(ours!) but the file has none")
            }
        }
    }

    @Test func brightonFramesMatchSourceTxt() throws {
        let lines = try SourceLine.parse("brighton-beach-frames")
        let present = lines.filter { FileManager.default.fileExists(atPath: SharedDatasets.path("brighton-beach-frames/" + $0.name)) }
        #expect(present.count == 12)
        for line in present { try Self.check(line, in: "brighton-beach-frames") }
    }

    @Test func radiometricSamplesMatchSourceTxt() throws {
        let lines = try SourceLine.parse("thermal-radiometric-samples")
        #expect(lines.count == 19)
        for line in lines { try Self.check(line, in: "thermal-radiometric-samples") }
    }

    /// Frames re-saved by a photo viewer (pixels rotated, yaw tags as flown) are flagged; camera originals are not.
    @Test func resavedBrightonFramesAreFlagged() throws {
        for n in 18...31 {
            let path = SharedDatasets.path(String(format: "brighton-beach-frames/DJI_%04d.JPG", n))
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let meta = try FrameMetadata.read(path: path)
            let resaved = (24...29).contains(n)
            #expect((meta.resavedBy != nil) == resaved, "DJI_00\(n): \(meta.resavedBy ?? "not re-saved")")
            #expect(meta.warnings.contains { $0.contains("re-saved") } == resaved)
            if resaved { #expect(meta.resavedBy?.hasPrefix("Microsoft Windows Photo Viewer") == true) }
        }
    }

    @Test func previewImageAndTruncatedFile() throws {
        let h20n = try FrameMetadata.read(path: SharedDatasets.path("thermal-radiometric-samples/H20N_DJI_0006_R.JPG"))
        #expect(h20n.hasMultiPictureIndex)
        #expect(h20n.lrfTargetAltitude == -0.735 && h20n.lrfTargetAbsoluteAltitude == 47)
        #expect(h20n.imageSource == "InfraredCamera" && h20n.droneModel == "Matrice 300 RTK")
        // DJI_XTS.jpg lacks its last 22 bytes: the metadata at the front is intact.
        let xts = try FrameMetadata.read(path: SharedDatasets.path("thermal-radiometric-samples/DJI_XTS.jpg"))
        #expect(xts.gimbalPitch == 19.9 && xts.rtkFlag == 0 && xts.attitudeVendor == "dji")
        #expect(xts.gpsAltitude.map { abs($0 + 29.4) < 1e-6 } == true, "below sea level: \(xts.gpsAltitude ?? 0)")
    }

    // MARK: exiftool dumps

    /// `Label : value` lines of an exiftool text dump (UTF-16 with BOM or ASCII); the first of repeated labels.
    static func dump(_ name: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: SharedDatasets.path("thermal-radiometric-samples/exiftool_dumps/" + name)))
        let text: String
        if data.starts(with: [0xFF, 0xFE]) {
            text = String(data: data, encoding: .utf16LittleEndian) ?? ""
        } else {
            text = String(decoding: data, as: UTF8.self)
        }
        var out: [String: String] = [:]
        for line in text.components(separatedBy: .newlines) {
            guard let colon = line.range(of: ": ") else { continue }
            let key = line[..<colon.lowerBound].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}"))
            let value = line[colon.upperBound...].trimmingCharacters(in: .whitespaces)
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    /// `22 deg 35' 46.31" N` → 22.596197…
    static func dms(_ s: String) -> Double? {
        let parts = s.replacingOccurrences(of: "deg", with: " ").replacingOccurrences(of: "'", with: " ")
            .replacingOccurrences(of: "\"", with: " ").split(separator: " ")
        guard parts.count == 4, let d = Double(parts[0]), let m = Double(parts[1]), let sec = Double(parts[2]) else { return nil }
        let v = d + m / 60 + sec / 3600
        return parts[3] == "S" || parts[3] == "W" ? -v : v
    }

    static func leadingNumber(_ s: String) -> Double? {
        Double(s.split(separator: " ").first ?? "")
    }

    static var dumpNumbers: [(String, KeyPath<FrameMetadata, Double?>)] { [
        ("Absolute Altitude", \.absoluteAltitude), ("Relative Altitude", \.relativeAltitude),
        ("Gimbal Roll Degree", \.gimbalRoll), ("Gimbal Yaw Degree", \.gimbalYaw), ("Gimbal Pitch Degree", \.gimbalPitch),
        ("Flight Roll Degree", \.flightRoll), ("Flight Yaw Degree", \.flightYaw), ("Flight Pitch Degree", \.flightPitch),
        ("LRF Target Distance", \.lrfTargetDistance), ("LRF Target Lat", \.lrfTargetLatitude),
        ("LRF Target Lon", \.lrfTargetLongitude), ("LRF Target Alt", \.lrfTargetAltitude),
        ("LRF Target Abs Alt", \.lrfTargetAbsoluteAltitude), ("Calibrated Focal Length", \.calibratedFocalLength),
        ("Calibrated Optical Center X", \.calibratedOpticalCenterX), ("Calibrated Optical Center Y", \.calibratedOpticalCenterY),
    ] }

    /// Every dump against the file it describes. The dumps of the sub-folder DJI samples were made from copies that
    /// still had GPS and XMP (M3T's lists a position, M30T_0001's another capture date): SOURCE.txt says these copies
    /// were stripped upstream, so for them only the camera's core EXIF is compared (and the test above checks that
    /// nothing is invented).
    @Test(arguments: [
        "DJI_H20T", "DJI_XT2", "DJI_XTR", "DJI_XTS", "FLIR", "FLIR_AX8", "FLIR_B60", "FLIR_E40", "FLIR_T640",
        "H20N_DJI_0006_R", "H20T_DJI_0001_R", "H30T_DJI_0001_R", "M2EA_DJI_0001_R", "M30T_DJI_0001_R", "M30T_DJI_0003_R",
        "M3TD_DJI_0001_R", "M3T_DJI_0001_R", "M4T_DJI_0001_R", "XTS_DJI_0002_R",
    ])
    func exiftoolDumpAgrees(_ name: String) throws {
        let dump = try Self.dump(name + ".txt")
        let ext = ["DJI_H20T", "DJI_XT2", "DJI_XTR", "DJI_XTS", "FLIR", "FLIR_AX8", "FLIR_B60", "FLIR_E40", "FLIR_T640", "XTS_DJI_0002_R"].contains(name) ? ".jpg" : ".JPG"
        let meta = try FrameMetadata.read(path: SharedDatasets.path("thermal-radiometric-samples/" + name + ext))
        let coreOnly = name.contains("_DJI_0") && name != "H20N_DJI_0006_R"
        #expect(meta.make == dump["Make"])
        #expect(meta.model == dump["Camera Model Name"])
        if let f = dump["Focal Length"].flatMap(Self.leadingNumber) {
            #expect(meta.focalLengthMM.map { abs($0 - f) < 0.051 } == true, "\(name): focal \(meta.focalLengthMM ?? 0) vs \(f)")
        } else {
            #expect(meta.focalLengthMM == nil)
        }
        if let f = dump["Focal Length In 35mm Format"].flatMap(Self.leadingNumber) {
            #expect(meta.focalLength35mm == f, "\(name): f35")
        }
        // M30T_DJI_0003_R's dump describes a 1280 x 1024 copy; SOURCE.txt (and the file) say 640 x 512.
        if coreOnly { return }
        if let w = dump["Image Width"], let h = dump["Image Height"] {
            #expect(meta.width == Int(w) && meta.height == Int(h), "\(name): size")
        }
        if let w = dump["Exif Image Width"], let h = dump["Exif Image Height"] {
            #expect(meta.exifWidth == Int(w) && meta.exifHeight == Int(h), "\(name): EXIF size")
        }
        if let s = dump["Software"] { #expect(meta.software == s, "\(name): software \(meta.software ?? "nil")") }
        if let d = dump["Date/Time Original"] {
            #expect(meta.dateTimeOriginal.map { d.hasPrefix($0) } == true, "\(name): \(meta.dateTimeOriginal ?? "nil") vs \(d)")
        }
        for (label, path) in Self.dumpNumbers {
            guard let text = dump[label] else { continue }
            let expected = try #require(Double(text), "\(name): \(label) = \(text)")
            #expect(meta[keyPath: path].map { abs($0 - expected) <= 1e-9 * max(1, abs(expected)) } == true,
                    "\(name): \(label) \(meta[keyPath: path].map { "\($0)" } ?? "nil") vs \(text)")
        }
        if let lat = dump["GPS Latitude"].flatMap(Self.dms), let lon = dump["GPS Longitude"].flatMap(Self.dms) {
            // exiftool rounds to 0.01 arc second (0.3 m): 1.4e-6 degrees.
            #expect(meta.latitude.map { abs($0 - lat) < 1.4e-6 } == true, "\(name): latitude \(meta.latitude ?? 0) vs \(lat)")
            #expect(meta.longitude.map { abs($0 - lon) < 1.4e-6 } == true, "\(name): longitude \(meta.longitude ?? 0) vs \(lon)")
        }
        if let alt = dump["GPS Altitude"], let v = Self.leadingNumber(alt) {
            let expected = alt.contains("Below") ? -v : v
            #expect(meta.gpsAltitude.map { abs($0 - expected) <= 0.051 } == true, "\(name): GPS altitude \(meta.gpsAltitude ?? 0) vs \(alt)")
        }
    }

    /// The one documented disagreement: M3T's dump lists a position this copy no longer has.
    @Test func strippedCopyDiffersFromItsDump() throws {
        let dump = try Self.dump("M3T_DJI_0001_R.txt")
        #expect(dump["GPS Latitude"] != nil && dump["Absolute Altitude"] != nil)
        let meta = try FrameMetadata.read(path: SharedDatasets.path("thermal-radiometric-samples/M3T_DJI_0001_R.JPG"))
        #expect(meta.latitude == nil && meta.absoluteAltitude == nil && meta.gimbalYaw == nil)
    }

    /// Metadata of 1,000 frames must take well under a second (release); here only that nothing is decoded: every
    /// sample is read 20 times with one reader and the results agree.
    @Test func repeatedReadsAgree() throws {
        let files = SharedDatasets.files(in: "thermal-radiometric-samples", extensions: ["jpg", "JPG"], recursive: false)
        let reader = MetadataReader()
        let first = try files.map { try reader.read(path: $0) }
        for _ in 0..<20 {
            for (i, f) in files.enumerated() { #expect(try reader.read(path: f) == first[i]) }
        }
    }
}
