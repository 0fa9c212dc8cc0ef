import SpotterImaging

/// One broken file and the error it must produce.
public struct CorruptCase: Sendable, CustomStringConvertible {
    /// Short identifier, also the test argument's label.
    public var name: String
    /// File name to write it under (the extension is deliberately not always truthful).
    public var fileName: String
    public var bytes: [UInt8]
    public var expectedCode: ImagingError.Code
    /// A fragment the error message must contain (case-sensitive).
    public var messageFragment: String

    public var description: String { name }
}

/// A corpus of broken files derived from small synthetic JPEG and PNG frames (PngSuite's `x*` files in spirit):
/// each case cuts or patches the bytes at a meaningful place and names the exact error it must cause.
public enum CorruptCorpus {
    /// The intact JPEG the JPEG cases are cut from: 96×64 RGB, 4:2:0, quality 90.
    public static let sourceJPEG: [UInt8] = TestFiles.jpeg(SyntheticImage.scene(width: 96, height: 64, channels: 3, seed: 7))
    /// The intact PNG the PNG cases are cut from: 48×40 RGB.
    public static let sourcePNG: [UInt8] = TestFiles.png(SyntheticImage.scene(width: 48, height: 40, channels: 3, seed: 8))

    /// An intact Adam7-interlaced PNG (decoded whole inside `begin`, so its errors come from there): 33×21 RGB.
    public static let interlacedPNG: [UInt8] = {
        let image = SyntheticImage.scene(width: 33, height: 21, channels: 3, seed: 9)
        return PNGWriter.encode(width: 33, height: 21, colourType: .rgb, bitDepth: 8, samples: image.pixels.map(UInt16.init),
                                interlaced: true)
    }()

    public static let cases: [CorruptCase] = jpegCases + pngCases + otherCases

    static var jpegCases: [CorruptCase] {
        let jpeg = sourceJPEG
        let layout = JPEGLayout(jpeg)
        guard let sof = layout.sof, let dqt = layout.dqt, let dht = layout.dht, let sos = layout.sos,
            let start = layout.entropyStart, let eoi = layout.eoi
        else { preconditionFailure("source JPEG lacks a landmark") }
        func cut(_ n: Int) -> [UInt8] { Array(jpeg[..<n]) }
        var zeroSize = jpeg
        JPEGLayout.patchSize(&zeroSize, width: 0, height: 0)
        var huge = jpeg
        JPEGLayout.patchSize(&huge, width: 60_000, height: 60_000)
        var badMarker = jpeg
        badMarker[dqt + 1] = 0x4B  // not a JPEG marker
        var strayMarker = jpeg
        strayMarker.insert(contentsOf: [0xFF, 0xD5], at: start + (eoi - start) / 2)  // RST5 in a file without restarts
        var badPrecision = jpeg
        badPrecision[sof + 4] = 9  // sample precision 9 bits: no such JPEG
        return [
            CorruptCase(name: "jpeg-cut-in-soi", fileName: "cut-soi.jpg", bytes: cut(2), expectedCode: .truncated,
                        messageFragment: "truncated signature"),
            CorruptCase(name: "jpeg-cut-in-app0", fileName: "cut-app0.jpg", bytes: cut(9), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-in-dqt", fileName: "cut-dqt.jpg", bytes: cut(dqt + 30), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-in-sof", fileName: "cut-sof.jpg", bytes: cut(sof + 6), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-in-dht", fileName: "cut-dht.jpg", bytes: cut(dht + 12), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-in-sos", fileName: "cut-sos.jpg", bytes: cut(sos + 5), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-early-entropy", fileName: "cut-entropy-early.jpg", bytes: cut(start + 16),
                        expectedCode: .truncated, messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-mid-entropy", fileName: "cut-entropy-mid.jpg", bytes: cut(start + (eoi - start) / 2),
                        expectedCode: .truncated, messageFragment: "ends early"),
            CorruptCase(name: "jpeg-cut-before-eoi", fileName: "cut-before-eoi.jpg", bytes: cut(eoi - 3),
                        expectedCode: .truncated, messageFragment: "ends early"),
            CorruptCase(name: "jpeg-missing-eoi", fileName: "no-eoi.jpg", bytes: cut(eoi),
                        expectedCode: .truncated, messageFragment: "ends early"),
            CorruptCase(name: "jpeg-sof-zero-size", fileName: "zero-size.jpg", bytes: zeroSize, expectedCode: .corrupt,
                        messageFragment: "Empty JPEG image"),
            CorruptCase(name: "jpeg-sof-precision-9", fileName: "precision9.jpg", bytes: badPrecision,
                        expectedCode: .unsupported, messageFragment: "precision"),
            CorruptCase(name: "jpeg-bad-marker", fileName: "bad-marker.jpg", bytes: badMarker, expectedCode: .corrupt,
                        messageFragment: "marker"),
            CorruptCase(name: "jpeg-stray-marker-in-scan", fileName: "stray-marker.jpg", bytes: strayMarker,
                        expectedCode: .corrupt, messageFragment: "Corrupt JPEG data"),
            CorruptCase(name: "jpeg-declares-60000x60000", fileName: "huge.jpg", bytes: huge, expectedCode: .tooLarge,
                        messageFragment: "60000x60000"),
            CorruptCase(name: "jpeg-empty", fileName: "empty.jpg", bytes: [], expectedCode: .empty,
                        messageFragment: "empty file"),
        ]
    }

