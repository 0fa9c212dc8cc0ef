import Dispatch
import Foundation
import SpotterImaging

/// Full-resolution crops of detections, as JPEG bytes, cut from each frame in one partial decode.
public enum CropSet {
    /// The crop of a detection: the box with context around it, at least `minimum` pixels a side, at most `maximum`,
    /// clipped to the frame.
    public static func rect(for d: ScanDetection, width: Int, height: Int, minimum: Int = 96, maximum: Int = 384) -> PixelRect? {
        guard width > 0, height > 0 else { return nil }
        let side = min(maximum, max(minimum, 3 * max(d.width, d.height)))
        let w = min(width, max(side, min(d.width, maximum))), h = min(height, max(side, min(d.height, maximum)))
        var x = Int(d.centreX.rounded()) - w / 2, y = Int(d.centreY.rounded()) - h / 2
        x = max(0, min(width - w, x))
        y = max(0, min(height - h, y))
        return PixelRect(x: x, y: y, width: w, height: h)
    }

    /// JPEG crops for the detections of `batch` at the given indices (nil where a frame could not be decoded). Frames
    /// run in parallel on `threads` workers, one decoder each; each frame is decoded once, down to its lowest crop.
    public static func jpegs(
        for batch: GeoBatch, indices: [Int], threads: Int = 2, quality: Int = 85
    ) -> (crops: [Int: [UInt8]], errors: [String]) {
        // Group the wanted detections by frame.
        var frameOf: [String: Int] = [:]
        for (i, f) in batch.frames.enumerated() where frameOf[f.file] == nil { frameOf[f.file] = i }
        var byFrame: [Int: [Int]] = [:]
        for i in indices {
            guard let f = frameOf[batch.detections[i].file] else { continue }
            byFrame[f, default: []].append(i)
        }
        let jobs = byFrame.sorted { $0.key < $1.key }
        let results = ResultSlots(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, jobs.count))) { worker in
            let decoder = FrameDecoder()
            var j = worker
            while j < jobs.count {
                let (frameIndex, detections) = jobs[j]
                let frame = batch.frames[frameIndex]
                var out: [Int: [UInt8]] = [:]
                var failure: String?
                do {
                    try decoder.load(path: frame.resolvedPath)
                    let rects = detections.compactMap { i in rect(for: batch.detections[i].detection, width: frame.width, height: frame.height) }
                    if rects.count == detections.count {
                        let images = try decoder.decodeRegions(rects, options: DecodeOptions(colour: .rgb))
                        for (k, i) in detections.enumerated() {
                            out[i] = try ImageEncoder.jpeg(images[k], quality: quality)
                        }
                    }
                } catch {
                    failure = "\(frame.file): crops: \((error as? ImagingError)?.message ?? "\(error)")"
                }
                results.set(j, (out, failure))
                j += max(1, min(threads, jobs.count))
            }
        }
        var crops: [Int: [UInt8]] = [:]
        var errors: [String] = []
        for r in results.values {
            guard let r else { continue }
            crops.merge(r.0) { a, _ in a }
            if let e = r.1 { errors.append(e) }
        }
        return (crops, errors)
    }

    /// Slots written by the workers, one each, read after they finish.
    private final class ResultSlots: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [([Int: [UInt8]], String?)?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: ([Int: [UInt8]], String?)) { lock.withLock { values[i] = v } }
    }
}
