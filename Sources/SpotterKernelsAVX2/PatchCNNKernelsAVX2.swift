/// The patch CNN's hot kernels for x86-64-v3 (AVX2 and FMA): eight patches per SIMD lane (`SIMD8<Float>`, one YMM
/// register), fused multiply-adds.
///
/// This module is compiled with `-target-cpu haswell` (x86-64-v3; the Swift 6.3 driver refuses the name x86-64-v3),
/// so NOTHING in it may run on a CPU without AVX2, FMA and the rest of x86-64-v3: every entry point is called only
/// after `spc_cpu_has_avx2_fma()` said yes (`PatchCNNPlan` in SpotterDetection). The entry points are
/// `@inline(never)` and the module is built without cross-module optimisation, so no body of it is inlined into, or
/// shared as a weak symbol with, the baseline modules. Helpers are `@inline(__always)` and internal.
///
/// Layouts are `PatchCNNPlan`'s (SpotterDetection), with vectors of 8 lanes instead of 4 and the packed weights as
/// plain floats (broadcast here) in the same order.
public enum PatchCNNKernelsAVX2 {
    public typealias Vector = SIMD8<Float>

    /// A 3×3 convolution (+ bias, optional ReLU) of one pass: blocks of 4 output channels × 3 output positions, 12
    /// accumulators in registers over all `inChannels` × 9 taps (the last 1–2 positions one at a time). Weights
    /// [channel block][in channel][ky][kx][4], biases padded to whole blocks; `output` has a plane for every channel of
    /// the last block. Accumulates in the reference's order (bias, then channel, ky, kx), fused.
    ///
    /// - Complexity: O(⌈outChannels / 4⌉ · 4 × positions × inChannels · 9); no allocation.
    @inline(never)
    public static func convolve(
        input: UnsafePointer<Vector>, inPlane: Int, inSide: Int, inChannels: Int,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outChannels: Int,
        bases: UnsafePointer<Int>, stores: UnsafePointer<Int>, positions: Int,
        output: UnsafeMutablePointer<Vector>, outPlane: Int, relu: Bool
    ) {
        let blocks = (outChannels &+ 3) / 4
        let taps = inChannels &* 9
        for b in 0..<blocks {
            let w = weights + b &* taps &* 4
            let oc = b &* 4
            let b0 = Vector(repeating: bias[oc]), b1 = Vector(repeating: bias[oc &+ 1])
            let b2 = Vector(repeating: bias[oc &+ 2]), b3 = Vector(repeating: bias[oc &+ 3])
            let o0 = output + oc &* outPlane, o1 = o0 + outPlane, o2 = o1 + outPlane, o3 = o2 + outPlane
            var p = 0
            while p &+ 3 <= positions {
                let x0 = input + bases[p], x1 = input + bases[p &+ 1], x2 = input + bases[p &+ 2]
                var a00 = b0, a01 = b0, a02 = b0
                var a10 = b1, a11 = b1, a12 = b1
                var a20 = b2, a21 = b2, a22 = b2
                var a30 = b3, a31 = b3, a32 = b3
                var wp = w
                var channel = 0
                for _ in 0..<inChannels {
                    var row = channel
                    for _ in 0..<3 {
                        for kx in 0..<3 {
                            let t = row &+ kx
                            let v0 = x0[t], v1 = x1[t], v2 = x2[t]
                            let w0 = Vector(repeating: wp[0]), w1 = Vector(repeating: wp[1])
                            a00 = fma(w0, v0, a00); a01 = fma(w0, v1, a01); a02 = fma(w0, v2, a02)
                            a10 = fma(w1, v0, a10); a11 = fma(w1, v1, a11); a12 = fma(w1, v2, a12)
                            let w2 = Vector(repeating: wp[2]), w3 = Vector(repeating: wp[3])
                            a20 = fma(w2, v0, a20); a21 = fma(w2, v1, a21); a22 = fma(w2, v2, a22)
                            a30 = fma(w3, v0, a30); a31 = fma(w3, v1, a31); a32 = fma(w3, v2, a32)
                            wp += 4
                        }
                        row &+= inSide
                    }
                    channel &+= inPlane
                }
                if relu {
                    a00 = rectify(a00); a01 = rectify(a01); a02 = rectify(a02)
                    a10 = rectify(a10); a11 = rectify(a11); a12 = rectify(a12)
                    a20 = rectify(a20); a21 = rectify(a21); a22 = rectify(a22)
                    a30 = rectify(a30); a31 = rectify(a31); a32 = rectify(a32)
                }
                let s0 = stores[p], s1 = stores[p &+ 1], s2 = stores[p &+ 2]
                o0[s0] = a00; o0[s1] = a01; o0[s2] = a02
                o1[s0] = a10; o1[s1] = a11; o1[s2] = a12
                o2[s0] = a20; o2[s1] = a21; o2[s2] = a22
                o3[s0] = a30; o3[s1] = a31; o3[s2] = a32
                p &+= 3
            }
            while p < positions {
                let x0 = input + bases[p]
                var a0 = b0, a1 = b1, a2 = b2, a3 = b3
                var wp = w
                var channel = 0
                for _ in 0..<inChannels {
                    var row = channel
                    for _ in 0..<3 {
                        for kx in 0..<3 {
                            let v0 = x0[row &+ kx]
                            a0 = fma(Vector(repeating: wp[0]), v0, a0); a1 = fma(Vector(repeating: wp[1]), v0, a1)
                            a2 = fma(Vector(repeating: wp[2]), v0, a2); a3 = fma(Vector(repeating: wp[3]), v0, a3)
                            wp += 4
                        }
                        row &+= inSide
                    }
                    channel &+= inPlane
                }
                if relu { a0 = rectify(a0); a1 = rectify(a1); a2 = rectify(a2); a3 = rectify(a3) }
                let s = stores[p]
                o0[s] = a0; o1[s] = a1; o2[s] = a2; o3[s] = a3
                p &+= 1
            }
        }
    }

