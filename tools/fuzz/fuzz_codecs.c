// libFuzzer harness over the decode entry points of the C bridge (Sources/CCodecs), driven the way
// SpotterImaging.FrameDecoder drives them: begin (caps, scale, colour), crop, skip, read rows in chunks, end,
// with one JPEG and one PNG handle reused across all inputs, as one worker reuses them across frames.
//
// Input layout: byte 0 and byte 1 are knobs (see `knobs` below), the rest is the file. Every input is offered to
// both decoders (a non-JPEG fails in jpeg_read_header at once, a non-PNG at the signature check).
//
// Besides the sanitizers, the harness aborts on broken bridge contracts:
//   - a failure status without a message, or a call after a failure that does not answer SPC_ERR_USAGE;
//   - an OK decode that delivers a different number of rows than it declared;
//   - a write past the end (or before the start) of a caller's row: rows are separated by guard bytes that are
//     both ASan-poisoned (writes from instrumented bridge code) and filled with a canary that is checked after
//     every read (writes from the uninstrumented libjpeg / libpng);
//   - RGBX rows whose padding byte is not 255;
//   - an image the bridge encoded that the bridge then cannot decode, or decodes to another size;
//   - after any failure, the same handle must still decode a small known-good image.
#include "ccodecs.h"

#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_codecs: contract broken: " __VA_ARGS__); \
            fprintf(stderr, "\n");                                          \
            abort();                                                        \
        }                                                                   \
    } while (0)

enum {
    MAX_PIXELS = 50 * 1000 * 1000,  // the fuzzer's cap (the product's default is 200 MP)
    GUARD = 32,                     // guard bytes before each row and after its end
    CANARY = 0xA7,
    WINDOW_BYTES = 16 << 20,        // larger images cycle through a window of rows
    FEEDBACK_MAX_PIXELS = 1 << 20,  // re-encode only images up to 1 MP
};

static spc_jpeg *g_jpeg;
static spc_png *g_png;

/* ------------------------------------------------------------------ the reused, guarded row buffer */

static uint8_t *g_buf;  // reused across inputs, grown when needed
static size_t g_buf_cap;
static uint8_t **g_ptrs;  // row pointers handed to spc_*_read
static size_t g_ptrs_cap;

typedef struct {
    size_t row_bytes, stride;
    uint32_t slots;  // rows the buffer holds; the image's row y lives in slot y % slots
    int whole;       // slots == height: the whole image is kept (for re-encoding)
} layout;

static uint8_t *slot(const layout *l, uint32_t y) { return g_buf + GUARD + (size_t)(y % l->slots) * l->stride; }

static void unpoison_all(void) {
    if (g_buf) ASAN_UNPOISON_MEMORY_REGION(g_buf, g_buf_cap);
}

/// Lays out `height` rows of `row_bytes` (or a window of them) with poisoned canary gaps around each row.
static void setup_rows(layout *l, uint32_t height, size_t row_bytes) {
    l->row_bytes = row_bytes;
    l->stride = ((row_bytes + 7) & ~(size_t)7) + GUARD;
    size_t slots = WINDOW_BYTES / l->stride;
    if (slots < 1) slots = 1;
    l->whole = slots >= height;
    if (slots > height) slots = height;
    l->slots = (uint32_t)slots;
    const size_t need = GUARD + slots * l->stride;
    unpoison_all();
    if (need > g_buf_cap) {
        free(g_buf);
        g_buf = malloc(need);
        CHECK(g_buf, "no memory for %zu bytes of rows", need);
        g_buf_cap = need;
    }
    memset(g_buf, CANARY, g_buf_cap);
    ASAN_POISON_MEMORY_REGION(g_buf, GUARD);
    for (uint32_t i = 0; i < l->slots; i++) {
        uint8_t *r = g_buf + GUARD + (size_t)i * l->stride;
        ASAN_POISON_MEMORY_REGION(r + row_bytes, l->stride - row_bytes);
    }
    ASAN_POISON_MEMORY_REGION(g_buf + need, g_buf_cap - need);
    if (g_ptrs_cap < slots) {
        free(g_ptrs);
        g_ptrs = malloc(slots * sizeof *g_ptrs);
        CHECK(g_ptrs, "no memory for row pointers");
        g_ptrs_cap = slots;
    }
}

