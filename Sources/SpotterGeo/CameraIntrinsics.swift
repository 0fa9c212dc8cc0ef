import Foundation
import SpotterImaging

/// A pinhole camera with optional Brown–Conrady distortion (DJI DewarpData), in the frame's own pixels.
///
/// Pixel coordinates are continuous: (0, 0) is the top-left corner of the top-left pixel, (width/2, height/2) the
/// middle of the frame, and a box's centre is `x + w/2`.
public struct CameraIntrinsics: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Focal length in pixels (square pixels assumed when only one is known).
    public var fx: Double
    public var fy: Double
    /// Principal point in pixels.
    public var cx: Double
    public var cy: Double
    /// OpenCV-order distortion k1, k2, p1, p2, k3 (all zero when unknown).
    public var distortion: [Double]
    /// Where the focal length came from: `dewarp_data`, `calibrated_focal_length`, `exif_focal+camera_db`,
    /// `camera_db`, `focal_35mm`, `assumed`.
    public var focalSource: String
    /// One-sigma relative error of the focal length (0.02 = 2 %).
    public var focalSigma: Double
    /// One-sigma error, as a fraction of the distance from the principal point, left by the distortion not modelled.
    public var distortionSigma: Double
    /// Notes on what was rejected or assumed.
    public var notes: [String]

    public init(
        width: Int, height: Int, fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double] = [],
        focalSource: String, focalSigma: Double, distortionSigma: Double, notes: [String] = []
    ) {
        self.width = width
        self.height = height
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.distortion = distortion
        self.focalSource = focalSource
        self.focalSigma = focalSigma
        self.distortionSigma = distortionSigma
        self.notes = notes
    }

    /// Horizontal field of view in degrees.
    public var horizontalFOV: Double { 2 * atan(Double(width) / 2 / fx) * 180 / .pi }

    /// The camera's intrinsics from what the frame says, the camera database, and fallbacks, in that order of trust.
    public static func resolve(_ meta: FrameMetadata, database: CameraDatabase) -> CameraIntrinsics? {
        guard let w = meta.width, let h = meta.height, w > 0, h > 0 else { return nil }
        let width = Double(w)
        var notes: [String] = []
        // An independent estimate first, to check the calibrated values against.
        var estimate: (f: Double, source: String, sigma: Double)?
        if let camera = database.camera(make: meta.make, model: meta.model) {
            let sensor = CameraDatabase.sensor(of: camera, imageSource: meta.imageSource, width: w)
            if let mm = meta.focalLengthMM {
                estimate = (mm * width / sensor.widthMM, "exif_focal+camera_db", 0.02)
            } else if let mm = sensor.focalLengthMM {
                estimate = (mm * width / sensor.widthMM, "camera_db", 0.03)
            }
        }
        if estimate == nil, let f35 = meta.focalLength35mm {
            estimate = (width * f35 / 36, "focal_35mm", 0.05)
        }
        if estimate == nil, let mm = meta.focalLengthMM, let perMM = meta.focalPlanePixelsPerMM, perMM > 0 {
            estimate = (mm * perMM, "exif_focal_plane", 0.05)
        }
        func plausible(_ f: Double) -> Bool {
            guard f.isFinite, f > 0 else { return false }
            let fov = 2 * atan(width / 2 / f) * 180 / .pi
            guard fov > 2, fov < 160 else { return false }
            if let e = estimate { return abs(f / e.f - 1) < 0.2 }
            return true
        }
        var cx = width / 2, cy = Double(h) / 2
        if let dewarp = meta.dewarpData, let d = DewarpParameters(dewarp), plausible(d.fx), d.fy > 0 {
            // DJI DewarpData: fx, fy in pixels; cx, cy as offsets from the frame's centre.
            return CameraIntrinsics(
                width: w, height: h, fx: d.fx, fy: d.fy, cx: cx + d.cx, cy: cy + d.cy,
                distortion: [d.k1, d.k2, d.p1, d.p2, d.k3], focalSource: "dewarp_data", focalSigma: 0.005,
                distortionSigma: 0.0005, notes: notes)
        } else if meta.dewarpData != nil {
            notes.append("DewarpData ignored (unreadable or far from the focal length the camera model gives)")
        }
        if let f = meta.calibratedFocalLength {
            if plausible(f) {
                if let ox = meta.calibratedOpticalCenterX, let oy = meta.calibratedOpticalCenterY, ox > 0, oy > 0,
                    ox < width, oy < Double(h)
                {
                    cx = ox
                    cy = oy
                }
                return CameraIntrinsics(
                    width: w, height: h, fx: f, fy: f, cx: cx, cy: cy, focalSource: "calibrated_focal_length",
                    focalSigma: 0.01, distortionSigma: 0.015, notes: notes)
            }
            notes.append(
                "CalibratedFocalLength \(f) ignored: a \(Int((2 * atan(width / 2 / f) * 180 / .pi).rounded()))° field of view "
                    + "disagrees with the camera model (some DJI thermal cameras write micrometres there)")
        }
        if let e = estimate {
            return CameraIntrinsics(
                width: w, height: h, fx: e.f, fy: e.f, cx: cx, cy: cy, focalSource: e.source, focalSigma: e.sigma,
                distortionSigma: 0.015, notes: notes)
        }
        notes.append(meta.focalLengthMM == nil ? "no focal length in the metadata and camera not in the database: assumed a 70° horizontal field of view" : "focal length in mm but no sensor size (camera not in the database, no 35 mm equivalent): assumed a 70° horizontal field of view")
        let f = width / 2 / tan(35 * Double.pi / 180)
        return CameraIntrinsics(
            width: w, height: h, fx: f, fy: f, cx: cx, cy: cy, focalSource: "assumed", focalSigma: 0.25,
            distortionSigma: 0.02, notes: notes)
    }

    /// The direction of pixel (u, v) in the camera frame (x right, y down, z forward), not normalised.
    public func ray(u: Double, v: Double) -> (x: Double, y: Double, z: Double) {
        var x = (u - cx) / fx
        var y = (v - cy) / fy
        if distortion.count == 5, distortion.contains(where: { $0 != 0 }) {
            (x, y) = Self.undistort(x, y, distortion)
        }
        return (x, y, 1)
    }

    /// Inverts the Brown–Conrady model by fixed-point iteration (converges for the mild distortion of drone lenses).
    static func undistort(_ xd: Double, _ yd: Double, _ k: [Double]) -> (Double, Double) {
        var x = xd, y = yd
        for _ in 0..<20 {
            let r2 = x * x + y * y
            let radial = 1 + k[0] * r2 + k[1] * r2 * r2 + k[4] * r2 * r2 * r2
            let dx = 2 * k[2] * x * y + k[3] * (r2 + 2 * x * x)
            let dy = k[2] * (r2 + 2 * y * y) + 2 * k[3] * x * y
            guard radial.isFinite, radial > 0.1 else { break }
            x = (xd - dx) / radial
            y = (yd - dy) / radial
        }
        return (x, y)
    }

    /// Applies the distortion model to normalised coordinates (for tests and footprints).
    static func distort(_ x: Double, _ y: Double, _ k: [Double]) -> (Double, Double) {
        let r2 = x * x + y * y
        let radial = 1 + k[0] * r2 + k[1] * r2 * r2 + k[4] * r2 * r2 * r2
        return (
            x * radial + 2 * k[2] * x * y + k[3] * (r2 + 2 * x * x),
            y * radial + k[2] * (r2 + 2 * y * y) + 2 * k[3] * x * y
        )
    }
}

/// DJI `DewarpData`: `date;fx,fy,cx,cy,k1,k2,p1,p2,k3` (cx, cy relative to the frame's centre).
public struct DewarpParameters: Sendable, Equatable {
    public var fx, fy, cx, cy, k1, k2, p1, p2, k3: Double

    public init?(_ text: String) {
        let body = text.split(separator: ";").last.map(String.init) ?? text
        let values = body.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 9, values.allSatisfy(\.isFinite) else { return nil }
        (fx, fy, cx, cy, k1, k2, p1, p2, k3) = (values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8])
    }
}
