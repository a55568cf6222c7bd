"""Benign synthetic images for tests and benchmarks: gradients, noise and drawn shapes, and edited copies.

Winnow never ships or generates abuse imagery; everything its tests and benchmarks hash is made here from a
seed, so a fresh clone reproduces every figure.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def gradient(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A smooth two-axis colour gradient with a seeded direction and palette."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    t = (x * np.cos(angle) + y * np.sin(angle)) / (w + h)
    u = np.sin(x / w * rng.uniform(2, 6) + y / h * rng.uniform(1, 4))
    chans = [
        (np.clip(rng.uniform(0.2, 1.0) * t * 255 + rng.uniform(40, 120) * u + rng.uniform(0, 80), 0, 255))
        for _ in range(3)
    ]
    return Image.fromarray(np.dstack(chans).astype(np.uint8), "RGB")


def noise(size: tuple[int, int], seed: int = 0, *, blur: float = 2.0) -> Image.Image:
    """Blurred colour noise: busy but hashable texture."""
    rng = np.random.default_rng(seed)
    w, h = size
    arr = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return Image.fromarray(arr, "RGB").filter(ImageFilter.GaussianBlur(blur))


def shapes(size: tuple[int, int], seed: int = 0, *, count: int = 12) -> Image.Image:
    """Random ellipses, rectangles and lines over a gradient: distinct, high-quality PDQ per seed."""
    rnd = random.Random(seed)
    im = gradient(size, seed)
    draw = ImageDraw.Draw(im)
    w, h = size
    for _ in range(count):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        x1, y1 = x0 + rnd.randrange(w // 10, w // 2), y0 + rnd.randrange(h // 10, h // 2)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        kind = rnd.randrange(3)
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=max(2, w // 60))
    return im


def scene(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Shapes plus a little texture: the default test picture."""
    base = shapes(size, seed)
    tex = noise(size, seed + 10_000, blur=1.0)
    return Image.blend(base, tex, 0.12)


# ----------------------------------------------------------------------------------------------- edited copies


def jpeg_bytes(im: Image.Image, quality: int = 90, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def png_bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def reencoded(im: Image.Image, quality: int = 60) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(im, quality)))


def resized(im: Image.Image, factor: float = 0.5) -> Image.Image:
    w, h = im.size
    return im.resize((max(1, int(w * factor)), max(1, int(h * factor))), Image.Resampling.LANCZOS)


def rotated(im: Image.Image, degrees: float = 2.0) -> Image.Image:
    return im.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))


def cropped(im: Image.Image, fraction: float = 0.02) -> Image.Image:
    """Trim `fraction` of the width and height, split evenly between the sides."""
    w, h = im.size
    dx, dy = int(w * fraction / 2), int(h * fraction / 2)
    return im.crop((dx, dy, w - dx, h - dy))


def truncated_jpeg(im: Image.Image, keep: float = 0.5) -> bytes:
    data = jpeg_bytes(im)
    return data[: int(len(data) * keep)]


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb as Pillow sees it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00" * 64)  # nowhere near enough data: a real decoder would need width*height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def photo_like_jpeg(size: tuple[int, int] = (4000, 3000), seed: int = 0, quality: int = 92) -> bytes:
    """A camera-sized JPEG (12 MP by default) of a benign synthetic scene, with camera-like EXIF."""
    small = scene((size[0] // 4, size[1] // 4), seed)
    big = small.resize(size, Image.Resampling.BICUBIC)
    # Sensor-like grain at full resolution, so the file decodes like a photograph rather than a flat upscale;
    # sigma 4 makes a 12 MP file about 3.1 MB at quality 92, like the 12 MP phone photos in Meta's PDQ test set.
    grain = np.random.default_rng(seed).normal(0, 4, (size[1], size[0], 1)).astype(np.float32)
    arr = np.clip(np.asarray(big, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F] = "WinnowTestCam"
    exif[0x0110] = "Synthetic 1"
    return jpeg_bytes(Image.fromarray(arr, "RGB"), quality, exif=exif.tobytes())
