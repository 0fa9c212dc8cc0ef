// Writes small JPEG and PNG variants into a directory, as fuzzer seeds, straight through libjpeg and libpng
// (no Python imaging library needed). Each file gets the harness's two knob bytes in front.
// Usage: make_seeds DIR
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

static const char *g_dir;
static int g_count;

static void write_seed(const char *name, uint8_t k0, uint8_t k1, const uint8_t *data, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%s-%02x%02x", g_dir, name, k0, k1);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputc(k0, f);
    fputc(k1, f);
    fwrite(data, 1, size, f);
    fclose(f);
    g_count++;
}

/// Writes the file with a few knob settings, so each variant starts out on several decode paths.
static void write_seeds(const char *name, const uint8_t *data, size_t size) {
    static const uint8_t knobs[][2] = {
        {0x00, 0xe0},  // scale 1, RGB, read all rows at once
        {0x0d, 0x01},  // scale 1/2, YCC, one row per read
        {0x3a, 0xa3},  // scale 1/4, gray, keep 16-bit, crop
        {0x6c, 0x4e},  // RGBX, skip, chunks of 3, re-encode
        {0x73, 0x5c},  // scale 1/8, keep 16-bit, crop + skip
    };
    for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) write_seed(name, knobs[i][0], knobs[i][1], data, size);
}

static uint8_t sample(int x, int y, int c, int w, int h) {
    // A gradient with a few hard edges and a bright blob, like a small target on a background.
    int v = (x * 255) / (w > 1 ? w - 1 : 1) / 2 + (y * 255) / (h > 1 ? h - 1 : 1) / 3 + c * 40;
    if ((x / 5 + y / 3) % 4 == 0) v += 60;
    int dx = x - w / 2, dy = y - h / 2;
    if (dx * dx + dy * dy < 9) v = 250 - c * 30;
    return (uint8_t)(v & 0xff);
}

/* ---------------------------------------------------------------- JPEG */

typedef struct {
    const char *name;
    int w, h, components;  // 1 gray, 3 RGB, 4 CMYK
    J_COLOR_SPACE in_space, jpeg_space;
    int hs, vs;            // sampling of the first component (others 1x1)
    int progressive, arith, optimize, restart, quality;
    int flat;              // one grey level: a large image in a few kilobytes (arithmetic coding)
    int repeat_scans;      // append this many copies of the smallest scan (the bridge refuses > 500 scans)
} jpeg_variant;

/// Repeats the smallest scan (SOS segment with its data) of a progressive JPEG `copies` times before EOI: libjpeg
/// only warns about the bogus progression, so this is the cheap way to a file with hundreds of scans.
static unsigned char *repeat_smallest_scan(const unsigned char *jpg, unsigned long size, int copies,
                                           unsigned long *out_size) {
    unsigned long best = 0, best_len = 0, eoi = size - 2;
    for (unsigned long i = 2; i + 1 < size; i++) {
        if (jpg[i] != 0xFF || jpg[i + 1] != 0xDA) continue;
        unsigned long j = i + 2;
        while (j + 1 < size && !(jpg[j] == 0xFF && (jpg[j + 1] == 0xDA || jpg[j + 1] == 0xD9 || jpg[j + 1] == 0xC4)))
            j++;
        if (best_len == 0 || j - i < best_len) {
            best = i;
            best_len = j - i;
        }
    }
    unsigned char *out = malloc(size + (unsigned long)copies * best_len);
    memcpy(out, jpg, eoi);
    unsigned long n = eoi;
    for (int k = 0; k < copies; k++, n += best_len) memcpy(out + n, jpg + best, best_len);
    memcpy(out + n, jpg + eoi, 2);
    *out_size = n + 2;
    return out;
}

