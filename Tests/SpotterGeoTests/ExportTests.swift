import Foundation
import SpotterGeo
import SpotterImaging
import Testing
import _SpotterTestSupport

#if canImport(FoundationXML)
import FoundationXML
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every export checked with an independent parser (JSONSerialization, XMLParser, a CSV reader), and against the
/// others: the same detection has the same rank, position and uid in all four.
@Suite(.enabled(if: SharedDatasets.isAvailable, "needs ../shared/datasets"))
struct ExportTests {
    /// Two Brighton frames with seeded detections, a frame whose ray looks above the horizon (XT S, pitch +19.9°),
    /// a frame without GPS, and a failed frame.
    static func records() -> [ScanRecord] {
        var rng = SplitMix64(seed: 42)
        func detections(_ n: Int, w: Int, h: Int) -> [ScanDetection] {
            (0..<n).map { _ in
                let bw = Int(rng.next() % 40) + 4, bh = Int(rng.next() % 40) + 4
                return ScanDetection(
                    x: Int(rng.next() % UInt64(w - bw)), y: Int(rng.next() % UInt64(h - bh)), width: bw, height: bh,
                    score: Double(rng.next() % 10_000) / 10_000, detector: rng.next() % 2 == 0 ? "rx" : "contrast")
            }
        }
        return [
            ScanRecord(file: GeoTestData.brighton("DJI_0030.JPG"), width: 4000, height: 2250, detections: detections(6, w: 4000, h: 2250)),
            ScanRecord(file: GeoTestData.brighton("DJI_0031.JPG"), width: 4000, height: 2250, detections: detections(5, w: 4000, h: 2250)),
            ScanRecord(
                file: GeoTestData.radiometric("DJI_XTS.jpg"), width: 640, height: 512,
                detections: [ScanDetection(x: 300, y: 250, width: 10, height: 12, score: 0.5, detector: "hotspot", review: "unsure")]),
            ScanRecord(
                file: GeoTestData.radiometric("M3T_DJI_0001_R.JPG"), width: 640, height: 512,
                detections: [ScanDetection(x: 10, y: 20, width: 8, height: 9, score: 0.25, detector: "hotspot")]),
            ScanRecord(file: "/nonexistent/frame.jpg", width: 0, height: 0, detections: [], error: "cannot open"),
        ]
    }

