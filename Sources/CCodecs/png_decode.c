// PNG decoding through libpng's row API, every call inside setjmp.
#include "ccodecs.h"
#include "codec_util.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct spc_png {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size, pos;
    size_t next_chunk;  // offset of the next chunk header (libpng reads the file strictly in order)
    int active;
    int truncated;
    uint32_t width, height, next_row;
    size_t row_bytes;
    int interlaced;
    int to_ycc;        // convert RGB rows to YCC after libpng
    uint8_t *whole;    // interlaced images only: the whole decoded image
    png_bytep *rows;   // interlaced images only: row pointers into `whole` while png_read_image runs
    uint32_t warnings;
    char message[SPC_MESSAGE_MAX];
    char first_warning[SPC_MESSAGE_MAX];
};

static void on_png_error(png_structp png, png_const_charp text) {
    spc_png *h = png_get_error_ptr(png);
    if (!h->message[0]) snprintf(h->message, sizeof h->message, "%s", text ? text : "PNG error");
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp text) {
    spc_png *h = png_get_error_ptr(png);
    if (h->warnings++ == 0) snprintf(h->first_warning, sizeof h->first_warning, "%s", text ? text : "");
}

static int is_chunk_name(const uint8_t *c) {
    for (int i = 0; i < 4; i++)
        if (!((c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= 'a' && c[i] <= 'z'))) return 0;
    return 1;
}

static void on_png_read(png_structp png, png_bytep out, size_t count) {
    spc_png *h = png_get_io_ptr(png);
    int truncated = count > h->size - h->pos;
    if (!truncated && h->pos == h->next_chunk && count == 8) {
        // A chunk header. libpng allocates an ancillary chunk's declared length before reading its data (its
        // length cap is only a benign error, i.e. a warning), so a 100-byte file declaring a 2 GB zTXt costs a
        // 2 GB malloc. An ancillary chunk that runs past the end of the file fails as truncated here, before that
        // allocation; libpng would fail it the same way when reading its data. Critical chunks (IHDR, PLTE, IDAT,
        // IEND) are left to libpng: none of them allocates its declared length.
        const uint8_t *c = h->data + h->pos;
        const uint32_t length = png_get_uint_32(c);
        h->next_chunk = h->pos + 12 + (size_t)length;
        truncated = length <= PNG_UINT_31_MAX && is_chunk_name(c + 4) && (c[4] & 0x20) != 0 &&
                    (size_t)length + 4 > h->size - h->pos - 8;
    }
    if (truncated) {
        h->truncated = 1;
        snprintf(h->message, sizeof h->message, "PNG data ends early (truncated file)");
        png_error(png, "PNG data ends early (truncated file)");
    }
    memcpy(out, h->data + h->pos, count);
    h->pos += count;
}

spc_png *spc_png_new(void) { return calloc(1, sizeof(spc_png)); }

static void release(spc_png *h) {
    if (h->png) png_destroy_read_struct(&h->png, &h->info, NULL);
    h->png = NULL;
    h->info = NULL;
    free(h->whole);
    h->whole = NULL;
    free(h->rows);  // still set when png_read_image failed (longjmp) on a corrupt interlaced image
    h->rows = NULL;
    h->active = 0;
}

void spc_png_free(spc_png *h) {
    if (!h) return;
    release(h);
    free(h);
}

static spc_status failure(spc_png *h) {
    spc_status s = h->truncated ? SPC_ERR_TRUNCATED : SPC_ERR_CORRUPT;
    if (strstr(h->message, "exceeds user limit") || strstr(h->message, "too large")) s = SPC_ERR_TOO_LARGE;
    if (strstr(h->message, "ut of memory") || strstr(h->message, "Insufficient memory")) s = SPC_ERR_NO_MEMORY;
    release(h);
    return s;
}

