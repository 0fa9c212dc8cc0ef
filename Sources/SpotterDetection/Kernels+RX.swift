import SpotterKernelsAVX2

/// Sums of one frame's colour samples and their products: enough for the mean and covariance of 3-channel pixels.
public struct ColourMoments: Sendable, Equatable {
    public var count: Int64 = 0
    /// Σ c0, Σ c1, Σ c2.
    public var s0: Int64 = 0, s1: Int64 = 0, s2: Int64 = 0
    /// Σ c0², Σ c0·c1, Σ c0·c2, Σ c1², Σ c1·c2, Σ c2².
    public var s00: Int64 = 0, s01: Int64 = 0, s02: Int64 = 0, s11: Int64 = 0, s12: Int64 = 0, s22: Int64 = 0

    public init() {}

    public static func += (a: inout ColourMoments, b: ColourMoments) {
        a.count += b.count
        a.s0 += b.s0; a.s1 += b.s1; a.s2 += b.s2
        a.s00 += b.s00; a.s01 += b.s01; a.s02 += b.s02
        a.s11 += b.s11; a.s12 += b.s12; a.s22 += b.s22
    }
}

/// The frame's colour statistics turned into a squared-Mahalanobis scorer: d²(c) = (c − μ)ᵀ Σ⁻¹ (c − μ).
public struct RXModel: Sendable, Equatable {
    public var mean: (Float, Float, Float)
    /// Upper triangle of Σ⁻¹ with the off-diagonal terms doubled: d² = a00·u0² + a11·u1² + a22·u2² + a01·u0·u1 + …
    public var a00: Float, a11: Float, a22: Float, a01: Float, a02: Float, a12: Float

    public static func == (l: RXModel, r: RXModel) -> Bool {
        l.mean == r.mean && l.a00 == r.a00 && l.a11 == r.a11 && l.a22 == r.a22 && l.a01 == r.a01 && l.a02 == r.a02
            && l.a12 == r.a12
    }

    /// Builds the model from moments, adding `floor` to the covariance diagonal. Nil when there are no pixels.
    public init?(_ m: ColourMoments, floor: Double) {
        guard m.count > 0 else { return nil }
        let n = Double(m.count)
        let mu0 = Double(m.s0) / n, mu1 = Double(m.s1) / n, mu2 = Double(m.s2) / n
        let c00 = Double(m.s00) / n - mu0 * mu0 + floor
        let c11 = Double(m.s11) / n - mu1 * mu1 + floor
        let c22 = Double(m.s22) / n - mu2 * mu2 + floor
        let c01 = Double(m.s01) / n - mu0 * mu1
        let c02 = Double(m.s02) / n - mu0 * mu2
        let c12 = Double(m.s12) / n - mu1 * mu2
        // Inverse of the symmetric 3×3 matrix through its adjugate.
        let i00 = c11 * c22 - c12 * c12
        let i01 = c02 * c12 - c01 * c22
        let i02 = c01 * c12 - c02 * c11
        let i11 = c00 * c22 - c02 * c02
        let i12 = c01 * c02 - c00 * c12
        let i22 = c00 * c11 - c01 * c01
        let det = c00 * i00 + c01 * i01 + c02 * i02
        guard det > 0, det.isFinite else { return nil }
        mean = (Float(mu0), Float(mu1), Float(mu2))
        a00 = Float(i00 / det)
        a11 = Float(i11 / det)
        a22 = Float(i22 / det)
        a01 = Float(2 * i01 / det)
        a02 = Float(2 * i02 / det)
        a12 = Float(2 * i12 / det)
    }

    /// d² of one colour.
    @inline(__always)
    public func distance(_ c0: UInt8, _ c1: UInt8, _ c2: UInt8) -> Float {
        let u0 = Float(c0) - mean.0, u1 = Float(c1) - mean.1, u2 = Float(c2) - mean.2
        return u0 * (a00 * u0 + a01 * u1 + a02 * u2) + u1 * (a11 * u1 + a12 * u2) + a22 * u2 * u2
    }
}

