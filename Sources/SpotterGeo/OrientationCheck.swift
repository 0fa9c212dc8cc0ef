import Foundation
import SpotterImaging

extension FrameGeometry {
    /// The pixel (continuous coordinates) that sees the surface point `north`, `east` metres from the point under the
    /// camera, or nil when it is behind the camera. Lens distortion is ignored (used on coarse images only).
    public func pixel(north: Double, east: Double) -> (u: Double, v: Double)? {
        let p = nominal
        // NED → body: the transpose of Rz(yaw) Ry(pitch) Rx(roll).
        let r = p.roll * .pi / 180, t = p.pitch * .pi / 180, y = p.yaw * .pi / 180
        let (n, e, d) = (north, east, p.height)
        let x1 = cos(y) * n + sin(y) * e, y1 = -sin(y) * n + cos(y) * e, z1 = d
        let x2 = cos(t) * x1 - sin(t) * z1, y2 = y1, z2 = sin(t) * x1 + cos(t) * z1
        let bx = x2, by = cos(r) * y2 + sin(r) * z2, bz = -sin(r) * y2 + cos(r) * z2
        // Body (forward, right, down) → camera (right, down, forward).
        guard bx > 1e-9 else { return nil }
        var u = intrinsics.fx * by / bx + intrinsics.cx, v = intrinsics.fy * bz / bx + intrinsics.cy
        if pose.rotated180 { (u, v) = (Double(intrinsics.width) - u, Double(intrinsics.height) - v) }
        return (u, v)
    }
}

/// Do a frame's pixels agree with its pose tags? A frame re-saved by a desktop program (EXIF Software) may have been
/// rotated 180° while its yaw stayed as flown. Its picture is put on the ground twice, as tagged and rotated, and
/// compared with an overlapping frame that was not re-saved: the hypothesis whose ground picture correlates with the
/// neighbour's is the frame's real orientation.
///
/// Coarse on purpose: frames are decoded at 1/8 scale (DCT scaling), averaged down 4 × 4 more, and compared on a 1 m
/// ground grid, with shifts of up to ±5 m allowed so that the few metres of yaw, height and GNSS error do not hide a
/// real match.
public enum OrientationCheck {
    public enum Verdict: Sendable, Equatable {
        /// The pixels look rotated 180° relative to how the frame is used now (its tags, or --rotated-180):
        /// ground correlation with the neighbour turned round and as used.
        case rotated180(rotated: Double, asTagged: Double, neighbour: String)
        /// The pixels agree with how the frame is used now.
        case asTagged(rotated: Double, asTagged: Double, neighbour: String)
        case inconclusive(String)
    }

    /// Verdicts for the frames of `batch` that were re-saved after capture (others are not checked), keyed by frame
    /// index.
    public static func check(_ batch: GeoBatch) -> [Int: Verdict] {
        let suspects = batch.frames.indices.filter { i in
            batch.frames[i].geometry != nil && batch.frames[i].warnings.contains { $0.hasPrefix("re-saved by") }
        }
        guard !suspects.isEmpty else { return [:] }
        let suspectSet = Set(suspects)
        var cache: [Int: Image] = [:]
        func picture(_ i: Int) -> Image? {
            if let p = cache[i] { return p }
            let decoder = FrameDecoder()
            guard (try? decoder.load(path: batch.frames[i].resolvedPath)) != nil,
                let full = try? decoder.decodeImage(DecodeOptions(colour: .gray, scale: 8))
            else { return nil }
            let image = boxDown(full, 4)
            cache[i] = image
            return image
        }
        var out: [Int: Verdict] = [:]
        for s in suspects {
            guard let gs = batch.frames[s].geometry, let cs = batch.frames[s].camera else { continue }
            // The nearest frame that was not re-saved and whose footprint overlaps (cameras closer than half the
            // footprint's longer side).
            let reach = footprintSize(gs) * 0.6
            let candidates = batch.frames.indices.filter { i in
                !suspectSet.contains(i) && batch.frames[i].geometry != nil && batch.frames[i].camera != nil
            }.map { i -> (Int, Double) in
                let c = batch.frames[i].camera!
                let d = FrameGeometry.distance(from: cs, to: c)
                return (i, (d.north * d.north + d.east * d.east).squareRoot())
            }.filter { $0.1 < reach }.sorted { $0.1 < $1.1 }
            guard let (n, _) = candidates.first, let gn = batch.frames[n].geometry, let cn = batch.frames[n].camera,
                let ps = picture(s), let pn = picture(n)
            else {
                out[s] = .inconclusive("no overlapping frame that was not re-saved")
                continue
            }
            var rotated = gs
            rotated.pose.rotated180.toggle()
            let name = String(batch.frames[n].file.split(separator: "/").last ?? "")
            guard let a = correlation(gs, cs, ps, gn, cn, pn), let b = correlation(rotated, cs, ps, gn, cn, pn) else {
                out[s] = .inconclusive("too little overlap with \(name)")
                continue
            }
            // a: as the frame is now treated; b: turned by 180° from that.
            if b > 0.3 && b > a + 0.2 {
                out[s] = .rotated180(rotated: b, asTagged: a, neighbour: name)
            } else if a > 0.3 && a > b + 0.2 {
                out[s] = .asTagged(rotated: b, asTagged: a, neighbour: name)
            } else {
                out[s] = .inconclusive(String(format: "ground match with %@: %.2f as used, %.2f turned 180°", name, a, b))
            }
        }
        return out
    }