spc_status spc_png_begin(spc_png *h, const uint8_t *data, size_t size, const spc_options *opt, spc_info *info) {
    if (!h || !opt || !info || (!data && size)) return SPC_ERR_USAGE;
    release(h);
    memset(info, 0, sizeof *info);
    h->message[0] = 0;
    h->first_warning[0] = 0;
    h->warnings = 0;
    h->truncated = 0;
    h->data = data;
    h->size = size;
    h->pos = 0;
    h->next_chunk = 8;
    h->next_row = 0;
    if (size == 0) {
        snprintf(h->message, sizeof h->message, "empty file");
        return SPC_ERR_TRUNCATED;
    }
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(h->message, sizeof h->message, size < 8 ? "PNG data ends early (truncated signature)"
                                                         : "not a PNG file (bad signature)");
        return size < 8 ? SPC_ERR_TRUNCATED : SPC_ERR_CORRUPT;
    }
    h->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, h, on_png_error, on_png_warning);
    if (!h->png) {
        snprintf(h->message, sizeof h->message, "out of memory creating the PNG reader");
        return SPC_ERR_NO_MEMORY;
    }
    h->info = png_create_info_struct(h->png);
    if (!h->info) {
        snprintf(h->message, sizeof h->message, "out of memory creating the PNG reader");
        release(h);
        return SPC_ERR_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(h->png))) return failure(h);
    h->active = 1;
    png_set_read_fn(h->png, h, on_png_read);
    // Our own caps are checked below with a clearer message; libpng's bound only has to stay above them.
    png_set_user_limits(h->png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(h->png, 64u << 20);
    // Text, ICC and palette-suggestion chunks are never used here: skip them unread (libpng would otherwise
    // allocate whatever length such a chunk declares before reading it).
    static const png_byte skipped[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0eXIf";
    png_set_keep_unknown_chunks(h->png, PNG_HANDLE_CHUNK_NEVER, skipped, 6);
    png_read_info(h->png, h->info);

    png_uint_32 w = 0, hh = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(h->png, h->info, &w, &hh, &depth, &color, &interlace, NULL, NULL);
    info->source_width = w;
    info->source_height = hh;
    info->source_bits = (uint32_t)depth;
    info->source_channels = png_get_channels(h->png, h->info);
    info->progressive = interlace != PNG_INTERLACE_NONE;
    if (spc_check_caps(w, hh, opt, h->message)) {
        release(h);
        return SPC_ERR_TOO_LARGE;
    }

    const int is_gray = (color & PNG_COLOR_MASK_COLOR) == 0;
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(h->png);
    if (is_gray && depth < 8) png_set_expand_gray_1_2_4_to_8(h->png);
    // png_set_palette_to_rgb also turns a palette's tRNS into an alpha channel: strip that too.
    if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid(h->png, h->info, PNG_INFO_tRNS)) png_set_strip_alpha(h->png);
    int out_channels = is_gray ? 1 : 3;
    int out_bits = 8;
    if (!is_gray && opt->color == SPC_COLOR_GRAY) {
        // BT.601 luma, as JPEG's Y (libpng's default would be sRGB/BT.709 weights).
        png_set_rgb_to_gray_fixed(h->png, 1, 29900, 58700);
        out_channels = 1;
    } else if (!is_gray && opt->color == SPC_COLOR_RGBX) {
        png_set_filler(h->png, 0xFF, PNG_FILLER_AFTER);
        out_channels = 4;
    }
    if (depth == 16) {
        if (is_gray && opt->keep_16bit) {
            out_bits = 16;
            png_set_swap(h->png);  // little-endian samples, as the host wants them
        } else {
            png_set_scale_16(h->png);
        }
    }
    h->interlaced = interlace != PNG_INTERLACE_NONE;
    if (h->interlaced) (void)png_set_interlace_handling(h->png);
    png_read_update_info(h->png, h->info);
    h->width = w;
    h->height = hh;
    h->row_bytes = png_get_rowbytes(h->png, h->info);
    const size_t expect = (size_t)w * (size_t)out_channels * (size_t)(out_bits / 8);
    if (h->row_bytes != expect) {
        snprintf(h->message, sizeof h->message, "unexpected PNG row layout (%zu bytes per row, expected %zu)",
                 h->row_bytes, expect);
        release(h);
        return SPC_ERR_UNSUPPORTED;
    }
    h->to_ycc = out_channels == 3 && opt->color == SPC_COLOR_YCC;
    if (h->interlaced) {
        // Adam7 cannot be streamed row by row; the caps above bound this buffer.
        h->whole = malloc(h->row_bytes * (size_t)hh);
        if (!h->whole) {
            snprintf(h->message, sizeof h->message, "out of memory for an interlaced %ux%u PNG", w, hh);
            release(h);
            return SPC_ERR_NO_MEMORY;
        }
        png_bytep *rows = h->rows = malloc(sizeof(png_bytep) * hh);
        if (!rows) {
            snprintf(h->message, sizeof h->message, "out of memory for an interlaced %ux%u PNG", w, hh);
            release(h);
            return SPC_ERR_NO_MEMORY;
        }
        for (uint32_t y = 0; y < hh; y++) rows[y] = h->whole + (size_t)y * h->row_bytes;
        png_read_image(h->png, rows);
        free(rows);
        h->rows = NULL;
    }
    info->width = w;
    info->height = hh;
    info->channels = (uint32_t)out_channels;
    info->bits = (uint32_t)out_bits;
    info->converted = h->to_ycc || (!is_gray && out_channels == 1);
    return SPC_OK;
}

__attribute__((noinline)) static uint32_t read_rows(spc_png *h, uint8_t *const *rows, uint32_t count) {
    uint32_t done = 0;
    while (done < count && h->next_row < h->height) {
        uint8_t *dst = rows[done];
        if (h->interlaced) {
            memcpy(dst, h->whole + (size_t)h->next_row * h->row_bytes, h->row_bytes);
        } else {
            png_read_row(h->png, dst, NULL);
        }
        if (h->to_ycc) spc_rgb_to_ycc_row(dst, dst, h->width);
        h->next_row++;
        done++;
    }
    return done;
}

spc_status spc_png_read(spc_png *h, uint8_t *const *rows, uint32_t count, uint32_t *got) {
    if (!h || !rows || !got) return SPC_ERR_USAGE;
    *got = 0;
    if (!h->active) return SPC_ERR_USAGE;
    if (setjmp(png_jmpbuf(h->png))) return failure(h);
    *got = read_rows(h, rows, count);
    return SPC_OK;
}

void spc_png_end(spc_png *h) {
    if (!h || !h->active) return;
    if (h->next_row >= h->height) {
        if (setjmp(png_jmpbuf(h->png)) == 0) {
            // Reads the chunks after the image data; a problem there leaves the (complete) rows valid.
            png_read_end(h->png, NULL);
        }
    }
    release(h);
}

const char *spc_png_message(const spc_png *h) { return h ? h->message : ""; }
uint32_t spc_png_warning_count(const spc_png *h) { return h ? h->warnings : 0; }
const char *spc_png_first_warning(const spc_png *h) { return h ? h->first_warning : ""; }
