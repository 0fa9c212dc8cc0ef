import Foundation
import SpotterGeo
import SpotterImaging
import Testing
import _SpotterTestSupport

/// Pixel → ground on synthetic cameras whose answer is known by hand.
struct GroundProjectionTests {
    /// A 4000 x 3000 camera with a 2000-px focal length (90°-ish field), 100 m above the water at 45° N.
    static func geometry(yaw: Double, pitch: Double, roll: Double = 0, height: Double = 100, rotated: Bool = false) -> FrameGeometry {
        let k = CameraIntrinsics(
            width: 4000, height: 3000, fx: 2000, fy: 2000, cx: 2000, cy: 1500, focalSource: "test", focalSigma: 0.02,
            distortionSigma: 0.01)
        let pose = CameraPose(
            latitude: 45, longitude: 7, heightAboveSurface: height, altitudeSource: "test", yaw: yaw, pitch: pitch,
            roll: roll, headingSource: "test", rotated180: rotated)
        return FrameGeometry(intrinsics: k, pose: pose)
    }

    static func offset(_ g: FrameGeometry, _ u: Double, _ v: Double) throws -> (n: Double, e: Double) {
        let fix = try g.locate(u: u, v: v).get()
        return (fix.northM, fix.eastM)
    }

    @Test func nadirLooksStraightDownWithTheImageTopAlongTheYaw() throws {
        let g = Self.geometry(yaw: 0, pitch: -90)
        let c = try Self.offset(g, 2000, 1500)
        #expect(abs(c.n) < 1e-9 && abs(c.e) < 1e-9)
        // 1000 px above the centre at f = 2000 px and 100 m: 50 m north; 1000 px right: 50 m east.
        let top = try Self.offset(g, 2000, 500), right = try Self.offset(g, 3000, 1500)
        #expect(abs(top.n - 50) < 1e-9 && abs(top.e) < 1e-9)
        #expect(abs(right.e - 50) < 1e-9 && abs(right.n) < 1e-9)
        // Yaw 90: the top of the image faces east, its right side south.
        let turned = Self.geometry(yaw: 90, pitch: -90)
        let t = try Self.offset(turned, 2000, 500), r = try Self.offset(turned, 3000, 1500)
        #expect(abs(t.e - 50) < 1e-9 && abs(t.n) < 1e-9)
        #expect(abs(r.n + 50) < 1e-9 && abs(r.e) < 1e-9)
        #expect(abs((g.imageUpBearing ?? -1) - 0) < 1e-6 || abs((g.imageUpBearing ?? -1) - 360) < 1e-6)
        #expect(abs((turned.imageUpBearing ?? -1) - 90) < 1e-6)
    }

    @Test func obliqueCentreRayLandsAtHeightOverTanPitch() throws {
        for (yaw, pitch) in [(0.0, -45.0), (-106.6, -32.9), (135.0, -10.0), (179.9, -60.0), (-180.0, -80.0)] {
            let g = Self.geometry(yaw: yaw, pitch: pitch)
            let c = try Self.offset(g, 2000, 1500)
            let ground = 100 / tan(-pitch * .pi / 180)
            #expect(abs((c.n * c.n + c.e * c.e).squareRoot() - ground) < 1e-6, "yaw \(yaw) pitch \(pitch)")
            let bearing = atan2(c.e, c.n) * 180 / .pi
            #expect(abs(normalisedDegrees(bearing - yaw)) < 1e-6, "bearing \(bearing) for yaw \(yaw)")
        }
    }

    /// The DJI quirk: roll ±180° with the yaw turned by 180° is the same rotation, so the same ground point; a tool
    /// that dropped the roll would put the frame upside down.
    @Test func rollOf180FlipsTheYaw() throws {
        for (u, v) in [(2000.0, 1500.0), (100.0, 200.0), (3900.0, 2900.0), (2500.0, 700.0)] {
            let plain = try Self.offset(Self.geometry(yaw: 30, pitch: -90, roll: 0), u, v)
            let quirk = try Self.offset(Self.geometry(yaw: -150, pitch: -90, roll: 180), u, v)
            let quirk2 = try Self.offset(Self.geometry(yaw: 210, pitch: -90, roll: -180), u, v)
            #expect(abs(plain.n - quirk.n) < 1e-6 && abs(plain.e - quirk.e) < 1e-6, "(\(u), \(v))")
            #expect(abs(plain.n - quirk2.n) < 1e-6 && abs(plain.e - quirk2.e) < 1e-6)
        }
        // The general identity (ψ, θ, φ) ≡ (ψ+180, 180−θ, φ+180) holds off nadir too.
        let a = try Self.offset(Self.geometry(yaw: 20, pitch: -40, roll: 5), 1200, 900)
        let b = try Self.offset(Self.geometry(yaw: 200, pitch: -140, roll: 185), 1200, 900)
        #expect(abs(a.n - b.n) < 1e-6 && abs(a.e - b.e) < 1e-6)
    }

    @Test func rotatedPixelsAreMappedBackToTheSensor() throws {
        let g = Self.geometry(yaw: 45, pitch: -90)
        let r = Self.geometry(yaw: 45, pitch: -90, rotated: true)
        let a = try Self.offset(g, 500, 400), b = try Self.offset(r, 3500, 2600)
        #expect(abs(a.n - b.n) < 1e-9 && abs(a.e - b.e) < 1e-9)
    }

