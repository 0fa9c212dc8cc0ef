import Foundation
import SpotterImaging

/// A detection ranked across frames, with its ground position or the reason it has none.
public struct LocatedDetection: Sendable {
    /// 1 = best score across all frames.
    public var rank: Int
    /// The frame's path as the scan gave it.
    public var file: String
    public var detection: ScanDetection
    public var fix: GroundFix?
    public var locationError: String?
    /// The frame's DateTimeOriginal (`YYYY:MM:DD HH:MM:SS`, camera time), when known.
    public var time: String?
    /// Stable across runs and machines: frame identity (name, size, capture time) and box.
    public var uid: String
    /// Set when the frame's pixels look rotated relative to its pose (`GeoBatch.checkOrientation`): the position is
    /// then mirrored through the point under the drone.
    public var frameWarning: String? = nil
}

/// One frame of the batch: where it looked, and what was wrong with it.
public struct FrameSummary: Sendable {
    public var file: String
    /// The path the metadata was read from (relative paths may be resolved against the scan file's folder).
    public var resolvedPath: String
    public var time: String?
    public var width: Int
    public var height: Int
    public var camera: (latitude: Double, longitude: Double)?
    /// The frame's corners on the surface, when they all look below the horizon.
    public var footprint: [(latitude: Double, longitude: Double)]?
    public var geometry: FrameGeometry?
    public var warnings: [String]
    public var error: String?
    /// File name, capture time and position: what makes detection uids stable across folders and machines.
    public var identity: String
}

/// Detections of a scan, located and ranked; what the exports and the report are made from.
public struct GeoBatch: Sendable {
    public var detections: [LocatedDetection]
    public var frames: [FrameSummary]

    public var located: Int { detections.filter { $0.fix != nil }.count }

    /// Reads each frame's metadata again (from the path in the record), projects each detection's box centre onto
    /// the surface, and ranks all detections by score (ties: frame order, then position).
    ///
    /// - Parameter base: folder to resolve relative frame paths against when they do not exist as given (the scan
    ///   file's folder).
    public static func locate(
        _ records: [ScanRecord], options: LocateOptions, database: CameraDatabase, base: String? = nil
    ) -> GeoBatch {
        let reader = MetadataReader()
        var frames: [FrameSummary] = []
        var all: [(frame: Int, detection: ScanDetection)] = []
        for (index, record) in records.enumerated() {
            let path = resolve(record.file, base: base)
            var summary = FrameSummary(
                file: record.file, resolvedPath: path, time: nil, width: record.width, height: record.height,
                camera: nil, footprint: nil, geometry: nil, warnings: [], error: record.error,
                identity: String(record.file.split(separator: "/").last ?? ""))
            if record.error == nil || !record.detections.isEmpty {
                do {
                    let meta = try reader.read(path: path)
                    summary.time = meta.dateTimeOriginal
                    summary.warnings = meta.warnings
                    if let w = meta.width, let h = meta.height { (summary.width, summary.height) = (w, h) }
                    if let lat = meta.latitude, let lon = meta.longitude { summary.camera = (lat, lon) }
                    summary.identity += "|\(meta.dateTimeOriginal ?? "")|\(meta.latitude ?? 0)|\(meta.longitude ?? 0)"
                    do {
                        let g = try FrameGeometry(metadata: meta, file: record.file, options: options, database: database)
                        summary.geometry = g
                        summary.footprint = g.footprint()
                        summary.warnings += g.pose.notes.filter { !$0.hasPrefix("no --takeoff-height") } + g.intrinsics.notes
                    } catch {
                        summary.error = summary.error ?? error.message
                    }
                } catch {
                    summary.error = summary.error ?? "metadata: \(error.message)"
                }
            }
            frames.append(summary)
            for d in record.detections { all.append((index, d)) }
        }
        all.sort { a, b in
            if a.detection.score != b.detection.score { return a.detection.score > b.detection.score }
            if a.frame != b.frame { return a.frame < b.frame }
            if a.detection.y != b.detection.y { return a.detection.y < b.detection.y }
            return a.detection.x < b.detection.x
        }
        var located: [LocatedDetection] = []
        located.reserveCapacity(all.count)
        for (i, item) in all.enumerated() {
            let frame = frames[item.frame]
            let d = item.detection
            var fix: GroundFix?
            var why: String?
            if let g = frame.geometry {
                // Where in its box the person is: a tenth of the box's longer side, at least half a pixel.
                let sigma = max(0.5, 0.1 * Double(max(d.width, d.height)))
                switch g.locate(u: d.centreX, v: d.centreY, pixelSigma: sigma) {
                case .success(let f): fix = f
                case .failure(let e): why = e.message
                }
            } else {
                why = frame.error ?? "frame could not be located"
            }
            located.append(
                LocatedDetection(
                    rank: i + 1, file: frame.file, detection: d, fix: fix, locationError: why, time: frame.time,
                    uid: uid(identity: frame.identity, d)))
        }
        return GeoBatch(detections: located, frames: frames)
    }

    /// `path` as given when it exists, else relative to `base`.
    static func resolve(_ path: String, base: String?) -> String {
        if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
        guard let base, !base.isEmpty else { return path }
        let joined = (base.hasSuffix("/") ? base : base + "/") + path
        return FileManager.default.fileExists(atPath: joined) ? joined : path
    }

    /// `spotter-` + 16 hex digits of FNV-1a over the frame's identity, then the box: the same detection of the same
    /// frame gets the same uid whatever folder or machine the export runs from, so a TAK server updates the marker
    /// instead of adding a second one.
    static func uid(identity: String, _ d: ScanDetection) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in identity.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return "spotter-" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(d.x)-\(d.y)-\(d.width)-\(d.height)"
    }
}
