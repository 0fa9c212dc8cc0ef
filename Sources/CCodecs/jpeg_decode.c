// JPEG decoding through the classic libjpeg API of libjpeg-turbo, every call inside setjmp.
#include "ccodecs.h"
#include "codec_util.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/// Progressive files with more scans than this are refused (a known decompression-time bomb).
enum { SPC_JPEG_MAX_SCANS = 500 };
/// Memory libjpeg may use for one image (progressive coefficient buffers live here).
static const long SPC_JPEG_MAX_MEMORY = 1L << 30;

typedef enum { POST_NONE = 0, POST_CMYK, POST_RGB_TO_YCC } post_kind;

struct spc_error_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    spc_jpeg *owner;
};

struct spc_jpeg {
    struct jpeg_decompress_struct d;
    struct spc_error_mgr err;
    struct jpeg_progress_mgr progress;
    int active;          // between begin and end
    int error_code;      // libjpeg msg_code of the fatal error
    int eof;             // the data ran out
    int damaged;         // a warning that means the pixels are wrong
    uint32_t eof_row;
    uint32_t warnings;
    char message[SPC_MESSAGE_MAX];
    char first_warning[SPC_MESSAGE_MAX];
    char damage_warning[SPC_MESSAGE_MAX];
    post_kind post;
    spc_color color;
    uint8_t *scratch;    // one source row, used when the bridge converts colour
    size_t scratch_size;
};

static void on_error_exit(j_common_ptr c) {
    struct spc_error_mgr *e = (struct spc_error_mgr *)c->err;
    spc_jpeg *h = e->owner;
    char text[JMSG_LENGTH_MAX];
    (*c->err->format_message)(c, text);
    snprintf(h->message, sizeof h->message, "%s", text);
    h->error_code = c->err->msg_code;
    longjmp(e->jump, 1);
}

static void on_output_message(j_common_ptr c) { (void)c; }

static int is_damage_warning(int code) {
    return code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_ARITH_BAD_CODE ||
           code == JWRN_MUST_RESYNC || code == JWRN_NOT_SEQUENTIAL;
}

static void on_emit_message(j_common_ptr c, int level) {
    if (level >= 0) return;  // trace messages
    struct spc_error_mgr *e = (struct spc_error_mgr *)c->err;
    spc_jpeg *h = e->owner;
    char text[JMSG_LENGTH_MAX];
    int code = c->err->msg_code;
    c->err->num_warnings++;
    h->warnings++;
    (*c->err->format_message)(c, text);
    if (h->warnings == 1) snprintf(h->first_warning, sizeof h->first_warning, "%s", text);
    if (code == JWRN_JPEG_EOF) {
        if (!h->eof) h->eof_row = c->is_decompressor ? ((j_decompress_ptr)c)->output_scanline : 0;
        h->eof = 1;
    } else if (is_damage_warning(code) && !h->damaged) {
        h->damaged = 1;
        snprintf(h->damage_warning, sizeof h->damage_warning, "%s", text);
    }
}

static void on_progress(j_common_ptr c) {
    j_decompress_ptr d = (j_decompress_ptr)c;
    if (c->is_decompressor && d->progressive_mode && d->input_scan_number > SPC_JPEG_MAX_SCANS) {
        struct spc_error_mgr *e = (struct spc_error_mgr *)c->err;
        snprintf(e->owner->message, sizeof e->owner->message,
                 "progressive JPEG with more than %d scans refused (decoding it would take very long)",
                 SPC_JPEG_MAX_SCANS);
        e->owner->error_code = -1;
        longjmp(e->jump, 2);
    }
}

static int create(spc_jpeg *h) {
    if (setjmp(h->err.jump)) return 0;
    jpeg_create_decompress(&h->d);
    return 1;
}

spc_jpeg *spc_jpeg_new(void) {
    spc_jpeg *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->d.err = jpeg_std_error(&h->err.pub);
    h->err.pub.error_exit = on_error_exit;
    h->err.pub.output_message = on_output_message;
    h->err.pub.emit_message = on_emit_message;
    h->err.owner = h;
    if (!create(h)) {
        free(h);
        return NULL;
    }
    h->d.mem->max_memory_to_use = SPC_JPEG_MAX_MEMORY;
    h->progress.progress_monitor = on_progress;
    h->d.progress = &h->progress;
    return h;
}

void spc_jpeg_free(spc_jpeg *h) {
    if (!h) return;
    if (!setjmp(h->err.jump)) jpeg_destroy_decompress(&h->d);
    free(h->scratch);
    free(h);
}

