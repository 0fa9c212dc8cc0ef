import CCodecs
import Foundation
import SpotterKernelsAVX2

/// The small convolutional network that scores candidates from their patch (`spotter-cnn-1`), RGB or single-channel
/// (8-bit thermal), trained in `tools/training/train_patch_cnn.py` (PyTorch) and evaluated here without an ML framework.
///
/// File format: `NAME.json` holds the header — version, input (patch side, centre-crop side, channels,
/// normalisation), the layers in order (3×3 convolutions of any stride and padding, then one or more dense layers, the
/// last with one output; each with activation `relu` or `none`) with their shapes and offsets into the weights, the
/// weights' count and SHA-256 — and `NAME.f32` the weights as little-endian Float32, PyTorch's order (convolution
/// weights [out][in][ky][kx], dense [out][in]).
///
/// Patches are `patchSide`² pixels, row-major, `channels` bytes per pixel: 3 (input `channels` "RGB", or no such key)
/// or 1 (`"gray"`, one 8-bit sample per pixel).
///
/// Input normalisation (as in training): the patch (e.g. 32 × 32) scaled to 0…1, minus its mean per channel, divided by
/// its overall standard deviation (n − 1 denominator, at least `std_floor`, 0.02 unless the header says otherwise),
/// then the centre crop (e.g. 24 × 24). With `views` 2 the network sees `channels` more input channels: the whole
/// patch (twice the crop's side) averaged over 2 × 2 blocks — the candidate's surroundings at half resolution.
///
/// Paths with the same results: `logitReference` (one patch, straight from the definitions) and `logits` (batched,
/// `PatchCNNPlan` and `PatchCNNKernels` below: four patches per SIMD lane, register-blocked, no allocation per patch;
/// on a CPU with AVX2 and FMA, `PatchCNNKernelsAVX2`: eight patches per lane, fused multiply-adds;
/// `SPOTTER_NO_AVX2=1` forces the four-lane path, `SPOTTER_REFERENCE_KERNELS=1` the reference).
public final class PatchClassifier: Sendable {
    public let version: String
    public let path: String
    public let patchSide: Int
    public let cropSide: Int
    /// Bytes (channels) per pixel of a patch: 3 (RGB) or 1 (single-channel, e.g. 8-bit thermal). The network's input
    /// has `channels · views` channels.
    public let channels: Int
    /// Bytes of one patch: `channels` · `patchSide`², what `logits` and `logitReference` require of each patch.
    public var patchBytes: Int { channels * patchSide * patchSide }
    /// 1: the centre crop; 2: also the whole patch at half resolution (patchSide = 2 · cropSide), `channels` more
    /// input channels.
    public let views: Int
    /// The least standard deviation the normalisation divides by (units of pixel / 255).
    public let stdFloor: Double
    /// Multiply-adds per patch.
    public let multiplyAdds: Int
    let layers: [Layer]
    let weights: [Float]
    /// The batched path's plan: buffers, position tables and weights laid out for `PatchCNNKernels`.
    let plan: PatchCNNPlan

    struct Layer: Sendable {
        var isConv: Bool
        /// Input channels (convolution) or input features (dense).
        var inChannels: Int, outChannels: Int
        var stride: Int, padding: Int
        /// Side of the input and output planes (1 for dense layers).
        var inSide: Int, outSide: Int
        var relu: Bool
        var weightOffset: Int, biasOffset: Int
    }