struct seed_err {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void seed_error_exit(j_common_ptr c) {
    struct seed_err *e = (struct seed_err *)c->err;
    char text[JMSG_LENGTH_MAX];
    (*c->err->format_message)(c, text);
    fprintf(stderr, "make_seeds: libjpeg: %s\n", text);
    longjmp(e->jump, 1);
}

static void make_jpeg(const jpeg_variant *v) {
    struct jpeg_compress_struct c;
    struct seed_err err;
    unsigned char *buf = NULL;
    unsigned long size = 0;
    c.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = seed_error_exit;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&c);
        fprintf(stderr, "make_seeds: skipped %s\n", v->name);
        return;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &buf, &size);
    c.image_width = (JDIMENSION)v->w;
    c.image_height = (JDIMENSION)v->h;
    c.input_components = v->components;
    c.in_color_space = v->in_space;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, v->jpeg_space);
    jpeg_set_quality(&c, v->quality, TRUE);
    c.comp_info[0].h_samp_factor = v->hs;
    c.comp_info[0].v_samp_factor = v->vs;
    for (int i = 1; i < c.num_components; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    if (v->jpeg_space == JCS_CMYK || v->jpeg_space == JCS_YCCK) c.comp_info[3].h_samp_factor = v->hs;
    if (v->jpeg_space == JCS_CMYK || v->jpeg_space == JCS_YCCK) c.comp_info[3].v_samp_factor = v->vs;
    c.arith_code = v->arith ? TRUE : FALSE;
    c.optimize_coding = v->optimize ? TRUE : FALSE;
    c.restart_in_rows = v->restart;
    if (v->progressive) jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = malloc((size_t)v->w * v->components);
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < v->w; x++)
            for (int k = 0; k < v->components; k++)
                row[x * v->components + k] = v->flat ? 128 : sample(x, y, k, v->w, v->h);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    if (v->repeat_scans) {
        unsigned long n = 0;
        unsigned char *more = repeat_smallest_scan(buf, size, v->repeat_scans, &n);
        free(buf);
        buf = more;
        size = n;
    }
    write_seeds(v->name, buf, size);
    free(buf);
}

/* ---------------------------------------------------------------- PNG */

typedef struct {
    const char *name;
    int w, h, color_type, depth, interlace, trns;
    int flat;  // all zero: a large image in a few tens of kilobytes
} png_variant;

struct png_mem {
    uint8_t *data;
    size_t size, cap;
};

static void png_mem_write(png_structp p, png_bytep bytes, size_t n) {
    struct png_mem *m = png_get_io_ptr(p);
    if (m->size + n > m->cap) {
        m->cap = (m->size + n) * 2;
        m->data = realloc(m->data, m->cap);
        if (!m->data) abort();
    }
    memcpy(m->data + m->size, bytes, n);
    m->size += n;
}

static void png_mem_flush(png_structp p) { (void)p; }

