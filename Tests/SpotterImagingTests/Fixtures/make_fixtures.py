"""Regenerates the tiny JPEG fixtures of SpotterImagingTests (all synthetic: gradients plus seeded noise).

Run once by hand, not by the tests:  python3 -m venv /tmp/v && /tmp/v/bin/pip install pillow imagecodecs numpy
                                     && /tmp/v/bin/python make_fixtures.py
Made with Pillow 13.0.0 and imagecodecs 2026.3.6 (libjpeg-turbo 3.1.3). The bridge cannot write these variants.
"""
import numpy as np
import imagecodecs
from PIL import Image

rng = np.random.default_rng(20240611)


def rgb(w, h):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(1, w - 1))
    g = (y * 255 // max(1, h - 1))
    b = ((x + y) * 3) % 256
    img = np.stack([r, g, b], axis=-1).astype(np.int32)
    img += rng.integers(-12, 13, size=img.shape)
    # a few hard edges so block boundaries matter
    img[h // 3:h // 2, w // 4:w // 2] = [250, 30, 40]
    return np.clip(img, 0, 255).astype(np.uint8)


# CMYK JPEG with an Adobe marker (Pillow writes inverted CMYK, as Photoshop does).
cmyk_source = rgb(40, 24)
Image.fromarray(cmyk_source).save("cmyk-source.png")  # what the CMYK file should decode to (within JPEG error)
Image.fromarray(cmyk_source).convert("CMYK").save("cmyk.jpg", quality=90)
# Progressive JPEG, odd size.
Image.fromarray(rgb(67, 45)).save("progressive.jpg", quality=90, progressive=True)
# Sub-sampling variants at odd sizes, for region decoding: 4:4:4 and 4:2:2.
Image.fromarray(rgb(101, 67)).save("ycc444.jpg", quality=90, subsampling=0)
Image.fromarray(rgb(101, 67)).save("ycc422.jpg", quality=90, subsampling=1)
# RGB-coded JPEG (Adobe transform 0: components are R, G, B, not Y, Cb, Cr).
rgb_source = rgb(35, 21)
Image.fromarray(rgb_source).save("rgbcoded-source.png")
open("rgbcoded.jpg", "wb").write(imagecodecs.jpeg8_encode(rgb_source, level=90, colorspace="RGB", outcolorspace="RGB"))
# 12-bit grayscale JPEG (extended sequential, SOF1), which libjpeg62-turbo refuses.
g12 = (np.mgrid[0:16, 0:24][1] * 170 + rng.integers(0, 16, size=(16, 24))).astype(np.uint16)
open("gray12.jpg", "wb").write(imagecodecs.jpeg8_encode(g12, level=90, bitspersample=12))
# Lossless JPEG (SOF3), which libjpeg62-turbo 2.1 cannot decode.
open("lossless.jpg", "wb").write(imagecodecs.jpeg8_encode(rgb(16, 8)[:, :, 1].copy(), lossless=True, predictor=1))
# Restart markers every 3 MCUs (DRI), 4:2:0, odd size: region decoding skips rows across restart intervals.
Image.fromarray(rgb(97, 75)).save("restart.jpg", quality=90, restart_marker_blocks=3)
