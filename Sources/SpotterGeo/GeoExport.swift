import Foundation
import SpotterImaging

/// Map and TAK exports of located detections. Computing is in `GeoBatch`; these only format.
public enum GeoExport {
    public enum Format: String, Sendable, CaseIterable {
        case geojson, kml, cot, csv
    }

    /// The export text of `records` (what `spotter export` and `spotter scan --format geojson|kml|cot|csv` print):
    /// reads each frame's metadata, locates every detection's box centre, ranks by score.
    ///
    /// - Parameters:
    ///   - top: keep the K best detections (nil: all).
    ///   - crops: embed full-resolution crops in KML placemarks (one partial decode per frame).
    public static func render(
        _ format: Format, records: [ScanRecord], options: LocateOptions, database: CameraDatabase, top: Int? = nil,
        crops: Bool = true, base: String? = nil, now: Date = Date()
    ) -> String {
        var batch = GeoBatch.locate(records, options: options, database: database, base: base)
        if let top { batch.detections = Array(batch.detections.prefix(top)) }
        return text(format, batch, crops: crops, now: now)
    }

    /// The export text of an already located batch (KML crops: one partial decode per frame, on two threads).
    public static func text(_ format: Format, _ batch: GeoBatch, crops: Bool = true, now: Date = Date()) -> String {
        switch format {
        case .geojson: return geoJSON(batch)
        case .csv: return csv(batch)
        case .cot: return cot(batch, now: now).joined(separator: "\n") + "\n"
        case .kml:
            let jpegs = crops ? CropSet.jpegs(for: batch, indices: Array(batch.detections.indices)).crops : [:]
            return kml(batch, crops: jpegs)
        }
    }

    // MARK: GeoJSON (RFC 7946)

    /// A FeatureCollection with one Point Feature per detection (`[longitude, latitude]`, WGS 84); a detection that
    /// could not be located has a null geometry and says why in `location_error`.
    public static func geoJSON(_ batch: GeoBatch) -> String {
        var out = "{\"type\": \"FeatureCollection\", \"features\": ["
        out += batch.detections.map { d -> String in
            let geometry = d.fix.map { "{\"type\": \"Point\", \"coordinates\": [\(Escape.number($0.longitude, 8)), \(Escape.number($0.latitude, 8))]}" } ?? "null"
            var p: [String] = []
            p.append("\"rank\": \(d.rank)")
            p.append("\"score\": \(Escape.number(d.detection.score, 4))")
            p.append("\"frame\": \(Escape.json(d.file))")
            p.append("\"detector\": \(Escape.json(d.detection.detector))")
            p.append("\"box\": [\(d.detection.x), \(d.detection.y), \(d.detection.width), \(d.detection.height)]")
            p.append("\"ce_m\": \(Escape.number(d.fix?.ceM, 2))")
            p.append("\"review\": \(Escape.json(d.detection.review))")
            p.append("\"time\": \(Escape.json(d.time))")
            p.append("\"height_above_surface_m\": \(Escape.number(d.fix?.heightAboveSurfaceM, 2))")
            p.append("\"altitude_source\": \(Escape.json(d.fix?.altitudeSource))")
            p.append("\"heading_source\": \(Escape.json(d.fix?.headingSource))")
            p.append("\"location_error\": \(Escape.json(d.locationError))")
            p.append("\"uid\": \(Escape.json(d.uid))")
            p.append("\"frame_warning\": \(Escape.json(d.frameWarning))")
            if let id = d.detection.storeID { p.append("\"detection_id\": \(id)") }
            return "\n  {\"type\": \"Feature\", \"id\": \(Escape.json(d.uid)), \"geometry\": \(geometry), \"properties\": {" + p.joined(separator: ", ") + "}}"
        }.joined(separator: ",")
        out += "\n]}\n"
        return out
    }

    // MARK: CSV

    public static let csvHeader =
        "rank,frame,x,y,w,h,score,detector,latitude,longitude,ce_m,height_above_surface_m,altitude_source,heading_source,review,time,uid,location_error,frame_warning"

