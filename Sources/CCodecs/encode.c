// Crop writers: JPEG (libjpeg) and PNG (libpng) into malloc'ed memory, every call inside setjmp.
#include "ccodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

struct enc_error_mgr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
};

static void enc_error_exit(j_common_ptr c) {
    struct enc_error_mgr *e = (struct enc_error_mgr *)c->err;
    char text[JMSG_LENGTH_MAX];
    (*c->err->format_message)(c, text);
    snprintf(e->message, SPC_MESSAGE_MAX, "%s", text);
    longjmp(e->jump, 1);
}

static void enc_output_message(j_common_ptr c) { (void)c; }

spc_status spc_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride, uint32_t channels,
                           int quality, uint8_t **out, size_t *out_size, char message[SPC_MESSAGE_MAX]) {
    if (!pixels || !out || !out_size || !message || width == 0 || height == 0 || width > 65500 ||
        height > 65500 || (channels != 1 && channels != 3) || stride < (size_t)width * channels) {
        if (message) snprintf(message, SPC_MESSAGE_MAX, "cannot encode a %ux%u image with %u channels as JPEG",
                              width, height, channels);
        return SPC_ERR_USAGE;
    }
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    struct jpeg_compress_struct c;
    struct enc_error_mgr err;
    // On the heap, so the buffer libjpeg grows is still known after a longjmp and can be freed.
    struct { unsigned char *buffer; unsigned long size; } *dest = calloc(1, sizeof *dest);
    if (!dest) return SPC_ERR_NO_MEMORY;
    memset(&c, 0, sizeof c);
    c.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = enc_error_exit;
    err.pub.output_message = enc_output_message;
    err.message = message;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&c);
        free(dest->buffer);
        free(dest);
        return strstr(message, "emory") ? SPC_ERR_NO_MEMORY : SPC_ERR_USAGE;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &dest->buffer, &dest->size);
    c.image_width = width;
    c.image_height = height;
    c.input_components = (int)channels;
    c.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c.next_scanline * stride);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *out = dest->buffer;
    *out_size = dest->size;
    free(dest);
    return SPC_OK;
}

struct png_sink {
    uint8_t *data;
    size_t size, capacity;
    char *message;
};

static void sink_write(png_structp png, png_bytep bytes, size_t count) {
    struct png_sink *s = png_get_io_ptr(png);
    if (count > s->capacity - s->size) {
        size_t cap = s->capacity ? s->capacity : 4096;
        while (cap - s->size < count) cap *= 2;
        uint8_t *p = realloc(s->data, cap);
        if (!p) png_error(png, "out of memory while encoding PNG");
        s->data = p;
        s->capacity = cap;
    }
    memcpy(s->data + s->size, bytes, count);
    s->size += count;
}

static void sink_flush(png_structp png) { (void)png; }

static void enc_png_error(png_structp png, png_const_charp text) {
    struct png_sink *s = png_get_error_ptr(png);
    snprintf(s->message, SPC_MESSAGE_MAX, "%s", text ? text : "PNG error");
    png_longjmp(png, 1);
}

static void enc_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

spc_status spc_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride, uint32_t channels,
                          uint32_t bits, uint8_t **out, size_t *out_size, char message[SPC_MESSAGE_MAX]) {
    if (!pixels || !out || !out_size || !message || width == 0 || height == 0 || (channels != 1 && channels != 3) ||
        (bits != 8 && bits != 16) || stride < (size_t)width * channels * (bits / 8)) {
        if (message) snprintf(message, SPC_MESSAGE_MAX, "cannot encode a %ux%u image with %u channels as PNG",
                              width, height, channels);
        return SPC_ERR_USAGE;
    }
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    // On the heap, so its contents are well defined after a longjmp.
    struct png_sink *sink = calloc(1, sizeof *sink);
    if (!sink) return SPC_ERR_NO_MEMORY;
    sink->message = message;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, enc_png_error, enc_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        free(sink);
        return SPC_ERR_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(sink->data);
        free(sink);
        return strstr(message, "emory") ? SPC_ERR_NO_MEMORY : SPC_ERR_USAGE;
    }
    png_set_write_fn(png, sink, sink_write, sink_flush);
    png_set_IHDR(png, info, width, height, (int)bits, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bits == 16) png_set_swap(png);  // samples arrive in host (little-endian) order
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * stride));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = sink->data;
    *out_size = sink->size;
    free(sink);
    return SPC_OK;
}

void spc_free(void *p) { free(p); }
