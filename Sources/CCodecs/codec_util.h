// Helpers shared by the JPEG and PNG halves of the bridge (not part of the public header).
#ifndef SPOTTER_CODEC_UTIL_H
#define SPOTTER_CODEC_UTIL_H

#include "ccodecs.h"

/// Returns non-zero and writes a message when width × height breaks the caps in `opt`.
int spc_check_caps(uint32_t width, uint32_t height, const spc_options *opt, char message[SPC_MESSAGE_MAX]);
/// Converts `n` CMYK pixels (Adobe-inverted when `inverted`) to the requested colour (RGB, RGBX, YCC or gray).
void spc_cmyk_row(const uint8_t *src, uint8_t *dst, uint32_t n, int inverted, spc_color color);
/// Converts `n` interleaved RGB pixels to full-range Y, Cb, Cr (JFIF), from `src` into `dst` (may alias).
void spc_rgb_to_ycc_row(const uint8_t *src, uint8_t *dst, uint32_t n);
/// Converts `n` interleaved RGB pixels to luma.
void spc_rgb_to_gray_row(const uint8_t *src, uint8_t *dst, uint32_t n);

#endif