    public static func csv(_ batch: GeoBatch) -> String {
        var lines = [csvHeader]
        for d in batch.detections {
            let b = d.detection
            let fields: [String] = [
                String(d.rank), Escape.csv(d.file), String(b.x), String(b.y), String(b.width), String(b.height),
                Escape.number(b.score, 4), Escape.csv(b.detector),
                d.fix.map { Escape.number($0.latitude, 8) } ?? "", d.fix.map { Escape.number($0.longitude, 8) } ?? "",
                d.fix.map { Escape.number($0.ceM, 2) } ?? "", d.fix.map { Escape.number($0.heightAboveSurfaceM, 2) } ?? "",
                Escape.csv(d.fix?.altitudeSource ?? ""), Escape.csv(d.fix?.headingSource ?? ""), Escape.csv(b.review),
                Escape.csv(d.time ?? ""), d.uid, Escape.csv(d.locationError ?? ""), Escape.csv(d.frameWarning ?? ""),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: KML 2.2

    /// A KML 2.2 document: one Placemark per located detection, named by rank and score, its balloon holding the
    /// score, frame, error circle and the full-resolution crop (a JPEG data URI) when given.
    public static func kml(_ batch: GeoBatch, crops: [Int: [UInt8]] = [:]) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <kml xmlns="http://www.opengis.net/kml/2.2">
            <Document>
            <name>Spotter detections</name>
            <Style id="detection"><IconStyle><color>ff0000ff</color><scale>1.1</scale></IconStyle></Style>

            """
        for (i, d) in batch.detections.enumerated() {
            guard let fix = d.fix else { continue }
            let b = d.detection
            var html = "<b>#\(d.rank)</b> score \(Escape.number(b.score, 3)) (\(b.detector))<br/>"
            if let w = d.frameWarning { html += "<b>CHECK: \(Escape.xml(w))</b><br/>" }
            html += "frame \(d.file) box \(b.x),\(b.y) \(b.width)x\(b.height)<br/>"
            html += "position ±\(Escape.number(fix.ceM, 1)) m (1σ), \(Escape.number(fix.heightAboveSurfaceM, 1)) m above the surface<br/>"
            if let t = d.time { html += "taken \(t)<br/>" }
            if let jpeg = crops[i] { html += "<img src=\"data:image/jpeg;base64,\(Data(jpeg).base64EncodedString())\"/>" }
            out += "<Placemark id=\"\(Escape.xml(d.uid))\">\n"
            out += "  <name>#\(d.rank) \(Escape.number(b.score, 2))</name>\n"
            out += "  <description><![CDATA[\(html.replacingOccurrences(of: "]]>", with: "]] >"))]]></description>\n"
            out += "  <styleUrl>#detection</styleUrl>\n"
            out += "  <ExtendedData>"
            for (k, v) in [
                ("rank", String(d.rank)), ("score", Escape.number(b.score, 4)), ("frame", d.file), ("detector", b.detector),
                ("box", "\(b.x),\(b.y),\(b.width),\(b.height)"), ("ce_m", Escape.number(fix.ceM, 2)), ("review", b.review),
                ("altitude_source", fix.altitudeSource), ("heading_source", fix.headingSource),
            ] {
                out += "<Data name=\"\(k)\"><value>\(Escape.xml(v))</value></Data>"
            }
            out += "</ExtendedData>\n"
            out += "  <Point><coordinates>\(Escape.number(fix.longitude, 8)),\(Escape.number(fix.latitude, 8)),0</coordinates></Point>\n"
            out += "</Placemark>\n"
        }
        out += "</Document>\n</kml>\n"
        return out
    }

    // MARK: Cursor on Target 2.0

    /// One CoT 2.0 `event` per located detection: `type="a-u-G"` (unknown ground track), `how="m-i"` (machine,
    /// imagery), a stable `uid`, `point` with `ce` (one-sigma, metres) and `hae` unknown, remarks with the score,
    /// frame and sources. Stale after `staleMinutes`.
    public static func cot(_ batch: GeoBatch, now: Date = Date(), staleMinutes: Double = 60) -> [String] {
        let time = iso8601(now), stale = iso8601(now.addingTimeInterval(staleMinutes * 60))
        return batch.detections.compactMap { d -> String? in
            guard let fix = d.fix else { return nil }
            let b = d.detection
            var remarks = d.frameWarning.map { "CHECK: \($0). " } ?? ""
            remarks += "Spotter #\(d.rank): score \(Escape.number(b.score, 3)) (\(b.detector)), \(b.review); frame \(d.file)"
            remarks += " box \(b.x),\(b.y) \(b.width)x\(b.height)"
            if let t = d.time { remarks += "; taken \(t) (camera time)" }
            remarks += "; \(Escape.number(fix.heightAboveSurfaceM, 1)) m above surface (\(fix.altitudeSource)), heading \(fix.headingSource)"
            return """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\
                <event version="2.0" uid="\(Escape.xml(d.uid))" type="a-u-G" how="m-i" time="\(time)" start="\(time)" stale="\(stale)">\
                <point lat="\(Escape.number(fix.latitude, 8))" lon="\(Escape.number(fix.longitude, 8))" hae="9999999.0" \
                ce="\(Escape.number(fix.ceM, 2))" le="9999999.0"/>\
                <detail><contact callsign="Spotter #\(d.rank) \(Escape.number(b.score, 2))"/>\
                <remarks>\(Escape.xml(remarks))</remarks></detail></event>
                """
        }
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