    /// A dense layer (+ bias, optional ReLU) of one pass: `output[o] = bias[o] + Σ weights[o·in + i] · input[i]`.
    ///
    /// - Complexity: O(inFeatures × outFeatures); no allocation.
    @inline(never)
    public static func dense(
        input: UnsafePointer<Vector>, inFeatures: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        outFeatures: Int, output: UnsafeMutablePointer<Vector>, relu: Bool
    ) {
        for o in 0..<outFeatures {
            var sum = Vector(repeating: bias[o])
            let w = weights + o &* inFeatures
            for i in 0..<inFeatures { sum = fma(Vector(repeating: w[i]), input[i], sum) }
            output[o] = relu ? rectify(sum) : sum
        }
    }

    /// The exact integer sums of one RGB patch's `bytes` bytes at `p`: per channel, and of all squares (the same
    /// grouping as `PatchClassifier.normalisation`: 48-byte groups into 48 lane sums, squares flushed every 1,024).
    /// A copy of that loop on purpose: compiled here for AVX2 it is what makes the sums cheap (calling the baseline
    /// one from the AVX2 path measured 5.2 instead of 4.7 µs per patch on the Brighton bench).
    ///
    /// - Complexity: O(bytes); no allocation beyond 384 bytes on the stack.
    @inline(never)
    public static func patchSums(_ p: UnsafePointer<UInt8>, bytes: Int) -> (r: UInt64, g: UInt64, b: UInt64, squares: UInt64) {
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
        return (r, g, b, squares)
    }