/// Verifies the canaries around rows [first, first + n) (slots), unpoisoning them for the check only.
static void check_guards(const layout *l, uint32_t first, uint32_t n, const char *what) {
    if (n > l->slots) n = l->slots;
    for (uint32_t k = 0; k < n; k++) {
        uint8_t *r = slot(l, first + k);
        uint8_t *before = r - GUARD;
        uint8_t *after = r + l->row_bytes;
        const size_t after_n = l->stride - l->row_bytes;
        ASAN_UNPOISON_MEMORY_REGION(after, after_n);
        for (size_t i = 0; i < after_n; i++)
            CHECK(after[i] == CANARY, "%s wrote %zu bytes past the end of row slot %u (row %zu bytes)", what, i + 1,
                  (first + k) % l->slots, l->row_bytes);
        ASAN_POISON_MEMORY_REGION(after, after_n);
        if ((first + k) % l->slots == 0) {  // the gap before slot 0 is the only one not also after a row
            ASAN_UNPOISON_MEMORY_REGION(before, GUARD);
            for (size_t i = 0; i < GUARD; i++) CHECK(before[i] == CANARY, "%s wrote before the first row", what);
            ASAN_POISON_MEMORY_REGION(before, GUARD);
        }
    }
}

/// RGBX rows: the fourth byte of every pixel is padding and must be 255 (ccodecs.h), never an alpha value.
static void check_padding(const layout *l, const spc_info *info, uint32_t width, uint32_t first, uint32_t n,
                          const char *what) {
    if (info->channels != 4) return;
    if (n > l->slots) n = l->slots;
    for (uint32_t k = 0; k < n; k++) {
        const uint8_t *r = slot(l, first + k);
        for (uint32_t x = 0; x < width; x++)
            CHECK(r[4 * x + 3] == 255, "%s: RGBX padding byte of pixel %u in row %u is %u, not 255", what, x,
                  first + k, r[4 * x + 3]);
    }
}

/* ------------------------------------------------------------------ knobs */

typedef struct {
    uint32_t scale;       // 1, 2, 4, 8
    spc_color color;      // RGB, YCC, GRAY, RGBX
    int keep16;
    int crop, skip;       // JPEG crop / skip (PNG: read-and-drop rows like FrameDecoder.skip)
    int stop_early;       // abandon the image half way (next begin must clean up)
    uint32_t crop_x8, crop_w4;  // crop start in eighths, crop width in quarters of the rest
    uint32_t chunk;       // rows per read call
    int feedback;         // re-encode the decoded rows and decode the result again
    int feedback_png;     // ... as PNG (else JPEG)
} knobs;

static knobs read_knobs(uint8_t a, uint8_t b) {
    static const uint32_t chunks[8] = {1, 2, 3, 7, 8, 16, 64, 0xffffffffu};
    knobs k;
    k.scale = 1u << (a & 3);
    k.color = (spc_color)((a >> 2) & 3);
    k.keep16 = (a >> 4) & 1;
    k.crop = (a >> 5) & 1;
    k.skip = (a >> 6) & 1;
    k.stop_early = (a >> 7) & 1 && (b & 1);
    k.crop_x8 = b & 7;
    k.crop_w4 = (b >> 3) & 3;
    k.chunk = chunks[(b >> 5) & 7];
    k.feedback = !k.stop_early && ((a ^ b) & 0x0c) == 0x0c;  // about one input in four
    k.feedback_png = (b >> 2) & 1;
    return k;
}

static spc_options options(const knobs *k) {
    spc_options o;
    memset(&o, 0, sizeof o);
    o.max_pixels = MAX_PIXELS;
    o.max_side = 65535;
    o.scale_denom = k->scale;
    o.color = k->color;
    o.keep_16bit = (uint32_t)k->keep16;
    return o;
}

/* ------------------------------------------------------------------ encode feedback */

static void feedback(const layout *l, const spc_info *info, uint32_t first_row, uint32_t rows, const knobs *k);
static void sanity_jpeg(void);
static void sanity_png(void);

