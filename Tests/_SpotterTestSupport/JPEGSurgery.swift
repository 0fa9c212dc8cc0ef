/// Finds the landmarks of a JPEG file so tests can cut or patch it at meaningful places.
public struct JPEGLayout: Sendable {
    /// A marker segment before the scan: marker byte (e.g. 0xC0 for SOF0), offset of its 0xFF, total length
    /// including the marker (2 + the length field).
    public struct Segment: Sendable {
        public var marker: UInt8
        public var offset: Int
        public var length: Int
    }

    public var segments: [Segment] = []
    /// Offset of the first SOFn marker.
    public var sof: Int?
    /// Offset of the first DQT and DHT markers.
    public var dqt: Int?
    public var dht: Int?
    /// Offset of the first SOS marker and of the entropy-coded data after its header.
    public var sos: Int?
    public var entropyStart: Int?
    /// Offset of the EOI that ends the first image (the first 0xFFD9 after the scan data).
    public var eoi: Int?

    public init(_ bytes: [UInt8]) {
        var p = 2
        while p + 4 <= bytes.count, bytes[p] == 0xFF {
            let marker = bytes[p + 1]
            let length = 2 + bytes.bigEndian16(at: p + 2)
            segments.append(Segment(marker: marker, offset: p, length: length))
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC: if sof == nil { sof = p }
            case 0xDB: if dqt == nil { dqt = p }
            case 0xC4: if dht == nil { dht = p }
            default: break
            }
            if marker == 0xDA {
                sos = p
                entropyStart = p + length
                break
            }
            p += length
        }
        if let start = entropyStart {
            var q = start
            while q + 1 < bytes.count {
                if bytes[q] == 0xFF && bytes[q + 1] == 0xD9 {
                    eoi = q
                    break
                }
                q += 1
            }
        }
    }

    /// Writes `width` × `height` into the SOF segment of `bytes`.
    public static func patchSize(_ bytes: inout [UInt8], width: Int, height: Int) {
        guard let sof = JPEGLayout(bytes).sof else { preconditionFailure("no SOF marker") }
        bytes.putBigEndian16(UInt16(height), at: sof + 5)
        bytes.putBigEndian16(UInt16(width), at: sof + 7)
    }
}
