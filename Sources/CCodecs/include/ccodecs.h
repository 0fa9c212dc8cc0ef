/// The C bridge: every libjpeg-turbo and libpng call of Spotter lives behind this header.
///
/// Each entry point runs the library inside setjmp, so a corrupt file comes back as a status and a
/// message instead of ending the process. Nothing here prints, and nothing calls exit().
#ifndef SPOTTER_CCODECS_H
#define SPOTTER_CCODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a bridge call. Anything but SPC_OK leaves a message in the handle (or the caller's buffer).
typedef enum {
    SPC_OK = 0,
    SPC_ERR_CORRUPT = 1,      ///< the data is damaged or is not a valid image of its kind
    SPC_ERR_UNSUPPORTED = 2,  ///< valid, but a variant Spotter refuses (12-bit JPEG, …)
    SPC_ERR_TOO_LARGE = 3,    ///< the declared size is over the caller's cap
    SPC_ERR_TRUNCATED = 4,    ///< the data ends before the image does
    SPC_ERR_NO_MEMORY = 5,
    SPC_ERR_USAGE = 6,        ///< a call out of order or with bad arguments (a bug in the caller)
} spc_status;

enum { SPC_MESSAGE_MAX = 256 };

/// Colour of the decoded rows for colour images. Grayscale sources always decode to one channel.
typedef enum {
    SPC_COLOR_RGB = 0,
    SPC_COLOR_YCC = 1,   ///< JPEG's own opponent space (Y, Cb, Cr, full range), no conversion in the decoder
    SPC_COLOR_GRAY = 2,  ///< luma only
    SPC_COLOR_RGBX = 3,  ///< R, G, B and a padding byte (255): 4 bytes per pixel, cheap to unpack in vector code
} spc_color;

typedef struct {
    uint64_t max_pixels;   ///< refuse images with more pixels than this (0: no cap)
    uint32_t max_side;     ///< refuse images wider or taller than this (0: no cap)
    uint32_t scale_denom;  ///< JPEG DCT scaling: 1, 2, 4 or 8 (PNG ignores it)
    spc_color color;
    uint32_t keep_16bit;   ///< PNG: keep 16-bit gray as 16-bit (little-endian) instead of scaling to 8
} spc_options;

typedef struct {
    uint32_t width, height;                ///< size of the decoded rows (after DCT scaling or cropping)
    uint32_t source_width, source_height;  ///< size declared by the file
    uint32_t channels;                     ///< decoded bytes per pixel sample group: 1, 3, or 4 for RGBX
    uint32_t bits;                         ///< decoded bits per sample: 8 or 16
    uint32_t source_channels;              ///< components in the file (JPEG) or samples per pixel (PNG)
    uint32_t source_bits;
    int32_t progressive;                   ///< JPEG progressive / PNG interlaced
    int32_t converted;                     ///< source colour was converted by the bridge (CMYK, RGB-coded JPEG)
} spc_info;

/* ---------------------------------------------------------------- JPEG decoding */

typedef struct spc_jpeg spc_jpeg;

/// A reusable decoder (one per worker). NULL when out of memory.
spc_jpeg *spc_jpeg_new(void);
void spc_jpeg_free(spc_jpeg *h);

/// Reads the header of `data` (which must stay valid until spc_jpeg_end), checks the caps, and starts
/// decompression. Any earlier image is abandoned.
spc_status spc_jpeg_begin(spc_jpeg *h, const uint8_t *data, size_t size, const spc_options *opt, spc_info *info);
/// Restricts decoding to columns [x, x+w). Must come before the first read; the bridge widens the range to
/// iMCU boundaries and reports the range it will deliver in *x and *width.
spc_status spc_jpeg_crop(spc_jpeg *h, uint32_t *x, uint32_t *width);
/// Skips `count` rows without delivering them (still entropy-decodes them).
spc_status spc_jpeg_skip(spc_jpeg *h, uint32_t count, uint32_t *skipped);
/// Decodes up to `count` rows into the given row pointers; *got is how many were delivered (0 at the end).
spc_status spc_jpeg_read(spc_jpeg *h, uint8_t *const *rows, uint32_t count, uint32_t *got);
/// Finishes (or abandons) the current image. Safe to call at any time.
void spc_jpeg_end(spc_jpeg *h);
const char *spc_jpeg_message(const spc_jpeg *h);
uint32_t spc_jpeg_warning_count(const spc_jpeg *h);
const char *spc_jpeg_first_warning(const spc_jpeg *h);
uint32_t spc_jpeg_next_row(const spc_jpeg *h);

/* ---------------------------------------------------------------- PNG decoding */

typedef struct spc_png spc_png;

spc_png *spc_png_new(void);
void spc_png_free(spc_png *h);
spc_status spc_png_begin(spc_png *h, const uint8_t *data, size_t size, const spc_options *opt, spc_info *info);
spc_status spc_png_read(spc_png *h, uint8_t *const *rows, uint32_t count, uint32_t *got);
void spc_png_end(spc_png *h);
const char *spc_png_message(const spc_png *h);
uint32_t spc_png_warning_count(const spc_png *h);
const char *spc_png_first_warning(const spc_png *h);

/* ---------------------------------------------------------------- encoding */

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) rows as a baseline JPEG. *out is malloc'ed: free with spc_free.
spc_status spc_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride, uint32_t channels,
                           int quality, uint8_t **out, size_t *out_size, char message[SPC_MESSAGE_MAX]);
/// Encodes gray or RGB rows (bits 8, or 16 for native-endian UInt16 samples) as PNG. *out: free with spc_free.
spc_status spc_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride, uint32_t channels,
                          uint32_t bits, uint8_t **out, size_t *out_size, char message[SPC_MESSAGE_MAX]);
void spc_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
