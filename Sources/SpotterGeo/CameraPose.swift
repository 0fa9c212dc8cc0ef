import Foundation
import SpotterImaging

/// How to find the surface under the camera, for one run.
public struct LocateOptions: Sendable, Equatable {
    /// Height of the takeoff point above the surface (sea level, lake level), in metres: added to RelativeAltitude.
    /// Per flight: a beach launch is ~2 m, a harbour wall 5 m, a cliff top 30 m.
    public var takeoffHeight: Double?
    /// Height of the camera above the surface, overriding every altitude tag.
    public var heightAboveSurface: Double?
    /// Frames whose pixels are known to be rotated 180° relative to their pose tags (re-saved by a photo viewer),
    /// by path as given or by file name.
    public var rotated180: Set<String>

    public init(takeoffHeight: Double? = nil, heightAboveSurface: Double? = nil, rotated180: Set<String> = []) {
        self.takeoffHeight = takeoffHeight
        self.heightAboveSurface = heightAboveSurface
        self.rotated180 = rotated180
    }

    func isRotated180(_ file: String) -> Bool {
        if rotated180.contains(file) { return true }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return rotated180.contains(name)
    }
}

/// Where the camera was and how it was turned, with how much each value can be trusted.
public struct CameraPose: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    /// Camera height above the surface plane the rays are intersected with, metres.
    public var heightAboveSurface: Double
    public var altitudeSource: String
    /// Camera attitude in NED, ZYX order, degrees: yaw from north (east positive), pitch (−90 = straight down), roll.
    public var yaw: Double
    public var pitch: Double
    public var roll: Double
    public var headingSource: String
    /// The frame's pixels are rotated 180° relative to the pose (pixel (u, v) was sensor pixel (w−u, h−v)).
    public var rotated180: Bool
    /// One-sigma errors: GNSS position per axis (m), height (m), yaw/pitch/roll (degrees).
    public var positionSigma: Double
    public var heightSigma: Double
    public var yawSigma: Double
    public var pitchSigma: Double
    public var rollSigma: Double
    /// Notes worth passing on (assumptions, quirks handled).
    public var notes: [String]

    public init(
        latitude: Double, longitude: Double, heightAboveSurface: Double, altitudeSource: String, yaw: Double,
        pitch: Double, roll: Double, headingSource: String, rotated180: Bool = false, positionSigma: Double = 1.5,
        heightSigma: Double = 1, yawSigma: Double = 1.5, pitchSigma: Double = 0.5, rollSigma: Double = 0.5,
        notes: [String] = []
    ) {
        self.latitude = latitude
        self.longitude = longitude
        self.heightAboveSurface = heightAboveSurface
        self.altitudeSource = altitudeSource
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
        self.headingSource = headingSource
        self.rotated180 = rotated180
        self.positionSigma = positionSigma
        self.heightSigma = heightSigma
        self.yawSigma = yawSigma
        self.pitchSigma = pitchSigma
        self.rollSigma = rollSigma
        self.notes = notes
    }

    /// The pose from a frame's metadata and the run's options; throws why a frame cannot be located at all.
    public static func resolve(_ meta: FrameMetadata, file: String, options: LocateOptions) throws(GeoError) -> CameraPose {
        guard let lat = meta.latitude, let lon = meta.longitude else {
            throw GeoError(.noPosition, "no GPS position in the frame's metadata", file: file)
        }
        var notes: [String] = []
        // Height of the camera above the water (or whatever surface the people are on).
        let height: Double, heightSigma: Double, altitudeSource: String
        if let h = options.heightAboveSurface {
            (height, heightSigma, altitudeSource) = (h, 0.5, "height_above_surface")
        } else if let rel = meta.relativeAltitude, let takeoff = options.takeoffHeight {
            // Barometric relative altitude drifts by about a metre over a flight.
            (height, heightSigma, altitudeSource) = (rel + takeoff, 1.0, "relative_altitude+takeoff_height")
        } else if let rel = meta.relativeAltitude {
            (height, heightSigma, altitudeSource) = (rel, 3.0, "relative_altitude")
            notes.append("no --takeoff-height: the takeoff point is taken to be at the surface's level")
        } else if let abs = meta.absoluteAltitude {
            // GNSS/barometric altitude above mean sea level: tens of metres off is common (Brighton: ~25 m).
            (height, heightSigma, altitudeSource) = (abs, 15.0, "absolute_altitude")
            notes.append("no RelativeAltitude: using AbsoluteAltitude above sea level (often off by tens of metres)")
        } else if let gps = meta.gpsAltitude {
            (height, heightSigma, altitudeSource) = (gps, 20.0, "gps_altitude")
            notes.append("no DJI altitude tags: using the EXIF GPS altitude above sea level (often off by tens of metres)")
        } else {
            throw GeoError(.noAltitude, "no altitude in the frame's metadata: give --height-above-surface", file: file)
        }
        guard height.isFinite, height > 0 else {
            throw GeoError(
                .noAltitude, "the camera is not above the surface (height \(height) m from \(altitudeSource)): give --height-above-surface or --takeoff-height",
                file: file)
        }
        // Attitude: the gimbal's, which is absolute on DJI aircraft; the aircraft's yaw when the gimbal's is missing.
        guard let pitch = meta.gimbalPitch else {
            throw GeoError(.noAttitude, "no camera pitch in the frame's metadata (GimbalPitchDegree)", file: file)
        }
        var headingSource: String
        var yaw: Double, yawSigma = 1.5
        if let g = meta.gimbalYaw {
            yaw = g
            headingSource = "gimbal_yaw"
        } else if let f = meta.flightYaw {
            yaw = f
            yawSigma = 5
            headingSource = "flight_yaw"
            notes.append("no gimbal yaw: the aircraft's heading is used (the gimbal may point elsewhere)")
        } else {
            throw GeoError(.noAttitude, "no camera heading in the frame's metadata (GimbalYawDegree or FlightYawDegree)", file: file)
        }
        let roll = meta.gimbalRoll ?? 0
        if abs(roll) > 90 {
            // Some DJI gimbals report roll ±180° with the yaw turned by 180° (the same rotation written the other way
            // round); the full rotation below handles it, but tools that ignore roll put the frame upside down.
            headingSource += " (roll ±180°: yaw flipped)"
            notes.append("gimbal roll \(roll)°: handled as a full rotation (yaw is effectively turned by 180°)")
        }
        let rotated = options.isRotated180(file)
        if rotated { headingSource += " (pixels rotated 180°)" }
        yaw = normalisedDegrees(yaw)
        var positionSigma = 1.5
        if let rtk = meta.rtkFlag {
            // DJI RtkFlag: 50 fixed, 34 float, 16 single point, 0 none.
            positionSigma = rtk >= 50 ? 0.05 : rtk >= 34 ? 0.5 : 1.5
        }
        return CameraPose(
            latitude: lat, longitude: lon, heightAboveSurface: height, altitudeSource: altitudeSource, yaw: yaw,
            pitch: pitch, roll: roll, headingSource: headingSource, rotated180: rotated, positionSigma: positionSigma,
            heightSigma: heightSigma, yawSigma: yawSigma, notes: notes)
    }
}

/// `d` in (−180, 180].
public func normalisedDegrees(_ d: Double) -> Double {
    var v = d.truncatingRemainder(dividingBy: 360)
    if v > 180 { v -= 360 }
    if v <= -180 { v += 360 }
    return v
}
