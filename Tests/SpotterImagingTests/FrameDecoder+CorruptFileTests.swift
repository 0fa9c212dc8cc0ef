import SpotterImaging
import Testing
import _SpotterTestSupport

/// Broken files, written to a temporary folder and loaded from disk: each gives its exact error code, a message
/// naming the cause, and the file it concerns; none crashes, and the decoder stays usable afterwards.
@Suite("Corrupt files")
struct CorruptFileTests {
    @Test("each corrupt file fails with its exact error", arguments: CorruptCorpus.cases)
    func corruptCase(_ corrupt: CorruptCase) throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(corrupt.bytes, to: corrupt.fileName)
            let decoder = FrameDecoder()
            let error = imagingError { () throws(ImagingError) in
                try decoder.load(path: path)
                return try decoder.decodeImage()
            }
            #expect(error?.code == corrupt.expectedCode, "\(String(describing: error))")
            #expect(error?.message.contains(corrupt.messageFragment) == true, "\(String(describing: error))")
            #expect(error?.file == path)
            #expect(error?.description.hasPrefix(path + ": ") == true)
            // The same decoder decodes a good frame next.
            decoder.load(bytes: CorruptCorpus.sourceJPEG)
            let good = try decoder.decodeImage()
            #expect(good.width == 96 && good.height == 64)
        }
    }

    /// The same bytes from memory give the same code (the path only changes the attribution).
    @Test("corrupt bytes from memory give the same code", arguments: CorruptCorpus.cases.filter { !$0.bytes.isEmpty })
    func corruptCaseFromMemory(_ corrupt: CorruptCase) {
        let error = imagingError { () throws(ImagingError) in try Image.decode(bytes: corrupt.bytes) }
        #expect(error?.code == corrupt.expectedCode, "\(String(describing: error))")
        #expect(error?.file == "<memory>")
    }

    /// A huge declared size is refused by `begin`, from the header alone, before any row (or row buffer) exists:
    /// the decoder reports no frame info and delivers no rows.
    @Test("a JPEG declaring 60000x60000 is refused at the header", arguments: [1, 8])
    func hugeJPEGRefusedBeforeDecoding(scale: Int) throws {
        var bytes = CorruptCorpus.sourceJPEG
        JPEGLayout.patchSize(&bytes, width: 60_000, height: 60_000)
        let decoder = FrameDecoder()
        decoder.load(bytes: bytes, name: "huge.jpg")
        let error = imagingError { () throws(ImagingError) in try decoder.begin(DecodeOptions(scale: scale)) }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("60000x60000") == true && error?.message.contains("cap") == true)
        #expect(decoder.info == nil)
        // Reading after the refusal is a caller error, not an empty frame.
        let row = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        defer { row.deallocate() }
        let readError = imagingError { () throws(ImagingError) in
            _ = try decoder.read(into: row, stride: 16, count: 1)
        }
        #expect(readError?.code == .invalidRequest)
    }

    @Test("a zero-length file is .empty")
    func emptyFile() throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write([], to: "zero.jpg")
            let error = imagingError { () throws(ImagingError) in try FrameDecoder().load(path: path) }
            #expect(error?.code == .empty && error?.message == "empty file (0 bytes)" && error?.file == path)
            // And through the one-call APIs, from a file and from memory.
            #expect(imagingError { () throws(ImagingError) in try decodeFile(path) }?.code == .empty)
            #expect(imagingError { () throws(ImagingError) in try Image.decode(bytes: []) }?.code == .empty)
        }
    }

    @Test("a folder or a missing path passed to load is .unreadable")
    func unreadablePaths() throws {
        try TemporaryDirectory.with { dir in
            let folder = try dir.makeDirectory("frames.jpg")
            let isDir = imagingError { () throws(ImagingError) in try FrameDecoder().load(path: folder) }
            #expect(isDir?.code == .unreadable && isDir?.message == "is a directory" && isDir?.file == folder)
            let missing = dir.url("nope.jpg")
            let noFile = imagingError { () throws(ImagingError) in try FrameDecoder().load(path: missing) }
            #expect(noFile?.code == .unreadable && noFile?.file == missing)
            #expect(noFile?.message.contains("No such file") == true, "\(String(describing: noFile))")
        }
    }

    @Test("a file over maxFileBytes is refused before it is read")
    func fileSizeCap() throws {
        try TemporaryDirectory.with { dir in
            let path = try dir.write(CorruptCorpus.sourceJPEG, to: "frame.jpg")
            let size = CorruptCorpus.sourceJPEG.count
            let error = imagingError { () throws(ImagingError) in try FrameDecoder().load(path: path, maxFileBytes: size - 1) }
            #expect(error?.code == .tooLarge && error?.message.contains("cap of \(size - 1) bytes") == true)
            let viaOptions = imagingError { () throws(ImagingError) in
                try decodeFile(path, DecodeOptions(maxFileBytes: 100))
            }
            #expect(viaOptions?.code == .tooLarge)
            // Exactly at the cap is fine.
            #expect(try decodeFile(path, DecodeOptions(maxFileBytes: size)).width == 96)
        }
    }

    /// Format is sniffed from content: PNG bytes named .jpg decode as PNG, JPEG bytes named .png as JPEG.
    @Test("the file name's extension does not decide the format")
    func sniffedByContent() throws {
        try TemporaryDirectory.with { dir in
            let source = SyntheticImage.scene(width: 48, height: 40, channels: 3, seed: 8)
            let pngPath = try dir.write(CorruptCorpus.sourcePNG, to: "actually-png.jpg")
            let decoder = FrameDecoder()
            try decoder.load(path: pngPath)
            #expect(try decoder.begin().format == .png)
            #expect(try decoder.decodeImage() == source)
            let jpegPath = try dir.write(CorruptCorpus.sourceJPEG, to: "actually-jpeg.png")
            try decoder.load(path: jpegPath)
            #expect(try decoder.begin().format == .jpeg)
            #expect(try decoder.decodeImage().width == 96)
        }
    }
}
