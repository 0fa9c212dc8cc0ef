import SpotterImaging

/// Small synthetic frames with known content: smooth gradients (JPEG-friendly), seeded noise (worst case for JPEG,
/// every sample different), and "scenes" mixing both with hard-edged blocks so block boundaries matter.
public enum SyntheticImage {
    /// Gray ramp: left to right plus a gentler top-to-bottom ramp.
    public static func grayGradient(width: Int, height: Int) -> Image {
        var px = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                px[y * width + x] = UInt8((x * 191 / max(1, width - 1) + y * 64 / max(1, height - 1)) & 0xFF)
            }
        }
        return Image(width: width, height: height, channels: 1, pixels: px)
    }

    /// RGB ramps: red grows to the right, green downwards, blue along the diagonal.
    public static func rgbGradient(width: Int, height: Int) -> Image {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                px[i] = UInt8(x * 255 / max(1, width - 1))
                px[i + 1] = UInt8(y * 255 / max(1, height - 1))
                px[i + 2] = UInt8((x + y) * 255 / max(1, width + height - 2))
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: px)
    }

    /// Uniform seeded noise, `channels` 1 or 3, 8-bit.
    public static func noise(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var rng = SplitMix64(seed: seed)
        return Image(width: width, height: height, channels: channels, pixels: rng.bytes(width * height * channels))
    }

    /// 16-bit gray seeded noise over the full 0...65535 range (little-endian samples, as `Image` stores them).
    public static func gray16Noise(width: Int, height: Int, seed: UInt64) -> Image {
        var rng = SplitMix64(seed: seed)
        return Image(width: width, height: height, channels: 1, bytesPerSample: 2, pixels: rng.bytes(width * height * 2))
    }

    /// A gradient with mild seeded noise (±`amplitude`) and a few flat blocks with hard edges: compresses like a
    /// photo, and has structure at every 8×8 / 16×16 block boundary.
    public static func scene(width: Int, height: Int, channels: Int, seed: UInt64, amplitude: Int = 10) -> Image {
        var base = channels == 1 ? grayGradient(width: width, height: height) : rgbGradient(width: width, height: height)
        var rng = SplitMix64(seed: seed)
        for i in base.pixels.indices {
            let n = rng.below(2 * amplitude + 1) - amplitude
            base.pixels[i] = UInt8(clamping: Int(base.pixels[i]) + n)
        }
        // Blocks at seeded places: bright, dark, and (colour) saturated red.
        for b in 0..<6 {
            let bw = 3 + rng.below(max(1, width / 4)), bh = 3 + rng.below(max(1, height / 4))
            let bx = rng.below(max(1, width - bw)), by = rng.below(max(1, height - bh))
            let colour: [UInt8] = b % 3 == 0 ? [250, 250, 250] : b % 3 == 1 ? [8, 8, 8] : [235, 30, 40]
            for y in by..<min(height, by + bh) {
                for x in bx..<min(width, bx + bw) {
                    for c in 0..<channels { base.pixels[(y * width + x) * channels + c] = colour[c] }
                }
            }
        }
        return base
    }
}