static void check_info(const spc_info *info, const knobs *k, int png) {
    CHECK(info->width > 0 && info->height > 0, "OK with an empty size %ux%u", info->width, info->height);
    CHECK((uint64_t)info->source_width * info->source_height <= MAX_PIXELS, "cap not enforced: %ux%u",
          info->source_width, info->source_height);
    CHECK(info->channels == 1 || info->channels == 3 || info->channels == 4, "channels %u", info->channels);
    CHECK(info->bits == 8 || (png && info->bits == 16), "bits %u", info->bits);
    CHECK(info->channels != 4 || k->color == SPC_COLOR_RGBX, "4 channels without RGBX");
    if (k->color == SPC_COLOR_GRAY) CHECK(info->channels == 1, "gray requested, %u channels", info->channels);
    if (png) CHECK(info->width == info->source_width && info->height == info->source_height, "PNG size changed");
}

/* ------------------------------------------------------------------ JPEG */

/// Decodes one JPEG through the bridge; returns the final status (SPC_OK when every call succeeded).
static spc_status run_jpeg(const uint8_t *data, size_t size, const knobs *k, int allow_feedback) {
    spc_jpeg *h = g_jpeg;
    spc_options opt = options(k);
    spc_info info;
    spc_status s = spc_jpeg_begin(h, data, size, &opt, &info);
    if (s != SPC_OK) {
        CHECK(spc_jpeg_message(h)[0], "jpeg begin failed (%d) without a message", (int)s);
        return s;
    }
    check_info(&info, k, 0);
    uint32_t width = info.width;
    if (k->crop) {
        uint32_t x = (uint32_t)((uint64_t)info.width * k->crop_x8 / 8);
        uint32_t w = (uint32_t)((uint64_t)(info.width - x) * (k->crop_w4 + 1) / 4);
        if (w == 0) w = 1;
        const uint32_t want_x = x, want_w = w;
        s = spc_jpeg_crop(h, &x, &w);
        if (s != SPC_OK) {
            CHECK(s != SPC_ERR_USAGE, "crop %u+%u of %u refused as usage: %s", want_x, want_w, info.width,
                  spc_jpeg_message(h));
            CHECK(spc_jpeg_message(h)[0], "crop failed without a message");
            return s;
        }
        CHECK(x <= want_x && x + w >= want_x + want_w && x + w <= info.width && w > 0,
              "crop %u+%u of %u became %u+%u", want_x, want_w, info.width, x, w);
        width = w;
    }
    uint32_t skipped = 0;
    if (k->skip) {
        const uint32_t want = info.height / 8 * k->crop_x8 + k->crop_w4;
        s = spc_jpeg_skip(h, want, &skipped);
        if (s != SPC_OK) {
            CHECK(spc_jpeg_message(h)[0], "skip failed without a message");
            return s;
        }
        CHECK(skipped <= want && skipped <= info.height, "skipped %u of %u wanted", skipped, want);
        CHECK(spc_jpeg_next_row(h) == skipped, "next row %u after skipping %u", spc_jpeg_next_row(h), skipped);
    }
    layout l;
    setup_rows(&l, info.height, (size_t)width * info.channels);
    uint32_t next = skipped;
    const uint32_t stop_at = k->stop_early ? info.height / 2 : info.height;
    while (next < stop_at) {
        uint32_t n = k->chunk;
        if (n > l.slots) n = l.slots;
        if (n > info.height - next) n = info.height - next;
        for (uint32_t i = 0; i < n; i++) g_ptrs[i] = slot(&l, next + i);
        uint32_t got = 0;
        s = spc_jpeg_read(h, g_ptrs, n, &got);
        if (s != SPC_OK) {
            CHECK(spc_jpeg_message(h)[0], "read failed (%d) without a message", (int)s);
            CHECK(got == 0, "read failed but reported %u rows", got);
            check_guards(&l, next, n, "spc_jpeg_read (failing)");
            return s;
        }
        CHECK(got <= n, "read %u rows of %u asked", got, n);
        check_guards(&l, next, got, "spc_jpeg_read");
        check_padding(&l, &info, width, next, got, "spc_jpeg_read");
        if (got == 0) break;
        next += got;
    }
    if (k->stop_early) return SPC_OK;  // abandoned: no spc_jpeg_end, the next begin has to clean up
    CHECK(next == info.height, "JPEG delivered rows up to %u of %u without an error", next, info.height);
    CHECK(spc_jpeg_next_row(h) == info.height, "next row %u at the end of %u", spc_jpeg_next_row(h), info.height);
    spc_jpeg_end(h);
    (void)strlen(spc_jpeg_first_warning(h));
    (void)spc_jpeg_warning_count(h);
    if (allow_feedback && k->feedback && l.whole && !k->skip) {
        spc_info shown = info;
        shown.width = width;
        feedback(&l, &shown, 0, info.height, k);
    }
    return SPC_OK;
}