    @Test func raysAtOrAboveTheHorizonGetNoPositionAndSayWhy() throws {
        let g = Self.geometry(yaw: 0, pitch: 10)
        for v in [1500.0, 0.0] {
            let result = g.locate(u: 2000, v: v)
            guard case .failure(let error) = result else {
                Issue.record("expected no position for v \(v)")
                continue
            }
            #expect(error.code == .aboveHorizon)
            #expect(error.message.contains("above the horizon"))
        }
        // Level camera: the centre ray is exactly on the horizon; the bottom row still meets the water.
        let level = Self.geometry(yaw: 0, pitch: 0)
        #expect(throws: GeoError.self) { try level.locate(u: 2000, v: 1500).get() }
        let far = try level.locate(u: 2000, v: 3000).get()
        #expect(abs(far.northM - 100 / (1500.0 / 2000)) < 1e-6)
        #expect(level.footprint() == nil)
    }

    /// The error grows with each source of uncertainty and with obliquity.
    @Test func errorEstimateGrowsWhereItShould() throws {
        let nadir = try Self.geometry(yaw: 0, pitch: -90).locate(u: 2000, v: 1500).get()
        let corner = try Self.geometry(yaw: 0, pitch: -90).locate(u: 0, v: 0).get()
        let oblique = try Self.geometry(yaw: 0, pitch: -20).locate(u: 2000, v: 1500).get()
        #expect(nadir.ceM < corner.ceM && corner.ceM < oblique.ceM)
        var vague = Self.geometry(yaw: 0, pitch: -45)
        let before = try vague.locate(u: 2000, v: 1500).get().ceM
        vague.pose.heightSigma = 15
        #expect(try vague.locate(u: 2000, v: 1500).get().ceM > before * 2)
        // At nadir only GNSS (1.5 m per axis), a little attitude and the pixel remain.
        #expect(nadir.ceM > 1.5 && nadir.ceM < 2.5)
    }

    @Test func offsetsRoundTripOnTheEllipsoid() {
        for lat in [-60.0, 0, 22.6, 46.84, 70] {
            let (la, lo) = FrameGeometry.offset(latitude: lat, longitude: 10, north: 123.4, east: -56.7)
            let d = FrameGeometry.distance(from: (lat, 10), to: (la, lo))
            #expect(abs(d.north - 123.4) < 0.01 && abs(d.east + 56.7) < 0.01, "lat \(lat): \(d)")
        }
        // One degree of latitude at 45° is 111,132 m on WGS 84.
        let (la, _) = FrameGeometry.offset(latitude: 45, longitude: 0, north: 111_132.0, east: 0)
        #expect(abs(la - 46) < 0.001)
    }

    @Test func distortionInvertsAndDewarpDataParses() throws {
        let k = [-0.1126, 0.0148, -0.0000857, 0.000027, -0.0270]
        for (x, y) in [(0.0, 0.0), (0.3, -0.2), (-0.6, 0.45), (0.8, 0.6)] {
            let (xd, yd) = CameraIntrinsicsTestAccess.distort(x, y, k)
            let ray = CameraIntrinsics(
                width: 4000, height: 3000, fx: 1, fy: 1, cx: 0, cy: 0, distortion: k, focalSource: "t", focalSigma: 0,
                distortionSigma: 0
            ).ray(u: xd, v: yd)
            #expect(abs(ray.x - x) < 1e-9 && abs(ray.y - y) < 1e-9, "(\(x), \(y)) → (\(ray.x), \(ray.y))")
        }
        let d = try #require(DewarpParameters("2022-06-08;3678.87,3671.84,8.52,-10.39,-0.1126,0.0148,-0.0000857,0.000027,-0.0270"))
        #expect(d.fx == 3678.87 && d.cy == -10.39 && d.k3 == -0.027)
        #expect(DewarpParameters("2022-06-08;1,2,3") == nil)
    }

    /// Calibrated focal lengths that contradict the camera model are refused (M3T writes 9100 for a 9.1 mm lens).
    @Test func implausibleCalibratedFocalLengthIsRefused() throws {
        var meta = FrameMetadata()
        meta.width = 640
        meta.height = 512
        meta.make = "DJI"
        meta.model = "M3T"
        meta.focalLengthMM = 9.1
        meta.calibratedFocalLength = 9100
        let db = try CameraDatabase(path: GeoTestData.camerasPath)
        let k = try #require(CameraIntrinsics.resolve(meta, database: db))
        #expect(k.focalSource == "exif_focal+camera_db" && abs(k.fx - 9.1 * 640 / 7.68) < 1e-9)
        #expect(k.notes.contains { $0.contains("CalibratedFocalLength 9100") })
        meta.calibratedFocalLength = 760
        #expect(CameraIntrinsics.resolve(meta, database: db)?.focalSource == "calibrated_focal_length")
    }
}

/// `CameraIntrinsics.distort` is internal; the test reimplements it (OpenCV's model) to check the inverse.
enum CameraIntrinsicsTestAccess {
    static func distort(_ x: Double, _ y: Double, _ k: [Double]) -> (Double, Double) {
        let r2 = x * x + y * y
        let radial = 1 + k[0] * r2 + k[1] * r2 * r2 + k[4] * r2 * r2 * r2
        return (x * radial + 2 * k[2] * x * y + k[3] * (r2 + 2 * x * x), y * radial + k[2] * (r2 + 2 * y * y) + 2 * k[3] * x * y)
    }
}

/// Paths of the committed camera database and fixtures.
enum GeoTestData {
    static let camerasPath = SharedDatasets.packageRoot + "/Models/cameras.json"
    static let fixtures: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Fixtures"
    }()
    static func brighton(_ name: String) -> String { SharedDatasets.path("brighton-beach-frames/" + name) }
    static func radiometric(_ name: String) -> String { SharedDatasets.path("thermal-radiometric-samples/" + name) }
}
