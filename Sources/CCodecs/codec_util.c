#include "codec_util.h"

#include <stdio.h>

int spc_check_caps(uint32_t width, uint32_t height, const spc_options *opt, char message[SPC_MESSAGE_MAX]) {
    if (width == 0 || height == 0) {
        snprintf(message, SPC_MESSAGE_MAX, "image declares an empty size %ux%u", width, height);
        return 1;
    }
    if (opt->max_side && (width > opt->max_side || height > opt->max_side)) {
        snprintf(message, SPC_MESSAGE_MAX, "image declares %ux%u pixels, over the cap of %u pixels per side",
                 width, height, opt->max_side);
        return 1;
    }
    const uint64_t pixels = (uint64_t)width * (uint64_t)height;
    if (opt->max_pixels && pixels > opt->max_pixels) {
        snprintf(message, SPC_MESSAGE_MAX,
                 "image declares %ux%u = %llu pixels (%.1f MP), over the cap of %llu pixels (%.1f MP)", width, height,
                 (unsigned long long)pixels, (double)pixels / 1e6, (unsigned long long)opt->max_pixels,
                 (double)opt->max_pixels / 1e6);
        return 1;
    }
    return 0;
}

// Full-range BT.601 (JFIF) in 16-bit fixed point.
enum { FIX = 16, HALF = 1 << (FIX - 1) };
#define K(x) ((int32_t)((x) * (1 << FIX) + 0.5))

static inline uint8_t clamp8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

static inline void rgb_to_ycc(int32_t r, int32_t g, int32_t b, uint8_t *out) {
    const int32_t y = (K(0.299) * r + K(0.587) * g + K(0.114) * b + HALF) >> FIX;
    const int32_t cb = ((-K(0.168735892) * r - K(0.331264108) * g + K(0.5) * b + HALF) >> FIX) + 128;
    const int32_t cr = ((K(0.5) * r - K(0.418687589) * g - K(0.081312411) * b + HALF) >> FIX) + 128;
    out[0] = clamp8(y);
    out[1] = clamp8(cb);
    out[2] = clamp8(cr);
}

static inline uint8_t luma(int32_t r, int32_t g, int32_t b) {
    return clamp8((K(0.299) * r + K(0.587) * g + K(0.114) * b + HALF) >> FIX);
}

void spc_rgb_to_ycc_row(const uint8_t *src, uint8_t *dst, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const int32_t r = src[3 * i], g = src[3 * i + 1], b = src[3 * i + 2];
        rgb_to_ycc(r, g, b, dst + 3 * i);
    }
}

void spc_rgb_to_gray_row(const uint8_t *src, uint8_t *dst, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) dst[i] = luma(src[3 * i], src[3 * i + 1], src[3 * i + 2]);
}

void spc_cmyk_row(const uint8_t *src, uint8_t *dst, uint32_t n, int inverted, spc_color color) {
    for (uint32_t i = 0; i < n; i++) {
        int32_t c = src[4 * i], m = src[4 * i + 1], y = src[4 * i + 2], k = src[4 * i + 3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        // Stored (inverted) values: colour = C·K / 255.
        const int32_t r = (c * k + 127) / 255, g = (m * k + 127) / 255, b = (y * k + 127) / 255;
        if (color == SPC_COLOR_GRAY) {
            dst[i] = luma(r, g, b);
        } else if (color == SPC_COLOR_YCC) {
            rgb_to_ycc(r, g, b, dst + 3 * i);
        } else if (color == SPC_COLOR_RGBX) {
            dst[4 * i] = (uint8_t)r;
            dst[4 * i + 1] = (uint8_t)g;
            dst[4 * i + 2] = (uint8_t)b;
            dst[4 * i + 3] = 255;
        } else {
            dst[3 * i] = (uint8_t)r;
            dst[3 * i + 1] = (uint8_t)g;
            dst[3 * i + 2] = (uint8_t)b;
        }
    }
}
