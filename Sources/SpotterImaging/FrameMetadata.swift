/// What a frame's header says about the camera and where it was: EXIF (TIFF IFDs) and XMP (DJI `drone-dji`,
/// Parrot `drone-parrot`), read from the file's metadata segments without decoding any pixel.
///
/// Units: decimal degrees (north and east positive), metres, degrees for angles. `nil` where the file does not say,
/// or says something impossible (a GPS fix of 0/0, a zero denominator).
public struct FrameMetadata: Sendable, Equatable {
    public var format: ImageFormat?
    /// Pixel size from the frame header (SOF / IHDR); falls back to EXIF PixelX/YDimension when absent.
    public var width: Int?
    public var height: Int?
    /// EXIF PixelXDimension / PixelYDimension (may disagree with the real size after a careless re-save).
    public var exifWidth: Int?
    public var exifHeight: Int?

    // EXIF IFD0
    public var make: String?
    public var model: String?
    public var software: String?
    /// EXIF Orientation (1 = as stored; 3 = rotated 180°; 6/8 = 90°).
    public var orientation: Int?
    // EXIF sub-IFD
    /// `YYYY:MM:DD HH:MM:SS` as written (camera local time unless an offset follows).
    public var dateTimeOriginal: String?
    public var subSecTimeOriginal: String?
    public var offsetTimeOriginal: String?
    public var focalLengthMM: Double?
    public var focalLength35mm: Double?
    /// Pixels per unit of the focal plane (EXIF FocalPlaneXResolution and unit), converted to pixels per millimetre.
    public var focalPlanePixelsPerMM: Double?
    public var digitalZoomRatio: Double?
    // GPS IFD
    public var latitude: Double?
    public var longitude: Double?
    /// Metres above sea level (GPSAltitudeRef 1 makes it negative).
    public var gpsAltitude: Double?
    public var gpsMapDatum: String?

    // XMP (DJI drone-dji and compatible namespaces)
    /// DJI AbsoluteAltitude: metres above sea level (GNSS/barometric fusion; often off by tens of metres).
    public var absoluteAltitude: Double?
    /// DJI RelativeAltitude: metres above the takeoff point (barometric).
    public var relativeAltitude: Double?
    public var gimbalYaw: Double?
    public var gimbalPitch: Double?
    public var gimbalRoll: Double?
    public var flightYaw: Double?
    public var flightPitch: Double?
    public var flightRoll: Double?
    /// DJI CalibratedFocalLength (meant to be pixels; some thermal models write micrometres: check before use).
    public var calibratedFocalLength: Double?
    public var calibratedOpticalCenterX: Double?
    public var calibratedOpticalCenterY: Double?
    /// DJI DewarpData as written: `date;fx,fy,cx,cy,k1,k2,p1,p2,k3`.
    public var dewarpData: String?
    public var rtkFlag: Int?
    public var lrfTargetDistance: Double?
    public var lrfTargetLatitude: Double?
    public var lrfTargetLongitude: Double?
    /// LRFTargetAlt (DJI: relative to the takeoff point) and LRFTargetAbsAlt (above sea level).
    public var lrfTargetAltitude: Double?
    public var lrfTargetAbsoluteAltitude: Double?
    /// DJI ImageSource: `InfraredCamera`, `WideCamera`, `ZoomCamera`, …
    public var imageSource: String?
    public var droneModel: String?
    public var camReverse: Int?
    public var gimbalReverse: Int?
    /// xmp:CreatorTool (a desktop program that re-saved the file writes its name here).
    public var creatorTool: String?
    /// The XMP namespace the attitude came from (`drone-dji`, `dji`, `drone-parrot`), when any.
    public var attitudeVendor: String?

    /// An MPF index (APP2 "MPF"): a second, preview image follows the first one's EOI.
    public var hasMultiPictureIndex = false
    /// Notes on what looked wrong while reading (truncated segments, implausible values, re-saved files).
    public var warnings: [String] = []

    public init() {}

    /// True when a program other than the camera's firmware re-saved the file (EXIF Software or xmp:CreatorTool
    /// names a desktop program): its pixels may have been rotated or flipped while the pose tags stayed as flown.
    public var resavedBy: String? {
        for candidate in [creatorTool, software] {
            guard let s = candidate?.trimmed, !s.isEmpty else { continue }
            if !Self.looksLikeFirmwareVersion(s) && s != "*" { return s }
        }
        return nil
    }

    /// Camera firmware writes a bare version (`v01.23.4920`, `04.00.00.80`, `10.00.27.07`); FLIR writes build names
    /// of its own (`Common_dll …`, `Flir Cronos`), which are not re-saves either.
    static func looksLikeFirmwareVersion(_ s: String) -> Bool {
        let body = s.hasPrefix("v") || s.hasPrefix("V") ? String(s.dropFirst()) : s
        if !body.isEmpty && body.allSatisfy({ $0.isNumber || $0 == "." }) { return true }
        let lower = s.lowercased()
        return lower.hasPrefix("common_dll") || lower.hasPrefix("flir") || lower.hasPrefix("dji")
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace || f == "\0" { s.removeFirst() }
        while let l = s.last, l.isWhitespace || l == "\0" { s.removeLast() }
        return String(s)
    }
}