    static var pngCases: [CorruptCase] {
        let png = sourcePNG
        let chunks = PNGWriter.chunks(png)
        guard let ihdr = chunks.first(where: { $0.type == "IHDR" }), let idat = chunks.first(where: { $0.type == "IDAT" })
        else { preconditionFailure("source PNG lacks IHDR or IDAT") }
        var huge = png
        huge.putBigEndian32(100_000, at: ihdr.dataOffset)
        huge.putBigEndian32(100_000, at: ihdr.dataOffset + 4)
        PNGWriter.fixCRC(&huge, ihdr)
        var badCRC = png
        badCRC[idat.crcOffset] ^= 0x5A
        var badDepth = png
        badDepth[ihdr.dataOffset + 8] = 3  // bit depth 3 does not exist
        PNGWriter.fixCRC(&badDepth, ihdr)
        var badZlib = png
        var rng = SplitMix64(seed: 99)
        let garbage = rng.bytes(idat.length - 2)
        badZlib.replaceSubrange(idat.dataOffset + 2..<idat.crcOffset, with: garbage)  // keep the zlib header
        PNGWriter.fixCRC(&badZlib, idat)
        let adam7 = interlacedPNG
        guard let adam7IDAT = PNGWriter.chunks(adam7).first(where: { $0.type == "IDAT" }) else {
            preconditionFailure("interlaced PNG lacks IDAT")
        }
        return [
            CorruptCase(name: "png-interlaced-cut-mid-idat", fileName: "cut-adam7.png",
                        bytes: Array(adam7[..<(adam7IDAT.dataOffset + adam7IDAT.length / 2)]), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "png-cut-in-signature", fileName: "cut-sig.png", bytes: Array(png[..<5]), expectedCode: .truncated,
                        messageFragment: "truncated signature"),
            CorruptCase(name: "png-cut-after-ihdr", fileName: "cut-ihdr.png", bytes: Array(png[..<(ihdr.crcOffset + 4)]),
                        expectedCode: .truncated, messageFragment: "ends early"),
            CorruptCase(name: "png-cut-mid-idat", fileName: "cut-idat.png",
                        bytes: Array(png[..<(idat.dataOffset + idat.length / 2)]), expectedCode: .truncated,
                        messageFragment: "ends early"),
            CorruptCase(name: "png-idat-bad-crc", fileName: "bad-crc.png", bytes: badCRC, expectedCode: .corrupt,
                        messageFragment: "CRC"),
            CorruptCase(name: "png-ihdr-bit-depth-3", fileName: "bad-depth.png", bytes: badDepth, expectedCode: .corrupt,
                        messageFragment: "IHDR"),
            CorruptCase(name: "png-idat-garbage", fileName: "bad-zlib.png", bytes: badZlib, expectedCode: .corrupt,
                        messageFragment: "IDAT"),
            CorruptCase(name: "png-declares-100000x100000", fileName: "huge.png", bytes: huge, expectedCode: .tooLarge,
                        messageFragment: "100000x100000"),
        ]
    }

    static var otherCases: [CorruptCase] {
        var rng = SplitMix64(seed: 2024)
        var random = rng.bytes(4096)
        random[0] = 0x13  // neither 0xFF (JPEG) nor 0x89 (PNG)
        let text = Array("frame_0001.jpg,52.1,-0.3\nframe_0002.jpg,52.1,-0.3\n".utf8)
        return [
            CorruptCase(name: "random-bytes", fileName: "random.jpg", bytes: random, expectedCode: .notAnImage,
                        messageFragment: "starts with 13"),
            CorruptCase(name: "text-file", fileName: "notes.jpg", bytes: text, expectedCode: .notAnImage,
                        messageFragment: "looks like text"),
            CorruptCase(name: "gif-file", fileName: "anim.png", bytes: Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0],
                        expectedCode: .notAnImage, messageFragment: "looks like GIF"),
        ]
    }
}