/* ------------------------------------------------------------------ PNG */

static spc_status run_png(const uint8_t *data, size_t size, const knobs *k, int allow_feedback) {
    spc_png *h = g_png;
    spc_options opt = options(k);
    spc_info info;
    spc_status s = spc_png_begin(h, data, size, &opt, &info);
    if (s != SPC_OK) {
        CHECK(spc_png_message(h)[0], "png begin failed (%d) without a message", (int)s);
        return s;
    }
    check_info(&info, k, 1);
    layout l;
    setup_rows(&l, info.height, (size_t)info.width * info.channels * (info.bits / 8));
    uint32_t next = 0;
    if (k->skip) {  // FrameDecoder.skip for PNG: one row at a time into one scratch row
        const uint32_t want = info.height / 8 * k->crop_x8 + k->crop_w4;
        while (next < want && next < info.height) {
            uint32_t got = 0;
            g_ptrs[0] = slot(&l, 0);
            s = spc_png_read(h, g_ptrs, 1, &got);
            if (s != SPC_OK) {
                CHECK(spc_png_message(h)[0], "png read failed without a message");
                check_guards(&l, 0, 1, "spc_png_read (skipping, failing)");
                return s;
            }
            check_guards(&l, 0, 1, "spc_png_read (skipping)");
            if (got == 0) break;
            next += got;
        }
    }
    const uint32_t first = next;
    const uint32_t stop_at = k->stop_early ? info.height / 2 : info.height;
    while (next < stop_at) {
        uint32_t n = k->chunk;
        if (n > l.slots) n = l.slots;
        if (n > info.height - next) n = info.height - next;
        for (uint32_t i = 0; i < n; i++) g_ptrs[i] = slot(&l, next + i);
        uint32_t got = 0;
        s = spc_png_read(h, g_ptrs, n, &got);
        if (s != SPC_OK) {
            CHECK(spc_png_message(h)[0], "png read failed (%d) without a message", (int)s);
            check_guards(&l, next, n, "spc_png_read (failing)");
            return s;
        }
        CHECK(got <= n, "read %u rows of %u asked", got, n);
        check_guards(&l, next, got, "spc_png_read");
        check_padding(&l, &info, info.width, next, got, "spc_png_read");
        if (got == 0) break;
        next += got;
    }
    if (k->stop_early) return SPC_OK;
    CHECK(next == info.height, "PNG delivered rows up to %u of %u without an error", next, info.height);
    spc_png_end(h);
    (void)strlen(spc_png_first_warning(h));
    (void)spc_png_warning_count(h);
    if (allow_feedback && k->feedback && l.whole && first == 0) feedback(&l, &info, 0, info.height, k);
    return SPC_OK;
}

/* ------------------------------------------------------------------ feedback and sanity */

static void feedback(const layout *l, const spc_info *info, uint32_t first_row, uint32_t rows, const knobs *k) {
    if ((uint64_t)info->width * rows > FEEDBACK_MAX_PIXELS || rows == 0) return;
    uint32_t channels = info->channels;
    const uint8_t *pixels = slot(l, first_row);
    size_t stride = l->stride;
    uint8_t *packed = NULL;
    if (channels == 4) {  // RGBX: the encoders take gray or RGB, as ImageEncoder does
        packed = malloc((size_t)info->width * 3 * rows);
        CHECK(packed, "no memory");
        for (uint32_t y = 0; y < rows; y++) {
            const uint8_t *src = slot(l, first_row + y);
            uint8_t *dst = packed + (size_t)y * info->width * 3;
            for (uint32_t x = 0; x < info->width; x++) memcpy(dst + 3 * x, src + 4 * x, 3);
        }
        pixels = packed;
        stride = (size_t)info->width * 3;
        channels = 3;
    }
    uint8_t *out = NULL;
    size_t out_size = 0;
    char message[SPC_MESSAGE_MAX];
    const int as_png = k->feedback_png || info->bits == 16;
    spc_status s = as_png ? spc_png_encode(pixels, info->width, rows, stride, channels, info->bits, &out, &out_size,
                                           message)
                          : spc_jpeg_encode(pixels, info->width, rows, stride, channels, 1 + (int)(k->chunk % 100),
                                            &out, &out_size, message);
    free(packed);
    if (!as_png && info->width > 65500) {
        CHECK(s == SPC_ERR_USAGE, "JPEG encode of a %u-wide image: %d", info->width, (int)s);
        return;
    }
    CHECK(s == SPC_OK && out && out_size > 0, "%s encode of %ux%u x%u failed: %d %s", as_png ? "PNG" : "JPEG",
          info->width, rows, channels, (int)s, message);
    // Decode what was just written, with the same (reused) handle and plain options: it must come back whole.
    knobs plain;
    memset(&plain, 0, sizeof plain);
    plain.scale = 1;
    plain.color = channels == 1 ? SPC_COLOR_GRAY : SPC_COLOR_RGB;
    plain.keep16 = info->bits == 16;
    plain.chunk = 16;
    s = as_png ? run_png(out, out_size, &plain, 0) : run_jpeg(out, out_size, &plain, 0);
    CHECK(s == SPC_OK, "the bridge cannot decode its own %s (%ux%u): %s", as_png ? "PNG" : "JPEG", info->width, rows,
          as_png ? spc_png_message(g_png) : spc_jpeg_message(g_jpeg));
    spc_free(out);
}

