/// EXIF: a TIFF structure (byte-order mark, IFD0, the Exif and GPS sub-IFDs). Every offset is bounds-checked and
/// every IFD visited once, so a corrupt or hostile block yields fewer values, never a crash or a loop.
enum EXIFParser {
    /// Parses the TIFF block `tiff` (what follows "Exif\0\0") into `meta`.
    static func parse(_ tiff: UnsafeRawBufferPointer, into meta: inout FrameMetadata) {
        guard tiff.count >= 8 else {
            meta.warnings.append("EXIF block too short (\(tiff.count) bytes)")
            return
        }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default:
            meta.warnings.append("EXIF block has no TIFF byte-order mark")
            return
        }
        let t = TIFF(data: tiff, little: little)
        guard t.u16(2) == 42, let ifd0 = t.u32(4) else {
            meta.warnings.append("EXIF block has a bad TIFF header")
            return
        }
        var visited = Set<Int>()
        var exifIFD: Int?
        var gpsIFD: Int?
        for e in t.entries(ifd0, visited: &visited) {
            switch e.tag {
            case 0x010F: meta.make = t.ascii(e)
            case 0x0110: meta.model = t.ascii(e)
            case 0x0112: meta.orientation = t.integer(e)
            case 0x0131: meta.software = t.ascii(e)
            case 0x8769: exifIFD = t.integer(e)
            case 0x8825: gpsIFD = t.integer(e)
            default: break
            }
        }
        if let exifIFD {
            var planeResolution: Double?
            var planeUnit = 2  // inches, the EXIF default
            for e in t.entries(exifIFD, visited: &visited) {
                switch e.tag {
                case 0x9003: meta.dateTimeOriginal = t.ascii(e)
                case 0x9291: meta.subSecTimeOriginal = t.ascii(e)
                case 0x9011: meta.offsetTimeOriginal = t.ascii(e)
                case 0x920A: meta.focalLengthMM = t.real(e).flatMap { $0 > 0 ? $0 : nil }
                case 0xA405: meta.focalLength35mm = t.integer(e).flatMap { $0 > 0 ? Double($0) : nil }
                case 0xA002: meta.exifWidth = t.integer(e)
                case 0xA003: meta.exifHeight = t.integer(e)
                case 0xA20E: planeResolution = t.real(e)
                case 0xA210: planeUnit = t.integer(e) ?? 2
                case 0xA404: meta.digitalZoomRatio = t.real(e)
                default: break
                }
            }
            if let r = planeResolution, r > 0 {
                // Units: 2 inch, 3 centimetre, 4 millimetre (DJI XT2 writes 4), 5 micrometre.
                let perMM: Double? = switch planeUnit {
                case 2: r / 25.4
                case 3: r / 10
                case 4: r
                case 5: r * 1000
                default: nil
                }
                meta.focalPlanePixelsPerMM = perMM
            }
        }
        if let gpsIFD {
            var latRef: String?, lonRef: String?, altRef: Int?
            var lat: Double?, lon: Double?, alt: Double?
            for e in t.entries(gpsIFD, visited: &visited) {
                switch e.tag {
                case 0x0001: latRef = t.ascii(e)
                case 0x0002: lat = t.degrees(e)
                case 0x0003: lonRef = t.ascii(e)
                case 0x0004: lon = t.degrees(e)
                case 0x0005: altRef = t.integer(e)
                case 0x0006: alt = t.real(e)
                case 0x0012: meta.gpsMapDatum = t.ascii(e)
                default: break
                }
            }
            if let lat { meta.latitude = latRef?.uppercased().hasPrefix("S") == true ? -lat : lat }
            if let lon { meta.longitude = lonRef?.uppercased().hasPrefix("W") == true ? -lon : lon }
            if let alt { meta.gpsAltitude = altRef == 1 ? -alt : alt }
        }
    }

    /// One IFD entry: where its value lives.
    struct Entry {
        var tag: Int
        var type: Int
        var count: Int
        /// Offset of the value in the TIFF block (inline values point inside the entry).
        var offset: Int
    }

    /// Bounds-checked reads of a TIFF block in either byte order.
    struct TIFF {
        let data: UnsafeRawBufferPointer
        let little: Bool

        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= data.count else { return nil }
            let a = Int(data[at]), b = Int(data[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }

        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= data.count else { return nil }
            let b0 = Int(data[at]), b1 = Int(data[at + 1]), b2 = Int(data[at + 2]), b3 = Int(data[at + 3])
            return little ? b0 | b1 << 8 | b2 << 16 | b3 << 24 : b0 << 24 | b1 << 16 | b2 << 8 | b3
        }

        static func typeSize(_ type: Int) -> Int? {
            switch type {
            case 1, 2, 6, 7: 1
            case 3, 8: 2
            case 4, 9, 11: 4
            case 5, 10, 12: 8
            default: nil
            }
        }

        /// The entries of the IFD at `offset` (at most 1,000; an IFD seen before yields nothing).
        func entries(_ offset: Int, visited: inout Set<Int>) -> [Entry] {
            guard visited.insert(offset).inserted, let n = u16(offset), n <= 1000 else { return [] }
            var out: [Entry] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                let at = offset + 2 + i * 12
                guard let tag = u16(at), let type = u16(at + 2), let count = u32(at + 4), let size = Self.typeSize(type),
                    count >= 0, count <= 1 << 20
                else { continue }
                let bytes = size * count
                let valueOffset = bytes <= 4 ? at + 8 : (u32(at + 8) ?? -1)
                guard valueOffset >= 0, valueOffset + bytes <= data.count else { continue }
                out.append(Entry(tag: tag, type: type, count: count, offset: valueOffset))
            }
            return out
        }

        /// An ASCII value, trimmed of NULs and spaces; nil when empty.
        func ascii(_ e: Entry) -> String? {
            guard e.type == 2 || e.type == 7 || e.type == 1 else { return nil }
            var end = e.offset + e.count
            if let nul = (e.offset..<end).first(where: { data[$0] == 0 }) { end = nul }
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: data[e.offset..<end]), as: UTF8.self).trimmed
            return s.isEmpty ? nil : s
        }

        /// The first value of an integer entry (BYTE, SHORT, LONG, signed variants).
        func integer(_ e: Entry) -> Int? {
            guard e.count >= 1 else { return nil }
            switch e.type {
            case 1, 7: return Int(data[e.offset])
            case 6: return Int(Int8(bitPattern: data[e.offset]))
            case 3: return u16(e.offset)
            case 8: return u16(e.offset).map { Int(Int16(truncatingIfNeeded: $0)) }
            case 4: return u32(e.offset)
            case 9: return u32(e.offset).map { Int(Int32(truncatingIfNeeded: $0)) }
            default: return real(e).map { Int($0) }
            }
        }

        /// Value `index` of a numeric entry as a Double (rationals with a zero denominator are nil).
        func real(_ e: Entry, index: Int = 0) -> Double? {
            guard index < e.count, let size = Self.typeSize(e.type) else { return nil }
            let at = e.offset + index * size
            switch e.type {
            case 5, 10:
                guard let n = u32(at), let d = u32(at + 4) else { return nil }
                let num = e.type == 10 ? Double(Int32(truncatingIfNeeded: n)) : Double(n)
                let den = e.type == 10 ? Double(Int32(truncatingIfNeeded: d)) : Double(d)
                return den != 0 ? num / den : nil
            case 11:
                guard let bits = u32(at) else { return nil }
                let v = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
                return v.isFinite ? v : nil
            case 12:
                guard let hi = u32(little ? at + 4 : at), let lo = u32(little ? at : at + 4) else { return nil }
                let v = Double(bitPattern: UInt64(hi) << 32 | UInt64(lo))
                return v.isFinite ? v : nil
            case 1, 3, 4, 6, 8, 9:
                return index == 0 ? integer(e).map(Double.init) : nil
            default:
                return nil
            }
        }

        /// Degrees, minutes, seconds (three rationals) as decimal degrees.
        func degrees(_ e: Entry) -> Double? {
            // A component with a zero denominator makes the whole value unknown (cameras write 0/0 without a fix).
            guard e.count >= 1, let d = real(e, index: 0) else { return nil }
            guard let m = e.count >= 2 ? real(e, index: 1) : 0, let s = e.count >= 3 ? real(e, index: 2) : 0 else { return nil }
            let v = d + m / 60 + s / 3600
            return v.isFinite ? v : nil
        }
    }
}
