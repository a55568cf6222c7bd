"""Two exhibits of two units that share unknown material: benign generated pictures (gradients, shapes, noise),
some copies re-encoded or resized, scanned by the real scanner. Nothing here is or resembles abuse imagery."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from winnow.core.scanning import scan
from winnow.core.scanning import synthetic as syn

MAKE, MODEL = "Fictocam", "FC-100"
TAKEN = "2026:10:01 10:00:00"


def _jpeg(im: Image.Image, *, camera: bool = True, taken: str = TAKEN, quality: int = 90) -> bytes:
    exif = Image.Exif()
    if camera:
        exif[0x010F] = MAKE
        exif[0x0110] = MODEL
        exif[0x0132] = taken
    return syn.jpeg_bytes(im, quality=quality, exif=exif.tobytes())


@dataclass
class Scene:
    north_result: Path
    east_result: Path
    shared_md5s: list[str]  # north's two members of the shared series
    north_only_md5s: list[str]
    unrelated_md5: str  # in the first hash set, so summaries have something loaded


def _scan(root: Path, files: dict[str, bytes], out: Path) -> Path:
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    scan(root, out, now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), workers=1)
    return out


def make_scene(base: Path) -> Scene:
    shared = syn.scene((400, 300), seed=10)
    original = _jpeg(shared)
    reencoded = _jpeg(syn.reencoded(shared, 50))
    own = syn.scene((400, 300), seed=30)
    own_a, own_b = _jpeg(own), _jpeg(syn.resized(own, 0.6))
    known = syn.jpeg_bytes(syn.scene((320, 240), seed=1))
    north = _scan(base / "north", {
        "a.jpg": original, "b.jpg": reencoded, "c.jpg": own_a, "d.jpg": own_b,
        "lonely.png": syn.png_bytes(syn.noise((300, 300), seed=20)), "known.jpg": known,
    }, base / "north.scan.sqlite")
    east = _scan(base / "east", {
        "x.jpg": original,  # the same file
        "y.jpg": _jpeg(syn.resized(shared, 0.7), camera=False),  # a resized copy
        "z.png": syn.png_bytes(syn.noise((300, 300), seed=21)),
    }, base / "east.scan.sqlite")
    md5 = lambda b: hashlib.md5(b).hexdigest()  # noqa: E731, S324 - file hashes, not security
    return Scene(north, east, [md5(original), md5(reencoded)], [md5(own_a), md5(own_b)], md5(known))
