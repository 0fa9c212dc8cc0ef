import Foundation
import Testing
import _SpotterTestSupport

/// `spotter info`, `locate`, `export` and `report` through the binary: stdout, stderr, exit codes.
@Suite(.needsDatasets)
struct GeoCommandTests {
    static let brighton = SharedDatasets.path("brighton-beach-frames")
    static let radiometric = SharedDatasets.path("thermal-radiometric-samples")

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func infoPrintsOneObjectPerFileWithTheDocumentedKeys() throws {
        let files = [Self.brighton + "/DJI_0024.JPG", Self.radiometric + "/H20N_DJI_0006_R.JPG", Self.radiometric + "/FLIR_AX8.jpg"]
        let run = try SpotterProcess.run(["info"] + files + ["--format", "json"])
        #expect(run.exitCode == 0, "\(run)")
        let list = try #require(try Self.json(run.stdout) as? [[String: Any]])
        #expect(list.map { $0["file"] as? String } == files)
        let keys = [
            "file", "make", "model", "width", "height", "latitude", "longitude", "gps_altitude", "absolute_altitude",
            "relative_altitude", "gimbal_yaw", "gimbal_pitch", "gimbal_roll", "flight_yaw", "flight_pitch", "flight_roll",
            "focal_length_mm", "focal_length_35mm",
        ]
        for o in list { for k in keys { #expect(o.keys.contains(k), "\(k)") } }
        #expect(list[0]["gimbal_yaw"] as? Double == -140 && list[0]["relative_altitude"] as? Double == 39.9)
        #expect(list[1]["lrf_target_distance"] as? Double == 79.572 && list[1]["model"] as? String == "ZH20N")
        #expect(list[2]["latitude"] is NSNull && list[2]["gimbal_pitch"] is NSNull)
        // The re-saved frame is named on stderr.
        #expect(run.stderr.contains("DJI_0024.JPG: re-saved by \"Microsoft Windows Photo Viewer"))
        let table = try SpotterProcess.run(["info", files[0], "--quiet"])
        #expect(table.exitCode == 0 && table.stdout.contains("FC300S") && table.stdout.contains("-140.0/-89.9/0.0"), "\(table)")
        let missing = try SpotterProcess.run(["info", "/nonexistent.jpg", "--format", "json"])
        #expect(missing.exitCode == 2 && missing.stderr.contains("/nonexistent.jpg"), "\(missing)")
        #expect(((try Self.json(missing.stdout) as? [[String: Any]])?.first?["error"] as? String)?.contains("cannot open") == true)
    }

    @Test func locatePrintsThePositionOrWhyNot() throws {
        let h20n = Self.radiometric + "/H20N_DJI_0006_R.JPG"
        let run = try SpotterProcess.run(["locate", h20n, "320", "256", "--takeoff-height", "0.735", "--format", "json", "--quiet"])
        #expect(run.exitCode == 0, "\(run)")
        let o = try #require(try Self.json(run.stdout) as? [String: Any])
        for k in ["latitude", "longitude", "ce_m", "height_above_surface_m", "altitude_source", "heading_source"] {
            #expect(o.keys.contains(k), "\(k)")
        }
        #expect(abs((o["latitude"] as? Double ?? 0) - 22.5960255) < 5e-6 && abs((o["longitude"] as? Double ?? 0) - 114.0066452) < 5e-6)
        #expect(o["altitude_source"] as? String == "relative_altitude+takeoff_height" && o["heading_source"] as? String == "gimbal_yaw")

        let sky = try SpotterProcess.run(["locate", Self.radiometric + "/DJI_XTS.jpg", "320", "256", "--format", "json"])
        #expect(sky.exitCode == 2, "\(sky)")
        let e = try #require(try Self.json(sky.stdout) as? [String: Any])
        #expect((e["error"] as? String)?.contains("above the horizon") == true)

        let outside = try SpotterProcess.run(["locate", h20n, "700", "10"])
        #expect(outside.exitCode == 2 && outside.stderr.contains("outside the 640x512 frame"), "\(outside)")
        let both = try SpotterProcess.run(["locate", h20n, "1", "1", "--takeoff-height", "2", "--height-above-surface", "40"])
        #expect(both.exitCode == 64, "\(both)")
    }

    /// A scan JSONL naming frames by paths relative to the JSONL's folder, exported from elsewhere.
    static func scanFile(_ dir: TemporaryDirectory) throws -> String {
        let lines = [
            #"{"file": "frames/DJI_0030.JPG", "width": 4000, "height": 2250, "detections": [{"box": [2757, 1792, 8, 13], "score": 0.874, "detector": "rx"}, {"box": [100, 2000, 20, 20], "score": 0.2, "detector": "contrast"}], "error": null}"#,
            #"{"file": "frames/DJI_0027.JPG", "width": 4000, "height": 2250, "detections": [{"box": [3900, 1085, 19, 25], "score": 0.893, "detector": "rx"}], "error": null}"#,
            #"{"file": "frames/missing.JPG", "width": 0, "height": 0, "detections": [], "error": "cannot open: No such file or directory"}"#,
        ]
        return try dir.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: "scan/scan.jsonl")
    }

    @Test func exportReadsAScanAndWritesEachFormat() throws {
        try TemporaryDirectory.with { dir in
            let scan = try Self.scanFile(dir)
            // Frame paths are relative to the scan file's folder (the scan ran there).
            try FileManager.default.createSymbolicLink(atPath: dir.url("scan/frames"), withDestinationPath: Self.brighton)
            let geo = try SpotterProcess.run(["export", "geojson", "--from", scan, "--takeoff-height", "2"])
            #expect(geo.exitCode == 0, "\(geo)")
            let root = try #require(try Self.json(geo.stdout) as? [String: Any])
            let features = try #require(root["features"] as? [[String: Any]])
            #expect(features.count == 3)
            let ranks = features.compactMap { ($0["properties"] as? [String: Any])?["rank"] as? Int }
            #expect(ranks == [1, 2, 3])
            let first = try #require(features[0]["properties"] as? [String: Any])
            #expect(first["frame"] as? String == "frames/DJI_0027.JPG" && first["score"] as? Double == 0.893)
            #expect(geo.stderr.contains("DJI_0027.JPG: re-saved"), "\(geo.stderr)")

            // --rotated-180 moves DJI_0027's detection to the mirrored place through the nadir point.
            let fixed = try SpotterProcess.run(["export", "csv", "--from", scan, "--rotated-180", "DJI_0027.JPG", "--quiet"])
            let plain = try SpotterProcess.run(["export", "csv", "--from", scan, "--quiet"])
            #expect(fixed.exitCode == 0 && plain.exitCode == 0)
            #expect(fixed.stdoutLines[1] != plain.stdoutLines[1] && fixed.stdoutLines[2] == plain.stdoutLines[2])
            #expect(fixed.stdoutLines[1].contains("gimbal_yaw (pixels rotated 180°)"))

            let out = dir.url("out.kml")
            let kml = try SpotterProcess.run(["export", "kml", "--from", scan, "-o", out, "--quiet"])
            #expect(kml.exitCode == 0 && kml.stdout.isEmpty, "\(kml)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.components(separatedBy: "<Placemark").count - 1 == 3 && text.contains("data:image/jpeg;base64,"))

            let cot = try SpotterProcess.run(["export", "cot", "--from", scan, "--top", "1", "--quiet"])
            #expect(cot.exitCode == 0 && cot.stdoutLines.count == 1 && cot.stdout.contains("how=\"m-i\""), "\(cot)")

            let report = dir.url("report.html")
            let html = try SpotterProcess.run(["report", "--from", scan, "-o", report])
            #expect(html.exitCode == 0, "\(html)")
            let page = try String(contentsOfFile: report, encoding: .utf8)
            #expect(page.components(separatedBy: "<article class=\"card\"").count - 1 == 3 && !page.contains("http://"))
        }
    }

    /// A report shows the best 500 detections unless `--top` says otherwise, and says so when it leaves some out.
    @Test func reportKeepsTheBest500ByDefault() throws {
        try TemporaryDirectory.with { dir in
            let frame = CLIInputs.rgb()
            let boxes = (0..<520).map { i in
                "{\"box\": [\((i * 7) % 600), \((i * 13) % 600), 6, 9], \"score\": \(Double(1000 - i) / 1000), \"detector\": \"contrast\"}"
            }
            let line = "{\"file\": \"\(frame)\", \"width\": 640, \"height\": 640, \"detections\": [\(boxes.joined(separator: ", "))]}\n"
            let scan = try dir.write(Array(line.utf8), to: "many.jsonl")
            func cards(_ extra: [String]) throws -> (Int, String) {
                let out = dir.url("r.html")
                let run = try SpotterProcess.run(["report", "--from", scan, "-o", out] + extra)
                #expect(run.exitCode == 0, "\(run)")
                let page = try String(contentsOfFile: out, encoding: .utf8)
                return (page.components(separatedBy: "<article class=\"card\"").count - 1, run.stderr)
            }
            let (shown, note) = try cards([])
            #expect(shown == 500)
            #expect(note.contains("the report shows the 500 best of 520 detections"), "\(note)")
            let (all, quiet) = try cards(["--top", "520"])
            #expect(all == 520 && !quiet.contains("best of"))
        }
    }

    /// `--cot-send` sends the best 100 detections unless `--top` says otherwise, and says so when it leaves some out;
    /// the written output keeps every detection.
    @Test func cotSendKeepsTheBest100ByDefault() throws {
        try TemporaryDirectory.with { dir in
            let frame = Self.brighton + "/DJI_0030.JPG"
            let boxes = (0..<110).map { i in
                "{\"box\": [\(100 + (i * 37) % 3800), \(100 + (i * 53) % 2000), 8, 12], \"score\": \(Double(1000 - i) / 1000), \"detector\": \"rx\"}"
            }
            let line = "{\"file\": \"\(frame)\", \"width\": 4000, \"height\": 2250, \"detections\": [\(boxes.joined(separator: ", "))]}\n"
            let scan = try dir.write(Array(line.utf8), to: "many.jsonl")
            /// The ranks sent (from each event's callsign, "Spotter #RANK SCORE"), stderr, and the lines written.
            func send(_ extra: [String]) throws -> (ranks: [Int], stderr: String, written: Int) {
                let listener = try #require(UDPListener())
                let out = dir.url("out.cot")
                let run = try SpotterProcess.run(
                    ["export", "cot", "--from", scan, "--takeoff-height", "2", "-o", out, "--cot-send", listener.url] + extra)
                #expect(run.exitCode == 0, "\(run)")
                let ranks = listener.receive().compactMap { event in
                    event.firstRange(of: "callsign=\"Spotter #").flatMap { Int(event[$0.upperBound...].prefix { $0.isNumber }) }
                }
                let written = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count
                return (ranks, run.stderr, written)
            }
            let byDefault = try send([])
            #expect(byDefault.ranks.sorted() == Array(1...100))
            #expect(byDefault.stderr.contains("--cot-send sends the 100 best of 110 detections (--top K for more)"), "\(byDefault.stderr)")
            #expect(byDefault.stderr.contains("sent 100 CoT events"), "\(byDefault.stderr)")
            #expect(byDefault.written == 110)
            let top = try send(["--top", "105"])
            #expect(top.ranks.sorted() == Array(1...105))
            #expect(!top.stderr.contains("best of") && top.written == 105, "\(top.stderr)")
        }
    }

    @Test func exportUsageErrors() throws {
        try TemporaryDirectory.with { dir in
            let noStore = try SpotterProcess.run(["export", "geojson", "--db", dir.url("none.db")])
            #expect(noStore.exitCode == 64 && noStore.stderr.contains("no mission store"), "\(noStore)")
            #expect(!FileManager.default.fileExists(atPath: dir.url("none.db")), "a missing store must not be created")
            let both = try SpotterProcess.run(["export", "csv", "--from", "x.jsonl", "--db", "y.db"])
            #expect(both.exitCode == 64, "\(both)")
            let badSend = try SpotterProcess.run(["export", "cot", "--from", "x.jsonl", "--cot-send", "tcp://h:1"])
            #expect(badSend.exitCode == 64 && badSend.stderr.contains("udp://HOST:PORT"), "\(badSend)")
            let notJSON = try dir.write(Array("hello\n".utf8), to: "bad.jsonl")
            let bad = try SpotterProcess.run(["export", "geojson", "--from", notJSON])
            #expect(bad.exitCode == 64 && bad.stderr.contains("line 1 is not JSON"), "\(bad)")
        }
    }
    /// `--db`: the mission store's detections, with their ids and review verdicts, exported like a scan's.
    @Test func exportReadsTheMissionStore() throws {
        try TemporaryDirectory.with { dir in
            let db = dir.url("mission.db")
            let frame = Self.brighton + "/DJI_0030.JPG"
            let scan = try SpotterProcess.run(["scan", frame, "--db", db, "--mission", "geo-test", "--format", "jsonl", "--quiet", "--as", "tester"])
            #expect(scan.exitCode == 0, "\(scan)")
            let scanned = (try Self.json(scan.stdoutLines[0]) as? [String: Any])?["detections"] as? [[String: Any]] ?? []
            let geo = try SpotterProcess.run(["export", "geojson", "--db", db, "--mission", "geo-test", "--quiet"])
            #expect(geo.exitCode == 0, "\(geo)")
            let features = try #require((try Self.json(geo.stdout) as? [String: Any])?["features"] as? [[String: Any]])
            #expect(features.count == scanned.count && !features.isEmpty)
            let first = try #require(features.first?["properties"] as? [String: Any])
            let id = try #require(first["detection_id"] as? Int)
            #expect(first["frame"] as? String == frame && first["review"] as? String == "unreviewed")
            #expect((features.first?["geometry"] as? [String: Any])?["type"] as? String == "Point")
            let review = try SpotterProcess.run(["review", String(id), "confirm", "--db", db, "--as", "tester"])
            #expect(review.exitCode == 0, "\(review)")
            let again = try SpotterProcess.run(["export", "csv", "--db", db, "--mission", "geo-test", "--quiet"])
            #expect(again.exitCode == 0 && again.stdoutLines[1].contains(",confirmed,"), "\(again)")
        }
    }
}