    /// The exact sums of one single-channel patch's `count` samples at `p` and of their squares (the same loop as
    /// `PatchClassifier.grayPatchSums`, compiled here for AVX2 like `patchSums`): 32-bit sums flushed into 64-bit ones
    /// every 65,536 samples (65,536 · 255² < 2³²).
    ///
    /// - Complexity: O(count); no allocation.
    @inline(never)
    public static func grayPatchSums(_ p: UnsafePointer<UInt8>, count: Int) -> (sum: UInt64, squares: UInt64) {
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

    /// Writes the normalised input of 8 patches (`patches[lane]`, each `patchSide`² pixels of `channels` bytes: 3, RGB,
    /// or 1, single-channel) into the inside of the zero-bordered input buffer at `input` (side `inputSide`, border
    /// `border`), one patch per lane: channels 0..<`channels` the centre crop, `pixel · scales[lane] −
    /// shifts[3 · lane + c]`; with `views` 2 (patchSide = 2 · cropSide), the next `channels` the mean of each 2 × 2
    /// block, computed as the sum of the 4 bytes · scale / 4 − shift (equal to the reference's mean of normalised values
    /// up to float rounding).
    ///
    /// Each row is first computed per patch with contiguous vector loops into `temp` (at least
    /// 8 · 3 · `channels` · patchSide floats), then gathered lane by lane into the input's vectors.
    ///
    /// - Complexity: O(8 × channels × patchSide²); no allocation.
    @inline(never)
    public static func writeInput(
        patches: UnsafePointer<UnsafePointer<UInt8>>, scales: UnsafePointer<Float>, shifts: UnsafePointer<Float>,
        channels: Int, patchSide: Int, cropSide: Int, views: Int,
        input: UnsafeMutablePointer<Vector>, inputSide: Int, border: Int, temp: UnsafeMutablePointer<Float>
    ) {
        // The channel count as a constant in each copy of the body, so RGB's strides stay what they were.
        if channels == 1 {
            writeInput(
                patches: patches, scales: scales, shifts: shifts, constantChannels: 1, patchSide: patchSide,
                cropSide: cropSide, views: views, input: input, inputSide: inputSide, border: border, temp: temp)
        } else {
            precondition(channels == 3, "\(channels) channels; 1 or 3")
            writeInput(
                patches: patches, scales: scales, shifts: shifts, constantChannels: 3, patchSide: patchSide,
                cropSide: cropSide, views: views, input: input, inputSide: inputSide, border: border, temp: temp)
        }
    }

    @inline(__always)
    static func writeInput(
        patches: UnsafePointer<UnsafePointer<UInt8>>, scales: UnsafePointer<Float>, shifts: UnsafePointer<Float>,
        constantChannels channels: Int, patchSide: Int, cropSide: Int, views: Int,
        input: UnsafeMutablePointer<Vector>, inputSide: Int, border: Int, temp: UnsafeMutablePointer<Float>
    ) {
        let crop = cropSide, o = (patchSide &- crop) / 2, rowBytes = channels &* patchSide
        let plane = inputSide &* inputSide
        let cropWidth = channels &* crop, halfWidth = rowBytes &- channels
        // temp: [lane][pattern channels · patchSide] | [lane][crop row channels · crop] | [lane][half row]
        let patternStride = rowBytes
        let pattern = temp, cropRows = temp + 8 &* patternStride, halfRows = cropRows + 8 &* cropWidth
        for lane in 0..<8 {
            let row = pattern + lane &* patternStride, s = shifts + 3 &* lane
            for i in 0..<rowBytes { row[i] = s[i % channels] }
        }
        let inside = input + (border &* inputSide &+ border)
        for y in 0..<crop {
            for lane in 0..<8 {
                let src = patches[lane] + channels &* ((y &+ o) &* patchSide &+ o)
                let dst = cropRows + lane &* cropWidth, shift = pattern + lane &* patternStride
                let scale = scales[lane]
                for k in 0..<cropWidth { dst[k] = Float(src[k]) * scale - shift[k] }
            }
            let cropDst = inside + y &* inputSide
            for x in 0..<crop {
                for c in 0..<channels {
                    let k = channels &* x &+ c
                    cropDst[c &* plane &+ x] = gather(cropRows, stride: cropWidth, at: k)
                }
            }
            guard views == 2 else { continue }
            for lane in 0..<8 {
                let r0 = patches[lane] + 2 &* y &* rowBytes, r1 = r0 + rowBytes
                let dst = halfRows + lane &* halfWidth, shift = pattern + lane &* patternStride
                let scale = scales[lane] * 0.25
                for i in 0..<halfWidth {
                    let sum = UInt16(r0[i]) &+ UInt16(r0[i &+ channels]) &+ UInt16(r1[i]) &+ UInt16(r1[i &+ channels])
                    dst[i] = Float(sum) * scale - shift[i]
                }
            }
            let halfDst = inside + (channels &* plane &+ y &* inputSide)
            for x in 0..<crop {
                for c in 0..<channels {
                    // Pixels 2x and 2x + 1 of the row pair: byte 2 · channels · x + c of the pair sums.
                    halfDst[c &* plane &+ x] = gather(halfRows, stride: halfWidth, at: 2 &* channels &* x &+ c)
                }
            }
        }
    }

    /// Element `k` of 8 rows `stride` floats apart, one per lane.
    @inline(__always)
    static func gather(_ rows: UnsafePointer<Float>, stride: Int, at k: Int) -> Vector {
        let p = rows + k
        return Vector(
            p[0], p[stride], p[2 &* stride], p[3 &* stride], p[4 &* stride], p[5 &* stride], p[6 &* stride],
            p[7 &* stride])
    }

    /// a · b + c, fused (one `vfmadd` on x86-64-v3).
    @inline(__always)
    static func fma(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector { c.addingProduct(a, b) }

    /// max(v, 0) lane by lane.
    @inline(__always)
    static func rectify(_ v: Vector) -> Vector { v.replacing(with: 0, where: v .< 0) }
}
