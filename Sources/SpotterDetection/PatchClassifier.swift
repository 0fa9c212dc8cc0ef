import Foundation

/// The small convolutional network that scores RGB candidates from their patch (`spotter-cnn-1`), trained in
/// `tools/training/train_patch_cnn.py` (PyTorch) and evaluated here without an ML framework.
///
/// File format: `NAME.json` holds the header — version, input (patch side, centre-crop side, normalisation), the layers
/// in order (3×3 convolutions with stride, padding and ReLU, then one dense layer) with their shapes and offsets into
/// the weights, the weights' count and SHA-256 — and `NAME.f32` the weights as little-endian Float32, PyTorch's order
/// (convolution weights [out][in][ky][kx], dense [out][in]).
///
/// Input normalisation (as in training): the 32 × 32 patch scaled to 0…1, minus its mean per channel, divided by its
/// overall standard deviation (n − 1 denominator, at least 0.02), then the centre 24 × 24.
public final class PatchClassifier: Sendable {
    public let version: String
    public let path: String
    public let patchSide: Int
    public let cropSide: Int
    /// Multiply-adds per patch.
    public let multiplyAdds: Int
    let layers: [Layer]
    let weights: [Float]

    struct Layer: Sendable {
        var isConv: Bool
        var inChannels: Int, outChannels: Int
        var stride: Int, padding: Int
        var inSide: Int, outSide: Int
        var relu: Bool
        var weightOffset: Int, biasOffset: Int
    }