/// Kernels of the RX detector on RGBX rows (four bytes per pixel: R, G, B, padding), each a plain reference and a
/// vectorisable fast version with the same result. Four-byte pixels unpack with masks and shifts, which the
/// baseline x86-64 vectoriser handles well; three-byte pixels needed shuffles and ran twice as slow here.
public enum RXKernels {
    /// Adds the moments of `count` RGBX pixels. Reference: one pixel at a time in Int64.
    ///
    /// - Complexity: O(count), no allocation.
    public static func accumulateReference(_ p: UnsafePointer<UInt8>, count: Int, into m: inout ColourMoments) {
        for i in 0..<count {
            let c0 = Int64(p[4 * i]), c1 = Int64(p[4 * i + 1]), c2 = Int64(p[4 * i + 2])
            m.count += 1
            m.s0 += c0; m.s1 += c1; m.s2 += c2
            m.s00 += c0 * c0; m.s01 += c0 * c1; m.s02 += c0 * c2
            m.s11 += c1 * c1; m.s12 += c1 * c2; m.s22 += c2 * c2
        }
    }

    /// Same result as `accumulateReference`, bit for bit: 32-bit lane sums, exact for rows up to 66,051 pixels
    /// (255² × 66,051 < 2³²), which the 65,535-pixel side cap guarantees.
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)  // compiled on its own, the loop vectorises; inlined into the stage it did not
    public static func accumulate(_ p: UnsafePointer<UInt8>, count: Int, into m: inout ColourMoments) {
        precondition(count <= 66_051)
        let q = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
        var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0
        var s00: UInt32 = 0, s01: UInt32 = 0, s02: UInt32 = 0, s11: UInt32 = 0, s12: UInt32 = 0, s22: UInt32 = 0
        for i in 0..<count {
            let v = UInt32(littleEndian: q[i])
            let c0 = v & 0xFF, c1 = (v &>> 8) & 0xFF, c2 = (v &>> 16) & 0xFF
            s0 &+= c0; s1 &+= c1; s2 &+= c2
            s00 &+= c0 &* c0; s01 &+= c0 &* c1; s02 &+= c0 &* c2
            s11 &+= c1 &* c1; s12 &+= c1 &* c2; s22 &+= c2 &* c2
        }
        m.count += Int64(count)
        m.s0 += Int64(s0); m.s1 += Int64(s1); m.s2 += Int64(s2)
        m.s00 += Int64(s00); m.s01 += Int64(s01); m.s02 += Int64(s02)
        m.s11 += Int64(s11); m.s12 += Int64(s12); m.s22 += Int64(s22)
    }

    /// Writes d² of `count` RGBX pixels to `out`; returns whether any is at least `threshold`. Reference: Double
    /// arithmetic straight from the definition (u = c − μ, d² = uᵀ Σ⁻¹ u with the full symmetric matrix).
    public static func scoreReference(
        _ p: UnsafePointer<UInt8>, count: Int, model: RXModel, threshold: Float, into out: UnsafeMutablePointer<Float>
    ) -> Bool {
        let m = model
        let a: [[Double]] = [
            [Double(m.a00), Double(m.a01) / 2, Double(m.a02) / 2],
            [Double(m.a01) / 2, Double(m.a11), Double(m.a12) / 2],
            [Double(m.a02) / 2, Double(m.a12) / 2, Double(m.a22)],
        ]
        var any = false
        for i in 0..<count {
            let u = [Double(p[4 * i]) - Double(m.mean.0), Double(p[4 * i + 1]) - Double(m.mean.1),
                     Double(p[4 * i + 2]) - Double(m.mean.2)]
            var d = 0.0
            for r in 0..<3 { for c in 0..<3 { d += u[r] * a[r][c] * u[c] } }
            out[i] = Float(d)
            if out[i] >= threshold { any = true }
        }
        return any
    }

    /// d² of `count` RGBX pixels in Float, shaped for the auto-vectoriser, with an OR-reduced "any at or above
    /// `threshold`" flag so rows without candidates need no second look. Matches the reference within 1e-4
    /// relative (plus 1e-3 absolute).
    ///
    /// - Complexity: O(count), no allocation.
    @inline(never)  // compiled on its own, the loop vectorises; inlined into the stage it did not
    public static func score(
        _ p: UnsafePointer<UInt8>, count: Int, model: RXModel, threshold: Float, into out: UnsafeMutablePointer<Float>
    ) -> Bool {
        let q = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
        let m0 = model.mean.0, m1 = model.mean.1, m2 = model.mean.2
        let a00 = model.a00, a11 = model.a11, a22 = model.a22, a01 = model.a01, a02 = model.a02, a12 = model.a12
        var flag: UInt32 = 0
        for i in 0..<count {
            let v = UInt32(littleEndian: q[i])
            let u0 = Float(Int32(bitPattern: v & 0xFF)) - m0
            let u1 = Float(Int32(bitPattern: (v &>> 8) & 0xFF)) - m1
            let u2 = Float(Int32(bitPattern: (v &>> 16) & 0xFF)) - m2
            let d = u0 * (a00 * u0 + a01 * u1 + a02 * u2) + u1 * (a11 * u1 + a12 * u2) + a22 * u2 * u2
            out[i] = d
            flag |= d >= threshold ? 1 : 0
        }
        return flag != 0
    }
}