    static let database: CameraDatabase = (try? CameraDatabase(path: GeoTestData.camerasPath)) ?? .empty
    static func batch() -> GeoBatch { GeoBatch.locate(records(), options: LocateOptions(takeoffHeight: 1.5), database: database) }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func geoJSONIsAFeatureCollectionOfRankedPoints() throws {
        let batch = Self.batch()
        let root = try Self.json(GeoExport.geoJSON(batch))
        #expect(root["type"] as? String == "FeatureCollection")
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(features.count == 13)
        var lastScore = Double.infinity
        for (i, f) in features.enumerated() {
            #expect(f["type"] as? String == "Feature")
            let p = try #require(f["properties"] as? [String: Any])
            #expect(p["rank"] as? Int == i + 1)
            let score = try #require(p["score"] as? Double)
            #expect(score <= lastScore)
            lastScore = score
            for key in ["frame", "detector", "review", "uid", "altitude_source", "heading_source"] { #expect(p.keys.contains(key), "\(key)") }
            if let g = f["geometry"] as? [String: Any] {
                #expect(g["type"] as? String == "Point")
                let c = try #require(g["coordinates"] as? [Double])
                // RFC 7946: longitude first. Brighton Beach, Duluth: 46.84 N, 92.0 W.
                #expect(c.count == 2 && abs(c[0] + 91.994) < 0.002 && abs(c[1] - 46.8424) < 0.002, "\(c)")
                #expect((p["ce_m"] as? Double).map { $0 > 0 && $0 < 10 } == true)
                #expect(p["location_error"] is NSNull)
                #expect(p["altitude_source"] as? String == "relative_altitude+takeoff_height")
            } else {
                #expect(f["geometry"] is NSNull)
                #expect(p["ce_m"] is NSNull)
                let why = try #require(p["location_error"] as? String)
                #expect(why.contains("above the horizon") || why.contains("no GPS position"), "\(why)")
            }
        }
        #expect(features.filter { !($0["geometry"] is NSNull) }.count == 11)
        #expect(features.contains { ($0["properties"] as? [String: Any])?["review"] as? String == "unsure" })
    }

    /// A minimal XML tree from Foundation's parser.
    final class Node {
        var name: String
        var attributes: [String: String]
        var text = ""
        var children: [Node] = []
        init(_ name: String, _ attributes: [String: String]) { self.name = name; self.attributes = attributes }
        func all(_ n: String) -> [Node] { (name == n ? [self] : []) + children.flatMap { $0.all(n) } }
        func first(_ n: String) -> Node? { all(n).first }
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Node] = [Node("#document", [:])]
        func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let n = Node(e, attributes)
            stack.last!.children.append(n)
            stack.append(n)
        }
        func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
        func parser(_ parser: XMLParser, foundCharacters s: String) { stack.last!.text += s }
        func parser(_ parser: XMLParser, foundCDATA d: Data) { stack.last!.text += String(decoding: d, as: UTF8.self) }
    }

    static func xml(_ text: String) throws -> Node {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = TreeBuilder()
        parser.delegate = builder
        #expect(parser.parse(), "XML does not parse: \(parser.parserError.map { "\($0)" } ?? "")\n\(text.prefix(400))")
        return builder.stack[0]
    }

    @Test func kmlHasOnePlacemarkPerLocatedDetectionWithScoreAndCrop() throws {
        let batch = Self.batch()
        let crops = CropSet.jpegs(for: batch, indices: Array(batch.detections.indices))
        #expect(crops.errors.isEmpty, "\(crops.errors)")
        let root = try Self.xml(GeoExport.kml(batch, crops: crops.crops))
        let kml = try #require(root.first("kml"))
        #expect(kml.attributes["xmlns"] == "http://www.opengis.net/kml/2.2")
        let placemarks = kml.all("Placemark")
        #expect(placemarks.count == batch.located)
        let geo = try #require(try Self.json(GeoExport.geoJSON(batch))["features"] as? [[String: Any]])
        for pm in placemarks {
            let uid = try #require(pm.attributes["id"])
            let feature = try #require(geo.first { $0["id"] as? String == uid })
            let props = try #require(feature["properties"] as? [String: Any])
            let coords = try #require(pm.first("coordinates")?.text.trimmingCharacters(in: .whitespacesAndNewlines))
            let lonLat = coords.split(separator: ",").compactMap { Double($0) }
            let c = try #require((feature["geometry"] as? [String: Any])?["coordinates"] as? [Double])
            #expect(lonLat.count == 3 && abs(lonLat[0] - c[0]) < 1e-8 && abs(lonLat[1] - c[1]) < 1e-8)
            let name = pm.first("name")?.text ?? ""
            #expect(name.hasPrefix("#\(props["rank"] as? Int ?? -1) "), "\(name)")
            let data = Dictionary(uniqueKeysWithValues: pm.all("Data").map { ($0.attributes["name"] ?? "", $0.first("value")?.text ?? "") })
            #expect(Double(data["score"] ?? "") == props["score"] as? Double)
            // The balloon carries the crop: a JPEG that decodes to the crop's size.
            let description = pm.first("description")?.text ?? ""
            let b64 = try #require(description.components(separatedBy: "data:image/jpeg;base64,").last?.components(separatedBy: "\"").first)
            let jpeg = try #require(Data(base64Encoded: b64))
            let image = try Image.decode(bytes: Array(jpeg))
            let box = try #require(props["box"] as? [Int])
            let rect = try #require(CropSet.rect(for: ScanDetection(x: box[0], y: box[1], width: box[2], height: box[3], score: 0, detector: ""), width: 4000, height: 2250))
            #expect(image.width == rect.width && image.height == rect.height)
        }
    }

    @Test func cotEventsAreCoT2WithStableUids() throws {
        let batch = Self.batch()
        let events = GeoExport.cot(batch, now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(events.count == batch.located)
        var uids: [String] = []
        for (event, d) in zip(events, batch.detections.filter { $0.fix != nil }) {
            let e = try #require(try Self.xml(event).first("event"))
            #expect(e.attributes["version"] == "2.0" && e.attributes["how"] == "m-i" && e.attributes["type"] == "a-u-G")
            #expect(e.attributes["time"] == "2023-11-14T22:13:20.000Z" && e.attributes["stale"] == "2023-11-14T23:13:20.000Z")
            let point = try #require(e.first("point"))
            let lat = try #require(Double(point.attributes["lat"] ?? "")), lon = try #require(Double(point.attributes["lon"] ?? ""))
            let ce = try #require(Double(point.attributes["ce"] ?? ""))
            #expect(abs(lat - d.fix!.latitude) < 1e-8 && abs(lon - d.fix!.longitude) < 1e-8 && abs(ce - d.fix!.ceM) < 0.006)
            #expect(e.first("remarks")?.text.contains("score") == true)
            uids.append(try #require(e.attributes["uid"]))
        }
        #expect(Set(uids).count == uids.count, "uids are unique")
        // Stable: another run, another time, frames reached through another spelling of their paths.
        let relative = Self.records().map { r -> ScanRecord in
            var r = r
            r.file = r.file.replacingOccurrences(of: "/brighton-beach-frames/", with: "/brighton-beach-frames/./")
            return r
        }
        let again = GeoBatch.locate(relative, options: LocateOptions(), database: Self.database)
        #expect(again.detections.map(\.uid) == batch.detections.map(\.uid))
    }

    /// RFC 4180 fields of one line (quotes, doubled quotes, commas inside quotes).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var chars = Array(line), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" && i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 }
                else if c == "\"" { quoted = false }
                else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { fields.append(field); field = "" }
            else { field.append(c) }
            i += 1
        }
        chars.removeAll()
        fields.append(field)
        return fields
    }

    @Test func csvRowsMatchTheGeoJSON() throws {
        let batch = Self.batch()
        let lines = GeoExport.csv(batch).split(separator: "\n").map(String.init)
        let header = Self.csvFields(lines[0])
        #expect(header == GeoExport.csvHeader.split(separator: ",").map(String.init))
        #expect(lines.count == 1 + batch.detections.count)
        let geo = try #require(try Self.json(GeoExport.geoJSON(batch))["features"] as? [[String: Any]])
        for (line, feature) in zip(lines.dropFirst(), geo) {
            let row = Dictionary(uniqueKeysWithValues: zip(header, Self.csvFields(line)))
            let props = try #require(feature["properties"] as? [String: Any])
            #expect(Int(row["rank"]!) == props["rank"] as? Int)
            #expect(row["uid"] == props["uid"] as? String)
            if let c = (feature["geometry"] as? [String: Any])?["coordinates"] as? [Double] {
                #expect(Double(row["longitude"]!) == c[0] && Double(row["latitude"]!) == c[1])
            } else {
                #expect(row["latitude"] == "" && !(row["location_error"] ?? "").isEmpty)
            }
        }
    }

    /// `--cot-send`: events go to a loopback UDP socket opened here, one datagram each, and parse on arrival.
    @Test func cotIsSentOverUDP() throws {
        let listener = try #require(UDPListener())
        let events = GeoExport.cot(Self.batch())
        let sent = try CoTSender.send(events, to: listener.url)
        #expect(sent == events.count)
        let received = listener.receive()
        #expect(received.count == events.count)
        let uids = try received.map { try #require(try Self.xml($0).first("event")?.attributes["uid"]) }
        #expect(Set(uids) == Set(try events.map { try #require(try Self.xml($0).first("event")?.attributes["uid"]) }))
    }

    @Test func cotDestinationsAreChecked() throws {
        #expect(try CoTSender.parse("udp://127.0.0.1:4242") == ("127.0.0.1", 4242))
        #expect(try CoTSender.parse("udp://[::1]:6969/") == ("::1", 6969))
        for bad in ["tcp://1.2.3.4:1", "udp://host", "udp://:4242", "udp://h:0", "udp://h:70000"] {
            #expect(throws: GeoError.self, "\(bad)") { try CoTSender.parse(bad) }
        }
    }

    @Test func scanJSONLIsParsedAndBadLinesAreNamed() throws {
        let text = """
            {"file": "a.jpg", "width": 640, "height": 512, "detections": [{"box": [313, 241, 9, 14], "score": 21.5, "detector": "hotspot"}], "error": null}

            {"file": "b.jpg", "width": 0, "height": 0, "detections": [], "error": "JPEG data ends early"}
            """
        let records = try ScanRecord.parseJSONL(text)
        #expect(records.count == 2)
        #expect(records[0].detections == [ScanDetection(x: 313, y: 241, width: 9, height: 14, score: 21.5, detector: "hotspot")])
        #expect(records[1].error == "JPEG data ends early")
        do {
            _ = try ScanRecord.parseJSONL(text + "\n{\"nofile\": 1}", name: "scan.jsonl")
            Issue.record("a line without file must be refused")
        } catch {
            #expect(error.message.contains("line 4") && error.file == "scan.jsonl")
        }
        #expect(throws: GeoError.self) { try ScanRecord.parseJSONL("{\"file\": \"x\", \"detections\": [{\"box\": [1, 2]}]}") }
    }
}
