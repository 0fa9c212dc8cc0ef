/// A deliberately plain PNG writer for the variants `ImageEncoder` does not make: palette, alpha, gray+alpha,
/// 1/2/4-bit gray, 16-bit colour, Adam7 interlacing, tRNS. Compression is zlib "stored" blocks (no deflate), so
/// the writer is small enough to check by eye. Also reads and rewrites chunks for corrupt-file surgery.
public enum PNGWriter {
    public enum ColourType: UInt8, Sendable {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6

        public var samplesPerPixel: Int {
            switch self {
            case .gray, .palette: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `samples` (row-major, `samplesPerPixel` per pixel, each < 2^bitDepth) as a PNG.
    ///
    /// - Parameters:
    ///   - palette: RGB triples for `.palette`.
    ///   - transparency: the raw tRNS chunk payload, if any.
    ///   - interlaced: Adam7.
    public static func encode(
        width: Int, height: Int, colourType: ColourType, bitDepth: Int, samples: [UInt16],
        palette: [(UInt8, UInt8, UInt8)] = [], transparency: [UInt8]? = nil, interlaced: Bool = false
    ) -> [UInt8] {
        let spp = colourType.samplesPerPixel
        precondition(samples.count == width * height * spp, "sample count does not match the size")
        var raw: [UInt8] = []
        if interlaced {
            // Adam7 passes: (x0, y0, dx, dy).
            let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            for (x0, y0, dx, dy) in passes {
                let xs = Array(stride(from: x0, to: width, by: dx))
                let ys = Array(stride(from: y0, to: height, by: dy))
                if xs.isEmpty || ys.isEmpty { continue }  // an empty pass has no rows and no filter bytes
                for y in ys { raw += packRow(xs.map { ($0, y) }, width: width, spp: spp, bitDepth: bitDepth, samples: samples) }
            }
        } else {
            for y in 0..<height {
                raw += packRow((0..<width).map { ($0, y) }, width: width, spp: spp, bitDepth: bitDepth, samples: samples)
            }
        }
        var ihdr: [UInt8] = []
        ihdr += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        ihdr += [UInt8(bitDepth), colourType.rawValue, 0, 0, interlaced ? 1 : 0]
        var out = signature
        out += chunk("IHDR", ihdr)
        if !palette.isEmpty { out += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }) }
        if let transparency { out += chunk("tRNS", transparency) }
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    /// One scanline: filter byte 0, then the pixels packed MSB-first (bit depths < 8) or big-endian (16).
    static func packRow(_ pixels: [(Int, Int)], width: Int, spp: Int, bitDepth: Int, samples: [UInt16]) -> [UInt8] {
        var row: [UInt8] = [0]
        var acc = 0, bits = 0
        for (x, y) in pixels {
            for c in 0..<spp {
                let v = Int(samples[(y * width + x) * spp + c])
                precondition(v < 1 << bitDepth, "sample \(v) does not fit in \(bitDepth) bits")
                switch bitDepth {
                case 16: row += [UInt8(v >> 8), UInt8(v & 0xFF)]
                case 8: row.append(UInt8(v))
                default:
                    acc = acc << bitDepth | v
                    bits += bitDepth
                    if bits == 8 {
                        row.append(UInt8(acc))
                        acc = 0
                        bits = 0
                    }
                }
            }
        }
        if bits > 0 { row.append(UInt8(acc << (8 - bits))) }
        return row
    }

    /// A chunk: length, type, data, CRC over type and data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(CRC32.checksum(typeBytes + data))
    }

    /// zlib stream of stored (uncompressed) deflate blocks, with the Adler-32 trailer.
    public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<offset + n]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian(b << 16 | a)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// A chunk found in PNG bytes: its type, where its length field starts, and its data length.
    public struct Chunk: Sendable {
        public var type: String
        public var offset: Int
        public var length: Int
        /// Offset of the first data byte.
        public var dataOffset: Int { offset + 8 }
        /// Offset of the CRC.
        public var crcOffset: Int { offset + 8 + length }
    }

    /// The chunks of `png`, in order (stops at the end of the bytes or a chunk running past them).
    public static func chunks(_ png: [UInt8]) -> [Chunk] {
        var out: [Chunk] = []
        var p = 8
        while p + 12 <= png.count {
            let length = Int(png.bigEndian32(at: p))
            let type = String(decoding: png[p + 4..<p + 8], as: UTF8.self)
            out.append(Chunk(type: type, offset: p, length: length))
            p += 12 + length
        }
        return out
    }

    /// Recomputes the CRC of `chunk` in place (after its data was patched).
    public static func fixCRC(_ png: inout [UInt8], _ chunk: Chunk) {
        let crc = CRC32.checksum(png[chunk.offset + 4..<chunk.crcOffset])
        png.putBigEndian32(crc, at: chunk.crcOffset)
    }
}