static void make_png(const png_variant *v) {
    struct png_mem m = {0};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_write_struct(&p, &info);
        free(m.data);
        fprintf(stderr, "make_seeds: skipped %s\n", v->name);
        return;
    }
    png_set_write_fn(p, &m, png_mem_write, png_mem_flush);
    png_set_compression_level(p, 9);
    png_set_IHDR(p, info, (png_uint_32)v->w, (png_uint_32)v->h, v->depth, v->color_type, v->interlace,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (v->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        const int n = 1 << v->depth;
        for (int i = 0; i < n; i++) {
            pal[i].red = (png_byte)(i * 255 / (n - 1));
            pal[i].green = (png_byte)(255 - i * 255 / (n - 1));
            pal[i].blue = (png_byte)((i * 97) & 0xff);
        }
        png_set_PLTE(p, info, pal, n);
        if (v->trns) {
            png_byte alpha[4] = {0, 128, 255, 64};
            png_set_tRNS(p, info, alpha, 4, NULL);
        }
    } else if (v->trns && !(v->color_type & PNG_COLOR_MASK_ALPHA)) {
        png_color_16 t;
        memset(&t, 0, sizeof t);
        t.gray = 1;
        t.red = t.green = t.blue = 1;
        png_set_tRNS(p, info, NULL, 0, &t);
    }
    png_text text;
    memset(&text, 0, sizeof text);
    text.compression = PNG_TEXT_COMPRESSION_zTXt;
    text.key = "Comment";
    text.text = "spotter fuzz seed";
    png_set_text(p, info, &text, 1);
    png_write_info(p, info);
    const int channels = png_get_channels(p, info);
    const size_t row_bytes = png_get_rowbytes(p, info);
    uint8_t *row = calloc(1, row_bytes);
    const int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++) {
        for (int y = 0; y < v->h; y++) {
            memset(row, 0, row_bytes);
            for (int x = 0; x < v->w; x++) {
                for (int k = 0; k < channels; k++) {
                    const int s = v->flat ? 0 : sample(x, y, k, v->w, v->h);
                    if (v->depth == 16) {
                        row[(x * channels + k) * 2] = (uint8_t)s;
                        row[(x * channels + k) * 2 + 1] = (uint8_t)(s * 31);
                    } else if (v->depth == 8) {
                        row[x * channels + k] = (uint8_t)(v->color_type == PNG_COLOR_TYPE_PALETTE ? s % (1 << v->depth)
                                                                                                  : s);
                    } else {  // 1, 2, 4 bits, one channel
                        const int bits = v->depth, per = 8 / bits;
                        const int val = s >> (8 - bits);
                        row[x / per] |= (uint8_t)(val << (8 - bits - (x % per) * bits));
                    }
                }
            }
            png_write_row(p, row);
        }
    }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    write_seeds(v->name, m.data, m.size);
    free(m.data);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    g_dir = argv[1];
    static const jpeg_variant jpegs[] = {
        {"jpeg-420", 48, 40, 3, JCS_RGB, JCS_YCbCr, 2, 2, 0, 0, 0, 0, 85},
        {"jpeg-444", 33, 17, 3, JCS_RGB, JCS_YCbCr, 1, 1, 0, 0, 0, 0, 90},
        {"jpeg-422-restart", 50, 31, 3, JCS_RGB, JCS_YCbCr, 2, 1, 0, 0, 0, 1, 75},
        {"jpeg-440", 37, 45, 3, JCS_RGB, JCS_YCbCr, 1, 2, 0, 0, 0, 0, 80},
        {"jpeg-411", 61, 23, 3, JCS_RGB, JCS_YCbCr, 4, 1, 0, 0, 0, 0, 70},
        {"jpeg-progressive-420", 64, 48, 3, JCS_RGB, JCS_YCbCr, 2, 2, 1, 0, 0, 0, 85},
        {"jpeg-progressive-gray", 41, 29, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 1, 1, 0, 0, 0, 85},
        {"jpeg-gray", 40, 32, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 1, 0, 0, 1, 0, 90},
        {"jpeg-gray-1x1", 1, 1, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 1, 0, 0, 0, 0, 90},
        {"jpeg-cmyk", 24, 20, 4, JCS_CMYK, JCS_CMYK, 1, 1, 0, 0, 0, 0, 85},
        {"jpeg-ycck", 26, 18, 4, JCS_CMYK, JCS_YCCK, 2, 2, 0, 0, 0, 0, 85},
        {"jpeg-rgb-coded", 30, 22, 3, JCS_RGB, JCS_RGB, 1, 1, 0, 0, 0, 0, 85},
        {"jpeg-arith", 48, 40, 3, JCS_RGB, JCS_YCbCr, 2, 2, 0, 1, 0, 0, 85},
        {"jpeg-arith-progressive", 48, 40, 3, JCS_RGB, JCS_YCbCr, 2, 2, 1, 1, 0, 0, 85},
        {"jpeg-optimized-q20", 72, 9, 3, JCS_RGB, JCS_YCbCr, 2, 2, 0, 0, 1, 0, 20},
        // 12 MP, a drone camera's size: large enough for the harness's row window and for timing.
        {"jpeg-12mp-arith-flat", 4000, 3000, 3, JCS_RGB, JCS_YCbCr, 2, 2, 0, 1, 0, 0, 90, 1},
        {"jpeg-12mp-arith-progressive-gray-flat", 4000, 3000, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 1, 1, 1, 0, 0, 90, 1},
        // Over the bridge's limit of 500 progressive scans (a decode-time bomb it refuses).
        {"jpeg-progressive-520-scans", 16, 16, 1, JCS_GRAYSCALE, JCS_GRAYSCALE, 1, 1, 1, 0, 0, 0, 50, 1, 520},
    };
    for (size_t i = 0; i < sizeof jpegs / sizeof jpegs[0]; i++) make_jpeg(&jpegs[i]);
    static const png_variant pngs[] = {
        {"png-gray8", 40, 30, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0},
        {"png-gray16", 32, 24, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, 0},
        {"png-gray1", 37, 11, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE, 0},
        {"png-gray2-trns", 21, 13, PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, 1},
        {"png-gray4", 19, 17, PNG_COLOR_TYPE_GRAY, 4, PNG_INTERLACE_NONE, 0},
        {"png-gray-alpha8", 20, 20, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, 0},
        {"png-gray-alpha16", 20, 12, PNG_COLOR_TYPE_GRAY_ALPHA, 16, PNG_INTERLACE_NONE, 0},
        {"png-rgb8", 33, 25, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 0},
        {"png-rgb16-trns", 17, 15, PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, 1},
        {"png-rgba8", 24, 18, PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE, 0},
        {"png-rgba16", 16, 16, PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_NONE, 0},
        {"png-palette8", 30, 20, PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 0},
        {"png-palette4-trns", 27, 14, PNG_COLOR_TYPE_PALETTE, 4, PNG_INTERLACE_NONE, 1},
        {"png-palette1", 45, 9, PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE, 0},
        {"png-interlaced-rgb8", 35, 27, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, 0},
        {"png-interlaced-gray16", 23, 19, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_ADAM7, 0},
        {"png-interlaced-palette2", 9, 7, PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_ADAM7, 0},
        {"png-1x1-rgba", 1, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_ADAM7, 0},
        {"png-12mp-gray-flat", 4000, 3000, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0, 1},
        {"png-3mp-interlaced-rgb-flat", 2000, 1500, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, 0, 1},
    };
    for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++) make_png(&pngs[i]);
    fprintf(stderr, "make_seeds: wrote %d seeds into %s\n", g_count, g_dir);
    return 0;
}