static uint8_t *g_good_jpeg, *g_good_png;
static size_t g_good_jpeg_size, g_good_png_size;

static void make_good_images(void) {
    enum { W = 19, H = 13 };
    uint8_t pixels[W * H * 3];
    for (int i = 0; i < W * H * 3; i++) pixels[i] = (uint8_t)(i * 7 + (i / 3) * 13);
    char message[SPC_MESSAGE_MAX];
    CHECK(spc_jpeg_encode(pixels, W, H, W * 3, 3, 85, &g_good_jpeg, &g_good_jpeg_size, message) == SPC_OK,
          "cannot encode the sanity JPEG: %s", message);
    CHECK(spc_png_encode(pixels, W, H, W * 3, 3, 8, &g_good_png, &g_good_png_size, message) == SPC_OK,
          "cannot encode the sanity PNG: %s", message);
}

/// After a failure the reused handle must still work: decode a known-good image with it.
static void sanity_jpeg(void) {
    uint32_t got = 0;
    uint8_t row[64];
    uint8_t *rows[1] = {row};
    CHECK(spc_jpeg_read(g_jpeg, rows, 1, &got) == SPC_ERR_USAGE, "read after a JPEG failure is not a usage error");
    knobs plain;
    memset(&plain, 0, sizeof plain);
    plain.scale = 1;
    plain.chunk = 5;
    CHECK(run_jpeg(g_good_jpeg, g_good_jpeg_size, &plain, 0) == SPC_OK,
          "the JPEG handle no longer decodes a good image after a failure: %s", spc_jpeg_message(g_jpeg));
}

static void sanity_png(void) {
    uint32_t got = 0;
    uint8_t row[64];
    uint8_t *rows[1] = {row};
    CHECK(spc_png_read(g_png, rows, 1, &got) == SPC_ERR_USAGE, "read after a PNG failure is not a usage error");
    knobs plain;
    memset(&plain, 0, sizeof plain);
    plain.scale = 1;
    plain.chunk = 5;
    CHECK(run_png(g_good_png, g_good_png_size, &plain, 0) == SPC_OK,
          "the PNG handle no longer decodes a good image after a failure: %s", spc_png_message(g_png));
}

/* ------------------------------------------------------------------ entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!g_jpeg) {
        g_jpeg = spc_jpeg_new();
        g_png = spc_png_new();
        CHECK(g_jpeg && g_png, "cannot create the decoders");
        make_good_images();
    }
    if (size < 2) return 0;
    const knobs k = read_knobs(data[0], data[1]);
    data += 2;
    size -= 2;
    // A private copy of exactly `size` bytes, so reads past the file's end are caught by ASan.
    uint8_t *file = malloc(size ? size : 1);
    if (!file) return 0;
    memcpy(file, data, size);

    if (run_jpeg(file, size, &k, 1) != SPC_OK) sanity_jpeg();
    if (run_png(file, size, &k, 1) != SPC_OK) sanity_png();
    // Leave the handles mid-image now and then (stop_early), as a worker does when a scan is cancelled; the
    // data they point at is freed below, which is fine as long as the next begin / end never read it.
    free(file);
    unpoison_all();
    return 0;
}