/// Maps a fatal libjpeg error to a status.
static spc_status fatal_status(spc_jpeg *h) {
    if (h->eof && h->error_code != JERR_OUT_OF_MEMORY) {
        // The data ran out first: the memory source then feeds libjpeg a fake EOI, and the error it raises while
        // parsing that ("Bogus Huffman table definition", "Invalid component ID 255 in SOS", …) is a consequence.
        snprintf(h->message, sizeof h->message, "JPEG data ends early (truncated file)");
        return SPC_ERR_TRUNCATED;
    }
    switch (h->error_code) {
    case -1:  // refused by the bridge itself (too many progressive scans)
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_ARITH_NOTIMPL:
    case JERR_BAD_IN_COLORSPACE:
    case JERR_NOTIMPL:
    case JERR_SOF_UNSUPPORTED:  // lossless, hierarchical: valid JPEG processes libjpeg does not implement
        return SPC_ERR_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return SPC_ERR_NO_MEMORY;
    case JERR_NO_BACKING_STORE:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
        return SPC_ERR_TOO_LARGE;
    case JERR_INPUT_EOF:
    case JERR_INPUT_EMPTY:
        return SPC_ERR_TRUNCATED;
    default:
        return SPC_ERR_CORRUPT;
    }
}

static void reset_diagnostics(spc_jpeg *h) {
    h->error_code = 0;
    h->eof = 0;
    h->damaged = 0;
    h->eof_row = 0;
    h->warnings = 0;
    h->message[0] = 0;
    h->first_warning[0] = 0;
    h->damage_warning[0] = 0;
    h->err.pub.num_warnings = 0;
}

static void abandon(spc_jpeg *h) {
    if (!setjmp(h->err.jump)) jpeg_abort_decompress(&h->d);
    h->active = 0;
}

/// After libjpeg delivered rows: turns "the data ran out" and "the data is corrupt" warnings into failures.
static spc_status check_damage(spc_jpeg *h) {
    if (h->eof) {
        if (h->d.progressive_mode || h->d.output_scanline == 0) {
            snprintf(h->message, sizeof h->message, "JPEG data ends early (truncated file)%s",
                     h->d.progressive_mode ? ": later progressive scans are missing" : "");
        } else {
            snprintf(h->message, sizeof h->message,
                     "JPEG data ends early (truncated file): rows from about %u of %u are missing", h->eof_row,
                     h->d.output_height);
        }
        return SPC_ERR_TRUNCATED;
    }
    if (h->damaged) {
        snprintf(h->message, sizeof h->message, "%s", h->damage_warning);
        return SPC_ERR_CORRUPT;
    }
    return SPC_OK;
}

spc_status spc_jpeg_begin(spc_jpeg *h, const uint8_t *data, size_t size, const spc_options *opt, spc_info *info) {
    if (!h || !opt || !info || (!data && size)) return SPC_ERR_USAGE;
    if (h->active) abandon(h);
    reset_diagnostics(h);
    memset(info, 0, sizeof *info);
    const uint32_t denom = opt->scale_denom ? opt->scale_denom : 1;
    if (denom != 1 && denom != 2 && denom != 4 && denom != 8) {
        snprintf(h->message, sizeof h->message, "scale 1/%u is not one of 1, 1/2, 1/4, 1/8", denom);
        return SPC_ERR_USAGE;
    }
    if (size == 0) {
        snprintf(h->message, sizeof h->message, "empty file");
        return SPC_ERR_TRUNCATED;
    }
    if (setjmp(h->err.jump)) {
        spc_status s = fatal_status(h);
        abandon(h);
        return s;
    }
    h->active = 1;
    jpeg_mem_src(&h->d, data, (unsigned long)size);
    if (jpeg_read_header(&h->d, TRUE) != JPEG_HEADER_OK) {
        snprintf(h->message, sizeof h->message, "JPEG stream holds tables but no image");
        abandon(h);
        return SPC_ERR_CORRUPT;
    }
    const uint32_t w = h->d.image_width, hgt = h->d.image_height;
    info->source_width = w;
    info->source_height = hgt;
    info->source_channels = (uint32_t)h->d.num_components;
    info->source_bits = (uint32_t)h->d.data_precision;
    info->progressive = h->d.progressive_mode ? 1 : 0;
    if (spc_check_caps(w, hgt, opt, h->message)) {
        abandon(h);
        return SPC_ERR_TOO_LARGE;
    }
    if (h->eof) {  // the file ended inside the header
        snprintf(h->message, sizeof h->message, "JPEG data ends early (truncated file) inside the header");
        abandon(h);
        return SPC_ERR_TRUNCATED;
    }

    h->post = POST_NONE;
    h->color = opt->color;
    switch (h->d.jpeg_color_space) {
    case JCS_GRAYSCALE:
        h->d.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        h->d.out_color_space = JCS_CMYK;
        h->post = POST_CMYK;
        break;
    case JCS_RGB:
        if (opt->color == SPC_COLOR_GRAY) {
            h->d.out_color_space = JCS_GRAYSCALE;
        } else if (opt->color == SPC_COLOR_RGBX) {
            h->d.out_color_space = JCS_EXT_RGBX;
        } else {
            h->d.out_color_space = JCS_RGB;
            if (opt->color == SPC_COLOR_YCC) h->post = POST_RGB_TO_YCC;
        }
        break;
    case JCS_YCbCr:
        h->d.out_color_space = opt->color == SPC_COLOR_GRAY   ? JCS_GRAYSCALE
                               : opt->color == SPC_COLOR_YCC  ? JCS_YCbCr
                               : opt->color == SPC_COLOR_RGBX ? JCS_EXT_RGBX
                                                              : JCS_RGB;
        break;
    default:
        snprintf(h->message, sizeof h->message, "JPEG colour space %d with %d components is not supported",
                 (int)h->d.jpeg_color_space, h->d.num_components);
        abandon(h);
        return SPC_ERR_UNSUPPORTED;
    }
    h->d.scale_num = 1;
    h->d.scale_denom = denom;
    h->d.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&h->d);
    spc_status s = check_damage(h);
    if (s != SPC_OK) {
        abandon(h);
        return s;
    }
    info->width = h->d.output_width;
    info->height = h->d.output_height;
    info->channels = (h->post == POST_CMYK) ? (opt->color == SPC_COLOR_GRAY ? 1u : opt->color == SPC_COLOR_RGBX ? 4u : 3u)
                                             : (uint32_t)h->d.output_components;
    info->bits = 8;
    info->converted = h->post != POST_NONE;
    if (h->post != POST_NONE) {
        size_t need = (size_t)h->d.output_width * (size_t)h->d.output_components;
        if (need > h->scratch_size) {
            uint8_t *p = realloc(h->scratch, need);
            if (!p) {
                snprintf(h->message, sizeof h->message, "out of memory for a %zu-byte row", need);
                abandon(h);
                return SPC_ERR_NO_MEMORY;
            }
            h->scratch = p;
            h->scratch_size = need;
        }
    }
    return SPC_OK;
}