    struct Header: Decodable {
        struct Input: Decodable {
            var patch_side: Int
            var crop_side: Int
            var normalisation: String?
        }
        struct LayerEntry: Decodable {
            var type: String
            var in_channels: Int?
            var out_channels: Int?
            var kernel: Int?
            var stride: Int?
            var padding: Int?
            var activation: String
            var in_side: Int?
            var out_side: Int?
            var in_features: Int?
            var out_features: Int?
            var weight_offset: Int
            var bias_offset: Int
        }
        var format: String
        var version: String
        var input: Input
        var layers: [LayerEntry]
        var weights_file: String
        var weights_count: Int
        var weights_sha256: String
        var multiply_adds: Int
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Reads the header at `path` (NAME.json) and its weights file, checking shapes and the SHA-256.
    public init(path: String, sha256: (Data) -> String) throws(LoadError) {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LoadError(path: path, message: "not a spotter-cnn model header (\(error))")
        }
        guard header.format == "spotter-cnn-1" else {
            throw LoadError(path: path, message: "format \(header.format), expected spotter-cnn-1")
        }
        guard header.input.normalisation == "patch" else {
            throw LoadError(path: path, message: "input normalisation \(header.input.normalisation ?? "none"); only per-patch normalisation is implemented")
        }
        let weightsPath = (path as NSString).deletingLastPathComponent + "/" + header.weights_file
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: weightsPath)) else {
            throw LoadError(path: weightsPath, message: "cannot read the weights")
        }
        guard data.count == header.weights_count * 4 else {
            throw LoadError(path: weightsPath, message: "\(data.count) bytes, expected \(header.weights_count) Float32 weights")
        }
        guard sha256(data) == header.weights_sha256.lowercased() else {
            throw LoadError(path: weightsPath, message: "SHA-256 does not match the header (corrupt or mismatched weights)")
        }
        var w = [Float](repeating: 0, count: header.weights_count)
        w.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in dst.copyMemory(from: src) }
        }
        for i in w.indices { w[i] = Float(bitPattern: UInt32(littleEndian: w[i].bitPattern)) }
        var layers: [Layer] = []
        var side = header.input.crop_side, channels = 3
        for (i, l) in header.layers.enumerated() {
            if l.type == "conv2d" {
                guard let inC = l.in_channels, let outC = l.out_channels, l.kernel == 3, let stride = l.stride,
                    let pad = l.padding, inC == channels, l.in_side == side
                else { throw LoadError(path: path, message: "layer \(i): unsupported or inconsistent convolution") }
                let out = (side + 2 * pad - 3) / stride + 1
                guard l.out_side == out, l.weight_offset + outC * inC * 9 <= w.count, l.bias_offset + outC <= w.count else {
                    throw LoadError(path: path, message: "layer \(i): shapes or offsets out of range")
                }
                layers.append(Layer(isConv: true, inChannels: inC, outChannels: outC, stride: stride, padding: pad,
                                    inSide: side, outSide: out, relu: l.activation == "relu",
                                    weightOffset: l.weight_offset, biasOffset: l.bias_offset))
                side = out
                channels = outC
            } else if l.type == "dense" {
                guard let inF = l.in_features, let outF = l.out_features, inF == channels * side * side,
                    l.weight_offset + outF * inF <= w.count, l.bias_offset + outF <= w.count
                else { throw LoadError(path: path, message: "layer \(i): unsupported or inconsistent dense layer") }
                // A dense layer keeps the previous side in `inSide` and its channel count in `padding`.
                layers.append(Layer(isConv: false, inChannels: inF, outChannels: outF, stride: 1, padding: channels,
                                    inSide: side, outSide: 1, relu: l.activation == "relu",
                                    weightOffset: l.weight_offset, biasOffset: l.bias_offset))
                side = 1
                channels = outF
            } else {
                throw LoadError(path: path, message: "layer \(i): unknown type \(l.type)")
            }
        }
        guard layers.last.map({ !$0.isConv && $0.outChannels == 1 }) == true else {
            throw LoadError(path: path, message: "the last layer must be dense with one output")
        }
        version = header.version
        self.path = path
        patchSide = header.input.patch_side
        cropSide = header.input.crop_side
        multiplyAdds = header.multiply_adds
        self.layers = layers
        self.weights = w
    }

    /// The normalised centre crop of a patch, planar [3][crop][crop].
    func input(_ patch: [UInt8]) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * cropSide * cropSide)
        out.withUnsafeMutableBufferPointer { normalise(patch, into: $0.baseAddress!, planeStride: cropSide * cropSide) }
        return out
    }

    /// Writes the network input of one patch, channel by channel `planeStride` floats apart: the centre crop minus
    /// the patch's mean per channel, over the patch's overall standard deviation (n - 1, at least 0.02), in units of
    /// pixel / 255. Sums are exact integers, so the statistics match a float64 computation.
    func normalise(_ patch: [UInt8], into out: UnsafeMutablePointer<Float>, planeStride: Int) {
        let n = patchSide * patchSide
        precondition(patch.count == 3 * n, "patch of \(patch.count) bytes, expected \(3 * n)")
        var sums: (Int, Int, Int) = (0, 0, 0)
        var squares = 0
        patch.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
                sums.0 += r; sums.1 += g; sums.2 += b
                squares += r * r + g * g + b * b
            }
        }
        let total = Double(sums.0 + sums.1 + sums.2), count = Double(3 * n)
        let variance = max(0, (Double(squares) - total * total / count) / (count - 1)) / (255 * 255)
        let sd = max(variance.squareRoot(), 0.02)
        let means = [Double(sums.0), Double(sums.1), Double(sums.2)].map { $0 / Double(n) / 255 }
        let o = (patchSide - cropSide) / 2
        let scale = Float(1 / (255 * sd))
        patch.withUnsafeBufferPointer { p in
            for c in 0..<3 {
                let shift = Float(means[c] / sd)
                let plane = out + c * planeStride
                for y in 0..<cropSide {
                    let src = 3 * ((y + o) * patchSide + o) + c
                    for x in 0..<cropSide { plane[y * cropSide + x] = Float(p[src + 3 * x]) * scale - shift }
                }
            }
        }
    }

    /// Logits of many patches, batched: each layer is an im2col matrix times the weights, with the batch and the
    /// output positions in the inner, vectorised dimension.
    ///
    /// - Complexity: O(patches × multiplyAdds); allocates per layer.
    public func logits(_ patches: [[UInt8]]) -> [Float] {
        let n = patches.count
        guard n > 0 else { return [] }
        // Activations laid out [channel][sample][y][x].
        let crop = cropSide
        var act = [Float](repeating: 0, count: 3 * n * crop * crop)
        act.withUnsafeMutableBufferPointer { a in
            for (k, p) in patches.enumerated() {
                normalise(p, into: a.baseAddress! + k * crop * crop, planeStride: n * crop * crop)
            }
        }
        for layer in layers {
            act = layer.isConv ? convolve(layer, act, n) : dense(layer, act, n)
        }
        return act
    }

    private func convolve(_ l: Layer, _ input: [Float], _ n: Int) -> [Float] {
        let inSide = l.inSide, outSide = l.outSide, positions = n * outSide * outSide
        let k = l.inChannels * 9
        // im2col: rows (c, ky, kx), columns (sample, oy, ox); zero padding.
        var col = [Float](repeating: 0, count: k * positions)
        input.withUnsafeBufferPointer { src in
            col.withUnsafeMutableBufferPointer { dst in
                for c in 0..<l.inChannels {
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let row = ((c * 3 + ky) * 3 + kx) * positions
                            for s in 0..<n {
                                let plane = (c * n + s) * inSide * inSide
                                for oy in 0..<outSide {
                                    let iy = oy * l.stride + ky - l.padding
                                    guard iy >= 0 && iy < inSide else { continue }
                                    let base = row + (s * outSide + oy) * outSide
                                    for ox in 0..<outSide {
                                        let ix = ox * l.stride + kx - l.padding
                                        if ix >= 0 && ix < inSide { dst[base + ox] = src[plane + iy * inSide + ix] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: l.outChannels * positions)
        weights.withUnsafeBufferPointer { w in
            col.withUnsafeBufferPointer { cp in
                out.withUnsafeMutableBufferPointer { o in
                    // Tiles of output positions small enough that a tile of every output channel stays in L1 and
                    // the tile's im2col columns in L2 while all the weights pass over them.
                    let tile = 128
                    for t0 in stride(from: 0, to: positions, by: tile) {
                        let len = min(tile, positions - t0)
                        for oc in 0..<l.outChannels {
                            let dst = o.baseAddress! + oc * positions + t0
                            let bias = w[l.biasOffset + oc]
                            for p in 0..<len { dst[p] = bias }
                            for r in 0..<k {
                                let weight = w[l.weightOffset + oc * k + r]
                                let src = cp.baseAddress! + r * positions + t0
                                for p in 0..<len { dst[p] += weight * src[p] }
                            }
                            if l.relu { for p in 0..<len { dst[p] = max(dst[p], 0) } }
                        }
                    }
                }
            }
        }
        return out
    }

    private func dense(_ l: Layer, _ input: [Float], _ n: Int) -> [Float] {
        // The input is [channel][sample][y][x] with `inSide`² positions per channel (`padding` holds the channel
        // count); PyTorch flattens each sample as (channel, y, x).
        let area = l.inSide * l.inSide, channelsIn = l.padding
        var out = [Float](repeating: 0, count: l.outChannels * n)
        weights.withUnsafeBufferPointer { w in
            input.withUnsafeBufferPointer { x in
                for o in 0..<l.outChannels {
                    for s in 0..<n {
                        var sum = w[l.biasOffset + o]
                        for c in 0..<channelsIn {
                            let src = (c * n + s) * area
                            let row = l.weightOffset + o * l.inChannels + c * area
                            for i in 0..<area { sum += w[row + i] * x[src + i] }
                        }
                        out[o * n + s] = l.relu ? max(sum, 0) : sum
                    }
                }
            }
        }
        return out
    }

    /// Reference: one patch at a time, straight from the definitions of convolution and dense layers.
    public func logitReference(_ patch: [UInt8]) -> Float {
        var x = input(patch)
        var side = cropSide, channels = 3
        for l in layers {
            if l.isConv {
                var y = [Float](repeating: 0, count: l.outChannels * l.outSide * l.outSide)
                for o in 0..<l.outChannels {
                    for oy in 0..<l.outSide {
                        for ox in 0..<l.outSide {
                            var sum = weights[l.biasOffset + o]
                            for c in 0..<channels {
                                for ky in 0..<3 {
                                    for kx in 0..<3 {
                                        let iy = oy * l.stride + ky - l.padding, ix = ox * l.stride + kx - l.padding
                                        guard iy >= 0, iy < side, ix >= 0, ix < side else { continue }
                                        sum += weights[l.weightOffset + ((o * channels + c) * 3 + ky) * 3 + kx]
                                            * x[(c * side + iy) * side + ix]
                                    }
                                }
                            }
                            y[(o * l.outSide + oy) * l.outSide + ox] = l.relu ? max(sum, 0) : sum
                        }
                    }
                }
                x = y
                side = l.outSide
                channels = l.outChannels
            } else {
                var y = [Float](repeating: 0, count: l.outChannels)
                for o in 0..<l.outChannels {
                    var sum = weights[l.biasOffset + o]
                    for i in 0..<l.inChannels { sum += weights[l.weightOffset + o * l.inChannels + i] * x[i] }
                    y[o] = l.relu ? max(sum, 0) : sum
                }
                x = y
                channels = l.outChannels
                side = 1
            }
        }
        return x[0]
    }
}