extension RXKernels {
    /// `accumulate`, or with `avx2` (only where `KernelMode.avx2` allows it) the same 32-bit lane sums built for
    /// x86-64-v3: the same integers.
    @inline(__always)
    public static func accumulate(_ p: UnsafePointer<UInt8>, count: Int, into m: inout ColourMoments, avx2: Bool) {
        guard avx2 else { return accumulate(p, count: count, into: &m) }
        precondition(count <= 66_051)
        let s = RXKernelsAVX2.sums(UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self), count: count)
        m.count += Int64(count)
        m.s0 += Int64(s.0); m.s1 += Int64(s.1); m.s2 += Int64(s.2)
        m.s00 += Int64(s.3); m.s01 += Int64(s.4); m.s02 += Int64(s.5)
        m.s11 += Int64(s.6); m.s12 += Int64(s.7); m.s22 += Int64(s.8)
    }

    /// `score`, or with `avx2` (only where `KernelMode.avx2` allows it) the same loop built for x86-64-v3, which gives
    /// the same bits eight pixels at a time.
    @inline(__always)
    public static func score(
        _ p: UnsafePointer<UInt8>, count: Int, model: RXModel, threshold: Float, into out: UnsafeMutablePointer<Float>,
        avx2: Bool
    ) -> Bool {
        guard avx2 else { return score(p, count: count, model: model, threshold: threshold, into: out) }
        return RXKernelsAVX2.score(
            UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self), count: count, mean: model.mean,
            inverse: (model.a00, model.a11, model.a22, model.a01, model.a02, model.a12), threshold: threshold, into: out)
    }
}

/// Finding the few values above a threshold in a long row.
public enum ThresholdKernels {
    /// The first `i` in `start..<count` with `values[i] >= threshold`, or `count`. Reference: test every element.
    public static func firstAtLeastReference(_ values: UnsafePointer<Float>, from start: Int, count: Int, threshold: Float) -> Int {
        var i = start
        while i < count && !(values[i] >= threshold) { i += 1 }
        return i
    }

    /// Same as the reference, but tests eight values at a time with one vector compare and looks closer only at
    /// the first eight with a hit, so a stretch without hits costs about two vector instructions per eight values.
    /// With `avx2` (only where `KernelMode.avx2` allows it), 32 values a step in YMM registers.
    ///
    /// - Complexity: O(count − start), no allocation.
    @inline(__always)
    public static func firstAtLeast(
        _ values: UnsafePointer<Float>, from start: Int, count: Int, threshold: Float, avx2: Bool = false
    ) -> Int {
        if avx2 { return ThresholdKernelsAVX2.firstAtLeast(values, from: start, count: count, threshold: threshold) }
        let raw = UnsafeRawPointer(values)
        let t = SIMD8<Float>(repeating: threshold)
        var i = start
        while i &+ 8 <= count {
            if any(raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self) .>= t) { break }
            i &+= 8
        }
        while i < count {
            if values[i] >= threshold { return i }
            i &+= 1
        }
        return count
    }
}
