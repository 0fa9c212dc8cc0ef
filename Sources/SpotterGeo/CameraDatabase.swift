import Foundation

/// Sensor sizes of known drone cameras (`Models/cameras.json`, format `spotter-cameras-1`), for turning a focal length
/// in millimetres into pixels.
public struct CameraDatabase: Sendable, Equatable {
    /// One camera of a model (a thermal core, a wide or a zoom camera).
    public struct Sensor: Sendable, Equatable {
        public var kind: String
        /// DJI XMP `ImageSource` this sensor writes (`InfraredCamera`, `WideCamera`, `ZoomCamera`), when known.
        public var imageSource: String?
        public var widthMM: Double
        public var heightMM: Double
        public var pixelWidth: Int
        public var pixelHeight: Int
        /// Used when the frame's EXIF has no FocalLength.
        public var focalLengthMM: Double?

        public init(
            kind: String, imageSource: String? = nil, widthMM: Double, heightMM: Double, pixelWidth: Int,
            pixelHeight: Int, focalLengthMM: Double? = nil
        ) {
            self.kind = kind
            self.imageSource = imageSource
            self.widthMM = widthMM
            self.heightMM = heightMM
            self.pixelWidth = pixelWidth
            self.pixelHeight = pixelHeight
            self.focalLengthMM = focalLengthMM
        }
    }

    public struct Camera: Sendable, Equatable {
        public var make: String
        public var models: [String]
        public var name: String
        public var sensors: [Sensor]
        public var source: String
    }

    /// The file's `version` (e.g. `cameras-1`).
    public var version: String
    public var cameras: [Camera]

    public init(version: String, cameras: [Camera]) {
        self.version = version
        self.cameras = cameras
    }

    /// No cameras: every frame falls back to its 35 mm equivalent focal length.
    public static let empty = CameraDatabase(version: "none", cameras: [])

    /// Loads `cameras.json` from `path`.
    public init(path: String) throws(GeoError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoError(.badInput, "cannot read the camera database", file: path)
        }
        do {
            try self.init(json: data)
        } catch {
            throw GeoError(error.code, error.message, file: path)
        }
    }

    /// Parses the JSON text of a camera database.
    public init(json data: Data) throws(GeoError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw GeoError(.badInput, "camera database is not JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any], root["format"] as? String == "spotter-cameras-1" else {
            throw GeoError(.badInput, "camera database: format is not spotter-cameras-1")
        }
        guard let version = root["version"] as? String, let list = root["cameras"] as? [[String: Any]] else {
            throw GeoError(.badInput, "camera database: needs \"version\" and a \"cameras\" list")
        }
        var cameras: [Camera] = []
        for (i, c) in list.enumerated() {
            guard let make = c["make"] as? String, let models = c["models"] as? [String], !models.isEmpty,
                let sensors = c["sensors"] as? [[String: Any]], !sensors.isEmpty, let source = c["source"] as? String
            else {
                throw GeoError(.badInput, "camera database: camera \(i) needs make, models, sensors and source")
            }
            var parsed: [Sensor] = []
            for s in sensors {
                guard let kind = s["kind"] as? String, let w = Self.number(s["width_mm"]), let h = Self.number(s["height_mm"]),
                    let px = s["pixels"] as? [Any], px.count == 2, let pw = Self.number(px[0]), let ph = Self.number(px[1]),
                    w > 0, h > 0, pw > 0, ph > 0
                else {
                    throw GeoError(.badInput, "camera database: a sensor of \(models[0]) needs kind, width_mm, height_mm and pixels [w, h]")
                }
                parsed.append(
                    Sensor(
                        kind: kind, imageSource: s["image_source"] as? String, widthMM: w, heightMM: h, pixelWidth: Int(pw),
                        pixelHeight: Int(ph), focalLengthMM: Self.number(s["focal_length_mm"])))
            }
            cameras.append(Camera(make: make, models: models, name: c["name"] as? String ?? models[0], sensors: parsed, source: source))
        }
        self.init(version: version, cameras: cameras)
    }

    private static func number(_ v: Any?) -> Double? {
        if let n = v as? NSNumber { return n.doubleValue }
        return nil
    }

    /// The entry for an EXIF make and model (model compared without case or surrounding spaces).
    public func camera(make: String?, model: String?) -> Camera? {
        guard let model = model?.trimmingCharacters(in: .whitespaces).uppercased(), !model.isEmpty else { return nil }
        let makeKey = make?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
        return cameras.first { c in
            c.models.contains { $0.uppercased() == model } && (makeKey.isEmpty || makeKey.hasPrefix(c.make.uppercased()))
        }
    }

    /// The sensor of `camera` that shot a frame: by DJI ImageSource when the frame says, else thermal for frames
    /// 1,280 px wide or narrower, else the visible sensor closest in width.
    public static func sensor(of camera: Camera, imageSource: String?, width: Int) -> Sensor {
        if let imageSource, let s = camera.sensors.first(where: { $0.imageSource == imageSource }) { return s }
        if camera.sensors.count == 1 { return camera.sensors[0] }
        if width <= 1280, let thermal = camera.sensors.first(where: { $0.kind == "thermal" }) { return thermal }
        let visible = camera.sensors.filter { $0.kind != "thermal" }
        let pool = visible.isEmpty ? camera.sensors : visible
        return pool.min { abs($0.pixelWidth - width) < abs($1.pixelWidth - width) }!
    }
}