    struct Header: Decodable {
        struct Input: Decodable {
            var patch_side: Int
            var crop_side: Int
            var channels: String?
            var normalisation: String?
            var std_floor: Double?
            var views: Int?
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
    ///
    /// Layers: 3×3 convolutions (any stride ≥ 1 and padding ≥ 0), then one or more dense layers, the last with one
    /// output; each with activation `relu` or `none`.
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
        guard header.input.crop_side >= 1, header.input.crop_side <= header.input.patch_side,
            (header.input.patch_side - header.input.crop_side) % 2 == 0
        else {
            throw LoadError(path: path, message: "crop side \(header.input.crop_side) does not centre in patch side \(header.input.patch_side)")
        }
        let pixelChannels: Int
        switch header.input.channels {
        case nil, "RGB": pixelChannels = 3
        case "gray": pixelChannels = 1
        case let other?:
            throw LoadError(path: path, message: "input channels \"\(other)\"; only \"RGB\" and \"gray\" are implemented")
        }
        let views = header.input.views ?? 1, stdFloor = header.input.std_floor ?? 0.02
        guard views == 1 || (views == 2 && header.input.patch_side == 2 * header.input.crop_side) else {
            throw LoadError(path: path, message: "views \(views) with patch side \(header.input.patch_side) and crop side \(header.input.crop_side); 1, or 2 with the patch twice the crop")
        }
        guard stdFloor > 0 else { throw LoadError(path: path, message: "std_floor \(stdFloor) must be positive") }
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
        var side = header.input.crop_side, channels = pixelChannels * views
        for (i, l) in header.layers.enumerated() {
            guard l.activation == "relu" || l.activation == "none" else {
                throw LoadError(path: path, message: "layer \(i): activation \(l.activation); only relu and none are implemented")
            }
            guard l.weight_offset >= 0, l.bias_offset >= 0 else {
                throw LoadError(path: path, message: "layer \(i): negative offset")
            }
            if l.type == "conv2d" {
                guard layers.last?.isConv ?? true else {
                    throw LoadError(path: path, message: "layer \(i): a convolution after a dense layer")
                }
                guard let inC = l.in_channels, let outC = l.out_channels, inC == channels, outC >= 1, l.kernel == 3,
                    let stride = l.stride, stride >= 1, let pad = l.padding, pad >= 0, l.in_side == side,
                    side + 2 * pad >= 3
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
                guard let inF = l.in_features, let outF = l.out_features, inF == channels * side * side, outF >= 1,
                    l.weight_offset + outF * inF <= w.count, l.bias_offset + outF <= w.count
                else { throw LoadError(path: path, message: "layer \(i): unsupported or inconsistent dense layer") }
                layers.append(Layer(isConv: false, inChannels: inF, outChannels: outF, stride: 1, padding: 0,
                                    inSide: 1, outSide: 1, relu: l.activation == "relu",
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
        self.channels = pixelChannels
        self.views = views
        self.stdFloor = stdFloor
        multiplyAdds = header.multiply_adds
        self.layers = layers
        self.weights = w
        plan = PatchCNNPlan(layers: layers, weights: w, cropSide: cropSide, channels: pixelChannels, views: views)
    }

    /// The per-patch input normalisation: network input = pixel · `scale` − `shift` of the pixel's channel (lanes
    /// 0..<`channels` of `shift` are used).
    struct Normalisation {
        var scale: Float
        var shift: SIMD3<Float>
    }

    /// The network input of a patch, planar [channels · views][crop][crop]: the normalised centre crop, then (two
    /// views) the mean of each 2 × 2 block of the normalised patch. The reference path's input.
    func input(_ patch: [UInt8]) -> [Float] {
        let channels = channels
        precondition(patch.count == patchBytes, "patch of \(patch.count) bytes, expected \(patchBytes)")
        let plane = cropSide * cropSide
        var out = [Float](repeating: 0, count: channels * views * plane)
        let o = (patchSide - cropSide) / 2
        patch.withUnsafeBufferPointer { p in
            let norm = normalisation(p.baseAddress!)
            func v(_ y: Int, _ x: Int, _ c: Int) -> Float {
                Float(p[channels * (y * patchSide + x) + c]) * norm.scale - norm.shift[c]
            }
            for c in 0..<channels {
                for y in 0..<cropSide {
                    for x in 0..<cropSide {
                        out[c * plane + y * cropSide + x] = v(y + o, x + o, c)
                        if views == 2 {
                            let sum = v(2 * y, 2 * x, c) + v(2 * y, 2 * x + 1, c) + v(2 * y + 1, 2 * x, c) + v(2 * y + 1, 2 * x + 1, c)
                            out[(channels + c) * plane + y * cropSide + x] = sum * 0.25
                        }
                    }
                }
            }
        }
        return out
    }

    /// The normalisation of one patch (`patchSide`² pixels of `channels` bytes at `p`): minus the patch's mean per
    /// channel, over the patch's overall standard deviation (n − 1, at least `stdFloor`), in units of pixel / 255. Sums
    /// are exact integers, so the statistics match a float64 computation.
    ///
    /// RGB: the sums run over 48-byte groups (16 pixels) into 48 lane sums, whose byte k is always channel k mod 3, so
    /// the loop vectorises; the 32-bit lane sums of squares are flushed every 1,024 groups (1,024 · 255² < 2³²).
    /// Single-channel: `grayPatchSums`.
    ///
    /// - Complexity: O(patchSide²); no allocation.
    func normalisation(_ p: UnsafePointer<UInt8>) -> Normalisation {
        let n = patchSide * patchSide, bytes = 3 * n
        if channels == 1 {
            let s = Self.grayPatchSums(p, count: n)
            return normalisation(r: s.sum, g: 0, b: 0, squares: s.squares)
        }
        var r: UInt64 = 0, g: UInt64 = 0, b: UInt64 = 0, squares: UInt64 = 0
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 96) { lanes in
            let acc = lanes.baseAddress!, squaresAcc = acc + 48
            acc.initialize(repeating: 0, count: 96)
            var i = 0
            while i &+ 48 <= bytes {
                var groups = 0
                while groups < 1024 && i &+ 48 <= bytes {
                    let src = p + i
                    for k in 0..<48 {
                        let v = UInt32(src[k])
                        acc[k] &+= v
                        squaresAcc[k] &+= v &* v
                    }
                    i &+= 48
                    groups &+= 1
                }
                for k in 0..<48 { squares &+= UInt64(squaresAcc[k]) }
                squaresAcc.update(repeating: 0, count: 48)
            }
            for k in stride(from: 0, to: 48, by: 3) {
                r &+= UInt64(acc[k]); g &+= UInt64(acc[k &+ 1]); b &+= UInt64(acc[k &+ 2])
            }
            while i < bytes {
                let pr = UInt64(p[i]), pg = UInt64(p[i &+ 1]), pb = UInt64(p[i &+ 2])
                r &+= pr; g &+= pg; b &+= pb
                squares &+= pr &* pr &+ pg &* pg &+ pb &* pb
                i &+= 3
            }
        }
        return normalisation(r: r, g: g, b: b, squares: squares)
    }

    /// The exact sums of one single-channel patch's `count` samples at `p` and of their squares: a plain loop into
    /// 32-bit sums (vectorised), flushed into 64-bit ones every 65,536 samples (65,536 · 255² < 2³²).
    ///
    /// - Complexity: O(count); no allocation.
    static func grayPatchSums(_ p: UnsafePointer<UInt8>, count: Int) -> (sum: UInt64, squares: UInt64) {
        var sum: UInt64 = 0, squares: UInt64 = 0
        var start = 0
        while start < count {
            let end = min(count, start &+ 65_536)
            var s: UInt32 = 0, q: UInt32 = 0
            for i in start..<end {
                let v = UInt32(p[i])
                s &+= v
                q &+= v &* v
            }
            sum &+= UInt64(s)
            squares &+= UInt64(q)
            start = end
        }
        return (sum, squares)
    }

    /// The normalisation from a patch's exact sums per channel and of squares (`normalisation(_:)`). A single-channel
    /// patch passes its sum as `r` and 0 as `g` and `b`.
    func normalisation(r: UInt64, g: UInt64, b: UInt64, squares: UInt64) -> Normalisation {
        let n = patchSide * patchSide, bytes = channels * n
        let total = Double(r) + Double(g) + Double(b), count = Double(bytes)
        let variance = max(0, (Double(squares) - total * total / count) / (count - 1)) / (255 * 255)
        let sd = max(variance.squareRoot(), stdFloor)
        let shift = SIMD3(
            Float(Double(r) / Double(n) / 255 / sd), Float(Double(g) / Double(n) / 255 / sd),
            Float(Double(b) / Double(n) / 255 / sd))
        return Normalisation(scale: Float(1 / (255 * sd)), shift: shift)
    }

    /// Logits of many patches (each `patchSide`² pixels, row-major, `channels` bytes per pixel).
    ///
    /// The fast path runs `PatchCNNPlan.lanes` patches at a time, one per SIMD lane, through every layer;
    /// `reference` (default: `SPOTTER_REFERENCE_KERNELS`) runs `logitReference` on each patch instead.
    ///
    /// - Complexity: O(patches × multiplyAdds); allocates its scratch (a few hundred kB) once per call.
    public func logits(_ patches: [[UInt8]], reference: Bool = KernelMode.referenceFromEnvironment) -> [Float] {
        logits(patches, path: reference ? .reference : PatchCNNPlan.fastestPath)
    }

    /// Logits of many patches by the given path (tests compare them; `logits(_:reference:)` picks the fastest).
    func logits(_ patches: [[UInt8]], path: PatchCNNPlan.Path) -> [Float] {
        switch path {
        case .reference: return patches.map(logitReference)
        case .sse2: return plan.logits(patches, classifier: self)
        case .avx2:
            precondition(PatchCNNPlan.cpuHasAVX2, "the AVX2 path on a CPU without AVX2 and FMA")
            return plan.logitsAVX2(patches, classifier: self)
        }
    }

    /// Reference: one patch at a time, straight from the definitions of convolution and dense layers.
    public func logitReference(_ patch: [UInt8]) -> Float {
        var x = input(patch)
        var side = cropSide, channels = self.channels * views
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

/// How the batched path runs a model: `lanes` patches at a time, each activation a `SIMD4<Float>` holding that
/// value for the four patches, so a 3×3 convolution of any stride needs no im2col — every tap is one aligned vector
/// load at a fixed offset from its output position. Each convolution reads a zero-bordered copy of its input (the
/// previous layer writes straight into the inside of it, so the borders are zeroed once per call) and runs a
/// register-blocked kernel of 4 output channels × 3 output positions. The weights are packed once, at load, as
/// vectors holding the same weight in every lane, in the order the kernels read them.
struct PatchCNNPlan: Sendable {
    typealias Vector = SIMD4<Float>
    /// Patches per pass (SIMD lanes).
    static let lanes = 4
    /// Output channels and output positions per block of the convolution kernel.
    static let channelBlock = 4, positionBlock = 2

    struct Conv: Sendable {
        var inChannels: Int, outChannels: Int
        /// Offsets (in vectors) of the input and output buffers in the scratch.
        var input: Int, output: Int
        /// Side and plane size of the zero-bordered input; plane size of the output buffer.
        var inSide: Int, inPlane: Int, outPlane: Int
        var positions: Int
        /// Per output position (padded to a multiple of `positionBlock` with copies of the first): the offset of its
        /// top-left tap in the input buffer, and its offset in an output plane.
        var bases: [Int], stores: [Int]
        /// Offsets (in vectors) of the packed weights, [channel block][in channel][ky][kx][4], and of the biases
        /// (padded to whole blocks with zeros).
        var weights: Int, bias: Int
        var relu: Bool
    }

    struct Dense: Sendable {
        var inFeatures: Int, outFeatures: Int
        var input: Int, output: Int
        /// Offsets of the packed weights [out][in] and biases.
        var weights: Int, bias: Int
        var relu: Bool
    }

    var convs: [Conv] = []
    var denses: [Dense] = []
    var packed: [Vector] = []
    /// `packed` with one float per vector (lane 0), for the AVX2 kernels, which broadcast.
    var scalars: [Float] = []
    /// Vectors of scratch a pass needs.
    var scratchCount = 0
    /// The network input's buffer: offset, side with its zero border, and the border's width.
    var input = 0, inputSide = 0, inputBorder = 0
    /// Where the logits of a pass end up.
    var logit = 0

    init(layers: [PatchClassifier.Layer], weights w: [Float], cropSide: Int, channels: Int, views: Int) {
        var offset = 0
        func buffer(_ count: Int) -> Int {
            defer { offset += count }
            return offset
        }
        let firstConv = layers.first?.isConv == true ? layers[0] : nil
        inputBorder = firstConv?.padding ?? 0
        inputSide = cropSide + 2 * inputBorder
        input = buffer(channels * views * inputSide * inputSide)
        var current = input, currentSide = inputSide
        for (i, l) in layers.enumerated() {
            if l.isConv {
                let next = i + 1 < layers.count && layers[i + 1].isConv ? layers[i + 1] : nil
                let border = next?.padding ?? 0, outSide = l.outSide + 2 * border
                let blocks = (l.outChannels + Self.channelBlock - 1) / Self.channelBlock
                let output = buffer(blocks * Self.channelBlock * outSide * outSide)
                var bases: [Int] = [], stores: [Int] = []
                for oy in 0..<l.outSide {
                    for ox in 0..<l.outSide {
                        // The input buffer's border is this layer's padding, so tap (0, 0) sits at stride × position.
                        bases.append(oy * l.stride * currentSide + ox * l.stride)
                        stores.append((oy + border) * outSide + ox + border)
                    }
                }
                let positions = bases.count
                while bases.count % Self.positionBlock != 0 {
                    bases.append(bases[0])
                    stores.append(stores[0])
                }
                let k = l.inChannels * 9
                let weightStart = packed.count
                for b in 0..<blocks {
                    for t in 0..<k {
                        for m in 0..<Self.channelBlock {
                            let oc = b * Self.channelBlock + m
                            packed.append(Vector(repeating: oc < l.outChannels ? w[l.weightOffset + oc * k + t] : 0))
                        }
                    }
                }
                let biasStart = packed.count
                for oc in 0..<(blocks * Self.channelBlock) {
                    packed.append(Vector(repeating: oc < l.outChannels ? w[l.biasOffset + oc] : 0))
                }
                convs.append(Conv(
                    inChannels: l.inChannels, outChannels: l.outChannels, input: current, output: output,
                    inSide: currentSide, inPlane: currentSide * currentSide, outPlane: outSide * outSide,
                    positions: positions, bases: bases, stores: stores, weights: weightStart, bias: biasStart,
                    relu: l.relu))
                current = output
                currentSide = outSide
            } else {
                let output = buffer(l.outChannels)
                let weightStart = packed.count
                for j in 0..<(l.outChannels * l.inChannels) { packed.append(Vector(repeating: w[l.weightOffset + j])) }
                let biasStart = packed.count
                for o in 0..<l.outChannels { packed.append(Vector(repeating: w[l.biasOffset + o])) }
                denses.append(Dense(
                    inFeatures: l.inChannels, outFeatures: l.outChannels, input: current, output: output,
                    weights: weightStart, bias: biasStart, relu: l.relu))
                current = output
            }
        }
        logit = current
        scratchCount = offset
        scalars = packed.map { $0[0] }
    }

    /// The batched paths: `reference` (`logitReference` per patch), `sse2` (baseline x86-64, 4 patches per
    /// `SIMD4<Float>`, this type's kernels), `avx2` (x86-64-v3, 8 patches per `SIMD8<Float>`, `PatchCNNKernelsAVX2`).
    enum Path: Sendable, CaseIterable {
        case reference, sse2, avx2
    }

    /// Whether this CPU (and OS) runs x86-64-v3 code (AVX2, FMA, …; `spc_cpu_has_avx2_fma`, CPUID and XCR0): the guard
    /// of every call into `SpotterKernelsAVX2`.
    static let cpuHasAVX2: Bool = spc_cpu_has_avx2_fma() != 0

    /// The path `logits(_:reference: false)` takes: AVX2 when the CPU has it, unless `SPOTTER_NO_AVX2=1` (non-empty,
    /// not "0") forces the SSE2 path.
    static let fastestPath: Path = {
        if let v = getenv("SPOTTER_NO_AVX2"), !(v.pointee == 0 || String(cString: v) == "0") { return .sse2 }
        return cpuHasAVX2 ? .avx2 : .sse2
    }()

    /// Logits of `patches`, 8 at a time, by the AVX2 kernels. Call only when `cpuHasAVX2`.
    ///
    /// - Complexity: O(patches × multiplyAdds); allocates its scratch once per call.
    func logitsAVX2(_ patches: [[UInt8]], classifier: PatchClassifier) -> [Float] {
        typealias Vector8 = SIMD8<Float>
        let n = patches.count
        guard n > 0 else { return [] }
        let scratch = UnsafeMutablePointer<Vector8>.allocate(capacity: scratchCount)
        scratch.initialize(repeating: .zero, count: scratchCount)
        defer { scratch.deallocate() }
        let patchSide = classifier.patchSide, cropSide = classifier.cropSide
        let channels = classifier.channels
        let temp = UnsafeMutablePointer<Float>.allocate(
            capacity: 8 * (channels * patchSide + channels * cropSide + channels * patchSide))
        defer { temp.deallocate() }
        let patchBytes = classifier.patchBytes
        for p in patches { precondition(p.count == patchBytes, "patch of \(p.count) bytes, expected \(patchBytes)") }
        var out = [Float](repeating: 0, count: n)
        // The pass's 8 patches, copied side by side (55 kB for 48-px patches).
        let staging = UnsafeMutablePointer<UInt8>.allocate(capacity: 8 * patchBytes)
        defer { staging.deallocate() }
        let pointers = (0..<8).map { UnsafePointer(staging + $0 * patchBytes) }
        var scales = [Float](repeating: 0, count: 8), shifts = [Float](repeating: 0, count: 24)
        scalars.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            for first in stride(from: 0, to: n, by: 8) {
                let count = min(8, n - first)
                for lane in 0..<8 {
                    // A short last pass repeats its first patch in the spare lanes.
                    patches[first + (lane < count ? lane : 0)].withUnsafeBufferPointer {
                        (staging + lane * patchBytes).update(from: $0.baseAddress!, count: patchBytes)
                    }
                    let norm: PatchClassifier.Normalisation
                    if channels == 1 {
                        let s = PatchCNNKernelsAVX2.grayPatchSums(pointers[lane], count: patchBytes)
                        norm = classifier.normalisation(r: s.sum, g: 0, b: 0, squares: s.squares)
                    } else {
                        let s = PatchCNNKernelsAVX2.patchSums(pointers[lane], bytes: patchBytes)
                        norm = classifier.normalisation(r: s.r, g: s.g, b: s.b, squares: s.squares)
                    }
                    scales[lane] = norm.scale
                    for c in 0..<3 { shifts[3 * lane + c] = norm.shift[c] }
                }
                pointers.withUnsafeBufferPointer { ps in
                    PatchCNNKernelsAVX2.writeInput(
                        patches: ps.baseAddress!, scales: scales, shifts: shifts, channels: channels,
                        patchSide: patchSide, cropSide: cropSide, views: classifier.views, input: scratch + input, inputSide: inputSide,
                        border: inputBorder, temp: temp)
                }
                for c in convs {
                    c.bases.withUnsafeBufferPointer { bases in
                        c.stores.withUnsafeBufferPointer { stores in
                            PatchCNNKernelsAVX2.convolve(
                                input: scratch + c.input, inPlane: c.inPlane, inSide: c.inSide,
                                inChannels: c.inChannels, weights: w + c.weights, bias: w + c.bias,
                                outChannels: c.outChannels, bases: bases.baseAddress!, stores: stores.baseAddress!,
                                positions: c.positions, output: scratch + c.output, outPlane: c.outPlane, relu: c.relu)
                        }
                    }
                }
                for d in denses {
                    PatchCNNKernelsAVX2.dense(
                        input: scratch + d.input, inFeatures: d.inFeatures, weights: w + d.weights,
                        bias: w + d.bias, outFeatures: d.outFeatures, output: scratch + d.output, relu: d.relu)
                }
                let result = scratch[logit]
                for s in 0..<count { out[first + s] = result[s] }
            }
        }
        return out
    }

    /// Writes the network input of four patches into the input buffer's inside, one patch per lane: the normalised
    /// centre crops and, with two views, the 2 × 2 means of the normalised patches; the same arithmetic as the
    /// reference's `input`, lane by lane.
    ///
    /// - Complexity: O(lanes × patchSide²); no allocation.
    func writeInput(
        _ p0: UnsafePointer<UInt8>, _ p1: UnsafePointer<UInt8>, _ p2: UnsafePointer<UInt8>, _ p3: UnsafePointer<UInt8>,
        into scratch: UnsafeMutablePointer<Vector>, classifier: PatchClassifier
    ) {
        // The channel count as a constant in each copy of the body, so RGB's strides stay what they were.
        if classifier.channels == 1 {
            writeInput(p0, p1, p2, p3, into: scratch, classifier: classifier, channels: 1)
        } else {
            writeInput(p0, p1, p2, p3, into: scratch, classifier: classifier, channels: 3)
        }
    }

    @inline(__always)
    func writeInput(
        _ p0: UnsafePointer<UInt8>, _ p1: UnsafePointer<UInt8>, _ p2: UnsafePointer<UInt8>, _ p3: UnsafePointer<UInt8>,
        into scratch: UnsafeMutablePointer<Vector>, classifier: PatchClassifier, channels: Int
    ) {
        let n0 = classifier.normalisation(p0), n1 = classifier.normalisation(p1)
        let n2 = classifier.normalisation(p2), n3 = classifier.normalisation(p3)
        let scale = Vector(n0.scale, n1.scale, n2.scale, n3.scale)
        let crop = classifier.cropSide, patchSide = classifier.patchSide, o = (patchSide - crop) / 2
        for c in 0..<channels {
            let shift = Vector(n0.shift[c], n1.shift[c], n2.shift[c], n3.shift[c])
            let plane = scratch + input + c * inputSide * inputSide + inputBorder * inputSide + inputBorder
            for y in 0..<crop {
                let src = channels &* ((y &+ o) &* patchSide &+ o) &+ c
                let dst = plane + y &* inputSide
                for x in 0..<crop {
                    let i = src &+ channels &* x
                    dst[x] = Vector(Float(p0[i]), Float(p1[i]), Float(p2[i]), Float(p3[i])) * scale - shift
                }
            }
            guard classifier.views == 2 else { continue }
            // The surroundings: each 2x2 block of the normalised patch, averaged (the reference's order of sums).
            let half = plane + channels * inputSide * inputSide
            for y in 0..<crop {
                let dst = half + y &* inputSide
                for x in 0..<crop {
                    let i = channels &* (2 &* y &* patchSide &+ 2 &* x) &+ c, j = i &+ channels &* patchSide
                    @inline(__always) func at(_ k: Int) -> Vector {
                        Vector(Float(p0[k]), Float(p1[k]), Float(p2[k]), Float(p3[k])) * scale - shift
                    }
                    dst[x] = (at(i) + at(i &+ channels) + at(j) + at(j &+ channels)) * 0.25
                }
            }
        }
    }

    /// Logits of `patches`, `lanes` at a time.
    func logits(_ patches: [[UInt8]], classifier: PatchClassifier) -> [Float] {
        let n = patches.count
        guard n > 0 else { return [] }
        let scratch = UnsafeMutablePointer<Vector>.allocate(capacity: scratchCount)
        scratch.initialize(repeating: .zero, count: scratchCount)
        defer { scratch.deallocate() }
        let patchBytes = classifier.patchBytes, lanes = Self.lanes
        for p in patches { precondition(p.count == patchBytes, "patch of \(p.count) bytes, expected \(patchBytes)") }
        var out = [Float](repeating: 0, count: n)
        packed.withUnsafeBufferPointer { packed in
            let packed = packed.baseAddress!
            for first in stride(from: 0, to: n, by: lanes) {
                let count = min(lanes, n - first)
                // A short last pass repeats its first patch in the spare lanes.
                patches[first].withUnsafeBufferPointer { b0 in
                    patches[first + (count > 1 ? 1 : 0)].withUnsafeBufferPointer { b1 in
                        patches[first + (count > 2 ? 2 : 0)].withUnsafeBufferPointer { b2 in
                            patches[first + (count > 3 ? 3 : 0)].withUnsafeBufferPointer { b3 in
                                writeInput(
                                    b0.baseAddress!, b1.baseAddress!, b2.baseAddress!, b3.baseAddress!, into: scratch,
                                    classifier: classifier)
                            }
                        }
                    }
                }
                for c in convs {
                    c.bases.withUnsafeBufferPointer { bases in
                        c.stores.withUnsafeBufferPointer { stores in
                            PatchCNNKernels.convolve(
                                input: scratch + c.input, inPlane: c.inPlane, inSide: c.inSide,
                                inChannels: c.inChannels, weights: packed + c.weights, bias: packed + c.bias,
                                outChannels: c.outChannels, bases: bases.baseAddress!, stores: stores.baseAddress!,
                                positions: c.positions, output: scratch + c.output, outPlane: c.outPlane, relu: c.relu)
                        }
                    }
                }
                for d in denses {
                    PatchCNNKernels.dense(
                        input: scratch + d.input, inFeatures: d.inFeatures, weights: packed + d.weights,
                        bias: packed + d.bias, outFeatures: d.outFeatures, output: scratch + d.output, relu: d.relu)
                }
                let result = scratch[logit]
                for s in 0..<count { out[first + s] = result[s] }
            }
        }
        return out
    }
}

/// The batched path's kernels: plain loops over unsafe pointers, one patch per SIMD lane.
enum PatchCNNKernels {
    typealias Vector = SIMD4<Float>

    /// A 3×3 convolution (+ bias, optional ReLU) of one pass: for each block of 4 output channels and 3 output
    /// positions, 12 accumulators stay in registers over all `inChannels` × 9 taps. `output` has a plane for every
    /// channel of the last block and `bases`/`stores` a whole number of blocks (`PatchCNNPlan`). Accumulates in the
    /// reference's order (bias, then channel, ky, kx); the zero border adds exact zeros.
    ///
    /// - Complexity: O(⌈outChannels / 4⌉ · 4 × ⌈positions / 3⌉ · 3 × inChannels · 9); no allocation.
    @inline(never)
    static func convolve(
        input: UnsafePointer<Vector>, inPlane: Int, inSide: Int, inChannels: Int,
        weights: UnsafePointer<Vector>, bias: UnsafePointer<Vector>, outChannels: Int,
        bases: UnsafePointer<Int>, stores: UnsafePointer<Int>, positions: Int,
        output: UnsafeMutablePointer<Vector>, outPlane: Int, relu: Bool
    ) {
        let blocks = (outChannels + 3) / 4
        let taps = inChannels &* 9
        for b in 0..<blocks {
            let w = weights + b &* taps &* 4
            let oc = b &* 4
            let b0 = bias[oc], b1 = bias[oc &+ 1], b2 = bias[oc &+ 2], b3 = bias[oc &+ 3]
            var p = 0
            while p < positions {
                let x0 = input + bases[p], x1 = input + bases[p &+ 1]
                var a00 = b0, a01 = b0
                var a10 = b1, a11 = b1
                var a20 = b2, a21 = b2
                var a30 = b3, a31 = b3
                var wp = w
                var channel = 0
                for _ in 0..<inChannels {
                    var row = channel
                    for _ in 0..<3 {
                        for kx in 0..<3 {
                            let t = row &+ kx
                            let v0 = x0[t], v1 = x1[t]
                            a00 += wp[0] * v0; a01 += wp[0] * v1
                            a10 += wp[1] * v0; a11 += wp[1] * v1
                            a20 += wp[2] * v0; a21 += wp[2] * v1
                            a30 += wp[3] * v0; a31 += wp[3] * v1
                            wp += 4
                        }
                        row &+= inSide
                    }
                    channel &+= inPlane
                }
                if relu {
                    a00 = rectify(a00); a01 = rectify(a01)
                    a10 = rectify(a10); a11 = rectify(a11)
                    a20 = rectify(a20); a21 = rectify(a21)
                    a30 = rectify(a30); a31 = rectify(a31)
                }
                let s0 = stores[p], s1 = stores[p &+ 1]
                let o0 = output + oc &* outPlane, o1 = o0 + outPlane, o2 = o1 + outPlane, o3 = o2 + outPlane
                o0[s0] = a00; o0[s1] = a01
                o1[s0] = a10; o1[s1] = a11
                o2[s0] = a20; o2[s1] = a21
                o3[s0] = a30; o3[s1] = a31
                p &+= 2
            }
        }
    }

    /// max(v, 0) lane by lane (the standard library's `pointwiseMax` was an out-of-line generic call here).
    @inline(__always)
    static func rectify(_ v: Vector) -> Vector { v.replacing(with: 0, where: v .< 0) }

    /// A dense layer (+ bias, optional ReLU) of one pass: `output[o] = bias[o] + Σ weights[o·in + i] · input[i]`.
    ///
    /// - Complexity: O(inFeatures × outFeatures); no allocation.
    @inline(never)
    static func dense(
        input: UnsafePointer<Vector>, inFeatures: Int, weights: UnsafePointer<Vector>, bias: UnsafePointer<Vector>,
        outFeatures: Int, output: UnsafeMutablePointer<Vector>, relu: Bool
    ) {
        for o in 0..<outFeatures {
            var sum = bias[o]
            let w = weights + o &* inFeatures
            for i in 0..<inFeatures { sum += w[i] * input[i] }
            output[o] = relu ? rectify(sum) : sum
        }
    }
}
