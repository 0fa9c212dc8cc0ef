import Foundation
import SpotterImaging

/// A located point: where a pixel's ray meets the surface plane, and how far off that may be.
public struct GroundFix: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    /// One-sigma horizontal error per axis, metres (CoT's `ce` convention); ~2.45 × ce contains 95 %.
    public var ceM: Double
    public var heightAboveSurfaceM: Double
    public var altitudeSource: String
    public var headingSource: String
    /// Offset from the point under the camera, metres north and east.
    public var northM: Double
    public var eastM: Double
    /// Distance along the ray from the camera, metres.
    public var slantRangeM: Double
}

/// One frame's camera (intrinsics and pose): projects pixels onto the surface plane.
///
/// The ray of pixel (u, v) is turned from camera axes (x right, y down, z forward) into the gimbal's body axes
/// (forward, right, down), then into north-east-down by yaw, pitch and roll in ZYX order (yaw −90…: pitch −90° is
/// straight down, the top of the image then points to the yaw), and intersected with the plane `heightAboveSurface`
/// below the camera. North and east offsets become latitude and longitude on the WGS 84 ellipsoid's local radii
/// (exact to millimetres over the few hundred metres a drone frame spans).
public struct FrameGeometry: Sendable, Equatable {
    public var intrinsics: CameraIntrinsics
    public var pose: CameraPose

    public init(intrinsics: CameraIntrinsics, pose: CameraPose) {
        self.intrinsics = intrinsics
        self.pose = pose
    }

    /// The geometry of a frame from its metadata, or why it has none.
    public init(metadata meta: FrameMetadata, file: String, options: LocateOptions, database: CameraDatabase) throws(GeoError) {
        guard let intrinsics = CameraIntrinsics.resolve(meta, database: database) else {
            throw GeoError(.unreadable, "the frame's size is unknown", file: file)
        }
        let pose = try CameraPose.resolve(meta, file: file, options: options)
        self.init(intrinsics: intrinsics, pose: pose)
    }

    /// Attitude and camera parameters one projection uses (perturbed for the error estimate).
    struct Parameters {
        var yaw: Double
        var pitch: Double
        var roll: Double
        var height: Double
        var focalScale = 1.0
    }

    var nominal: Parameters {
        Parameters(yaw: pose.yaw, pitch: pose.pitch, roll: pose.roll, height: pose.heightAboveSurface)
    }

    /// The ray of pixel (u, v) in north-east-down axes.
    func nedRay(u: Double, v: Double, _ p: Parameters) -> (n: Double, e: Double, d: Double) {
        var (su, sv) = (u, v)
        if pose.rotated180 { (su, sv) = (Double(intrinsics.width) - u, Double(intrinsics.height) - v) }
        var k = intrinsics
        k.fx *= p.focalScale
        k.fy *= p.focalScale
        let c = k.ray(u: su, v: sv)
        // Camera (right, down, forward) → body (forward, right, down).
        let (bx, by, bz) = (c.z, c.x, c.y)
        let r = p.roll * .pi / 180, t = p.pitch * .pi / 180, y = p.yaw * .pi / 180
        // Rx(roll)
        let x1 = bx
        let y1 = cos(r) * by - sin(r) * bz
        let z1 = sin(r) * by + cos(r) * bz
        // Ry(pitch)
        let x2 = cos(t) * x1 + sin(t) * z1
        let y2 = y1
        let z2 = -sin(t) * x1 + cos(t) * z1
        // Rz(yaw)
        let x3 = cos(y) * x2 - sin(y) * y2
        let y3 = sin(y) * x2 + cos(y) * y2
        return (x3, y3, z2)
    }

    /// North/east offset and slant range where the ray of (u, v) meets the plane, or nil at or above the horizon.
    func intersect(u: Double, v: Double, _ p: Parameters) -> (n: Double, e: Double, range: Double)? {
        let d = nedRay(u: u, v: v, p)
        let norm = (d.n * d.n + d.e * d.e + d.d * d.d).squareRoot()
        guard d.d / norm > 1e-6 else { return nil }
        let s = p.height / d.d
        return (d.n * s, d.e * s, norm * s)
    }

    /// Degrees below the horizon of the ray through (u, v) (negative above it).
    public func depression(u: Double, v: Double) -> Double {
        let d = nedRay(u: u, v: v, nominal)
        let norm = (d.n * d.n + d.e * d.e + d.d * d.d).squareRoot()
        return asin(d.d / norm) * 180 / .pi
    }