    static func footprintSize(_ g: FrameGeometry) -> Double {
        guard let fp = g.footprint(samplesPerEdge: 1) else { return 0 }
        var longest = 0.0
        for i in 0..<fp.count {
            let d = FrameGeometry.distance(from: fp[i], to: fp[(i + 1) % fp.count])
            longest = max(longest, (d.north * d.north + d.east * d.east).squareRoot())
        }
        return longest
    }

    /// `image` (8-bit gray) averaged over `k` × `k` blocks (the partial blocks at the edges dropped).
    static func boxDown(_ image: Image, _ k: Int) -> Image {
        let w = image.width / k, h = image.height / k
        var out = Image(width: max(w, 1), height: max(h, 1), channels: 1)
        guard w > 0, h > 0 else { return out }
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0
                for dy in 0..<k { for dx in 0..<k { sum += Int(image.pixels[(y * k + dy) * image.width + x * k + dx]) } }
                out.pixels[y * w + x] = UInt8(sum / (k * k))
            }
        }
        return out
    }

    /// Best normalised cross-correlation of the two frames' pictures on a common 1 m ground grid over frame a's
    /// footprint, over shifts of up to ±5 cells; nil when they share fewer than 300 cells.
    static func correlation(
        _ ga: FrameGeometry, _ ca: (Double, Double), _ pa: Image, _ gb: FrameGeometry, _ cb: (Double, Double), _ pb: Image
    ) -> Double? {
        let cell = 1.0, shift = 5
        guard let fp = ga.footprint(samplesPerEdge: 1) else { return nil }
        let half = footprintSize(ga) / 2
        let size = Int((2 * half / cell).rounded(.up))
        guard size > 2 * shift + 10 else { return nil }
        // The grid's centre: the footprint's centroid, relative to camera a.
        let centre = fp.map { FrameGeometry.distance(from: ca, to: $0) }
        let cn = centre.map(\.north).reduce(0, +) / Double(centre.count), ce = centre.map(\.east).reduce(0, +) / Double(centre.count)
        let offset = FrameGeometry.distance(from: ca, to: cb)  // b's camera relative to a's
        func sample(_ g: FrameGeometry, _ image: Image, north: Double, east: Double) -> Float? {
            guard let p = g.pixel(north: north, east: east) else { return nil }
            let x = p.u / Double(g.intrinsics.width) * Double(image.width) - 0.5
            let y = p.v / Double(g.intrinsics.height) * Double(image.height) - 0.5
            guard x >= 0, y >= 0, x < Double(image.width - 1), y < Double(image.height - 1) else { return nil }
            let x0 = Int(x), y0 = Int(y), fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
            func at(_ xx: Int, _ yy: Int) -> Float { Float(image.pixels[yy * image.width + xx]) }
            return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
        }
        // Both pictures on the grid (row = south, column = east).
        var a = [Float](repeating: .nan, count: size * size), b = a
        for r in 0..<size {
            for c in 0..<size {
                let north = cn + half - (Double(r) + 0.5) * cell, east = ce - half + (Double(c) + 0.5) * cell
                if let v = sample(ga, pa, north: north, east: east) { a[r * size + c] = v }
                if let v = sample(gb, pb, north: north - offset.north, east: east - offset.east) { b[r * size + c] = v }
            }
        }
        var best: Double?
        for dr in -shift...shift {
            for dc in -shift...shift {
                var n = 0
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
                for r in max(0, -dr)..<min(size, size - dr) {
                    for c in max(0, -dc)..<min(size, size - dc) {
                        let va = a[r * size + c], vb = b[(r + dr) * size + c + dc]
                        if va.isNaN || vb.isNaN { continue }
                        let x = Double(va), y = Double(vb)
                        n += 1
                        sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
                    }
                }
                guard n >= 300 else { continue }
                let cov = sab - sa * sb / Double(n)
                let va = saa - sa * sa / Double(n), vb = sbb - sb * sb / Double(n)
                guard va > 0, vb > 0 else { continue }
                let ncc = cov / (va * vb).squareRoot()
                if best == nil || ncc > best! { best = ncc }
            }
        }
        return best
    }
}

extension GeoBatch {
    /// Runs `OrientationCheck` on the frames re-saved after capture and adds its finding to their warnings.
    public mutating func checkOrientation() {
        for (i, verdict) in OrientationCheck.check(self) {
            let name = String(frames[i].file.split(separator: "/").last ?? "")
            let flag = frames[i].geometry?.pose.rotated180 == true ? "remove --rotated-180 \(name)" : "pass --rotated-180 \(name)"
            switch verdict {
            case .rotated180(let r, let a, let n):
                for k in detections.indices where detections[k].file == frames[i].file {
                    detections[k].frameWarning = "frame looks rotated 180° against its pose: this position is mirrored through the point under the drone (\(flag))"
                }
                frames[i].warnings.append(
                    String(format: "its pixels look rotated 180°: on the ground it matches %@ turned round (correlation %.2f) and not as used (%.2f); positions from this frame are mirrored through the point under the drone until you %@", n, r, a, flag))
            case .asTagged(let r, let a, let n):
                frames[i].warnings.append(
                    String(format: "checked against %@: its pixels agree with its pose%@ (ground correlation %.2f, turned round %.2f)", n,
                           frames[i].geometry?.pose.rotated180 == true ? " as rotated by --rotated-180" : "", a, r))
            case .inconclusive(let why):
                frames[i].warnings.append("orientation could not be checked (\(why)): compare it with an overlapping frame by eye")
            }
        }
    }
}