spc_status spc_jpeg_crop(spc_jpeg *h, uint32_t *x, uint32_t *width) {
    if (!h || !h->active || !x || !width || h->d.output_scanline != 0) return SPC_ERR_USAGE;
    if (*width == 0 || *x >= h->d.output_width || *width > h->d.output_width - *x) {
        snprintf(h->message, sizeof h->message, "crop columns %u+%u outside a %u-pixel row", *x, *width,
                 h->d.output_width);
        return SPC_ERR_USAGE;
    }
    if (setjmp(h->err.jump)) {
        spc_status s = fatal_status(h);
        abandon(h);
        return s;
    }
    JDIMENSION cx = *x, cw = *width;
    jpeg_crop_scanline(&h->d, &cx, &cw);
    *x = cx;
    *width = cw;
    return SPC_OK;
}

spc_status spc_jpeg_skip(spc_jpeg *h, uint32_t count, uint32_t *skipped) {
    if (!h || !h->active || !skipped) return SPC_ERR_USAGE;
    *skipped = 0;
    if (setjmp(h->err.jump)) {
        spc_status s = fatal_status(h);
        abandon(h);
        return s;
    }
    *skipped = jpeg_skip_scanlines(&h->d, count);
    spc_status s = check_damage(h);
    if (s != SPC_OK) abandon(h);
    return s;
}

static void convert_row(const spc_jpeg *h, const uint8_t *src, uint8_t *dst, uint32_t n) {
    if (h->post == POST_CMYK) {
        spc_cmyk_row(src, dst, n, h->d.saw_Adobe_marker, h->color);
    } else {
        spc_rgb_to_ycc_row(src, dst, n);
    }
}

spc_status spc_jpeg_read(spc_jpeg *h, uint8_t *const *rows, uint32_t count, uint32_t *got) {
    if (!h || !rows || !got) return SPC_ERR_USAGE;
    *got = 0;
    if (!h->active) return SPC_ERR_USAGE;
    if (setjmp(h->err.jump)) {
        spc_status s = fatal_status(h);
        abandon(h);
        return s;
    }
    uint32_t done = 0;
    while (done < count && h->d.output_scanline < h->d.output_height) {
        if (h->post == POST_NONE) {
            JDIMENSION n = jpeg_read_scanlines(&h->d, (JSAMPARRAY)(rows + done), count - done);
            if (n == 0) break;
            done += n;
        } else {
            JSAMPROW tmp = h->scratch;
            if (jpeg_read_scanlines(&h->d, &tmp, 1) != 1) break;
            convert_row(h, h->scratch, rows[done], h->d.output_width);
            done += 1;
        }
        // A truncated file is seen here first; stop before delivering grey padding as pixels.
        spc_status s = check_damage(h);
        if (s != SPC_OK) {
            abandon(h);
            return s;
        }
    }
    *got = done;
    return SPC_OK;
}

void spc_jpeg_end(spc_jpeg *h) {
    if (!h || !h->active) return;
    if (h->d.output_scanline >= h->d.output_height) {
        if (setjmp(h->err.jump) == 0) {
            // Reads up to EOI: trailing garbage or a missing EOI only add warnings; the rows are complete.
            jpeg_finish_decompress(&h->d);
            h->active = 0;
            return;
        }
    }
    abandon(h);
}

const char *spc_jpeg_message(const spc_jpeg *h) { return h ? h->message : ""; }
uint32_t spc_jpeg_warning_count(const spc_jpeg *h) { return h ? h->warnings : 0; }
const char *spc_jpeg_first_warning(const spc_jpeg *h) { return h ? h->first_warning : ""; }
uint32_t spc_jpeg_next_row(const spc_jpeg *h) { return h ? h->d.output_scanline : 0; }