    /// Where pixel (u, v) is on the surface, with its one-sigma error. `pixelSigma` is the uncertainty of the pixel
    /// itself (where in a detection's box the person is).
    public func locate(u: Double, v: Double, pixelSigma: Double = 0.5) -> Result<GroundFix, GeoError> {
        let p = nominal
        guard let hit = intersect(u: u, v: v, p) else {
            let angle = -depression(u: u, v: v)
            let text = angle >= 0 ? String(format: "%.1f° above", angle) : "at"
            return .failure(GeoError(.aboveHorizon, "pixel (\(Int(u)), \(Int(v))) looks \(text) the horizon: its ray never meets the surface"))
        }
        // Each error source moved by one sigma; their displacements add in quadrature.
        var variance = 2 * pose.positionSigma * pose.positionSigma
        func add(_ q: Parameters, du: Double = 0, dv: Double = 0) {
            guard let moved = intersect(u: u + du, v: v + dv, q) else {
                variance += 1e12  // the perturbed ray misses the surface: the position means little
                return
            }
            let dn = moved.n - hit.n, de = moved.e - hit.e
            variance += dn * dn + de * de
        }
        var q = p; q.yaw += pose.yawSigma; add(q)
        q = p; q.pitch += pose.pitchSigma; add(q)
        q = p; q.roll += pose.rollSigma; add(q)
        q = p; q.height += pose.heightSigma; add(q)
        q = p; q.focalScale = 1 + intrinsics.focalSigma; add(q)
        let ru = u - intrinsics.cx, rv = v - intrinsics.cy
        add(p, du: ru * intrinsics.distortionSigma, dv: rv * intrinsics.distortionSigma)
        add(p, du: pixelSigma)
        add(p, dv: pixelSigma)
        let ce = (variance / 2).squareRoot()
        let (lat, lon) = Self.offset(latitude: pose.latitude, longitude: pose.longitude, north: hit.n, east: hit.e)
        return .success(
            GroundFix(
                latitude: lat, longitude: lon, ceM: ce, heightAboveSurfaceM: pose.heightAboveSurface,
                altitudeSource: pose.altitudeSource, headingSource: pose.headingSource, northM: hit.n, eastM: hit.e,
                slantRangeM: hit.range))
    }

    /// The frame's corners on the surface (top-left, top-right, bottom-right, bottom-left), or nil when a corner
    /// looks at or above the horizon. Polygon edges are sampled so lens distortion bends them as it should.
    public func footprint(samplesPerEdge: Int = 4) -> [(latitude: Double, longitude: Double)]? {
        let w = Double(intrinsics.width), h = Double(intrinsics.height)
        let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
        var out: [(latitude: Double, longitude: Double)] = []
        for i in 0..<4 {
            let a = corners[i], b = corners[(i + 1) % 4]
            for s in 0..<samplesPerEdge {
                let t = Double(s) / Double(samplesPerEdge)
                guard let hit = intersect(u: a.0 + (b.0 - a.0) * t, v: a.1 + (b.1 - a.1) * t, nominal) else { return nil }
                let ll = Self.offset(latitude: pose.latitude, longitude: pose.longitude, north: hit.n, east: hit.e)
                out.append((ll.0, ll.1))
            }
        }
        return out
    }

    /// Compass bearing (degrees, 0 = north, clockwise) of the image's "up" direction on the ground, at its centre.
    public var imageUpBearing: Double? {
        let w = Double(intrinsics.width), h = Double(intrinsics.height)
        guard let c = intersect(u: w / 2, v: h / 2, nominal), let t = intersect(u: w / 2, v: h / 2 - h / 10, nominal) else { return nil }
        var b = atan2(t.e - c.e, t.n - c.n) * 180 / .pi
        if b < 0 { b += 360 }
        return b
    }

    /// WGS 84.
    static let semiMajor = 6_378_137.0
    static let eccentricitySquared = 6.694_379_990_14e-3

    /// The point `north`, `east` metres from (latitude, longitude), on the ellipsoid's local radii of curvature.
    public static func offset(latitude: Double, longitude: Double, north: Double, east: Double) -> (Double, Double) {
        let phi = latitude * .pi / 180
        let s = sin(phi)
        let w = 1 - eccentricitySquared * s * s
        let meridian = semiMajor * (1 - eccentricitySquared) / (w * w.squareRoot())
        let normal = semiMajor / w.squareRoot()
        let dLat = north / meridian * 180 / .pi
        let dLon = east / (normal * cos(phi)) * 180 / .pi
        return (latitude + dLat, longitude + dLon)
    }

    /// North and east metres from `a` to `b` (inverse of `offset`, same local approximation).
    public static func distance(from a: (Double, Double), to b: (Double, Double)) -> (north: Double, east: Double) {
        let phi = (a.0 + b.0) / 2 * .pi / 180
        let s = sin(phi)
        let w = 1 - eccentricitySquared * s * s
        let meridian = semiMajor * (1 - eccentricitySquared) / (w * w.squareRoot())
        let normal = semiMajor / w.squareRoot()
        return ((b.0 - a.0) * .pi / 180 * meridian, (b.1 - a.1) * .pi / 180 * normal * cos(phi))
    }
}
