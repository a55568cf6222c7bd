"""PDQ for images (and vPDQ for videos when the optional `vpdq` package is installed), plus EXIF facts.

Runs in worker processes: pdqhash holds the GIL, so threads would not help (formats.md §4).

The decode-and-hash rule, checked against Meta's reference values (docs/benchmarks/triage.md):

* JPEG: Pillow draft decoding `draft("RGB", (512, 512))`: libjpeg's DCT scaling picks the largest 1/2, 1/4 or
  1/8 reduction that keeps both sides at least 512 px, so a 12-megapixel photo decodes at about 1000x750 instead
  of 4000x3000, about ten times faster. pdqhash's own Jarosz filters then downsample to 64x64 as usual. Drift
  against full-resolution hashing stayed within 6 bits on Meta's reference photos (Meta treats 10 as agreement).
  We do not resize further with Pillow: a bilinear resize to 512 moved hashes up to 12 bits in the same test.
* Other formats: decoded in full; when the shorter side is 2048 px or more, `Image.reduce(k)` (box filter,
  k = shorter // 1024) first, which keeps at least 1024 px per side (0-2 bits of drift on the reference photos).
* Always 8-bit RGB: `convert("RGB")` for every other mode (palette, greyscale, alpha, CMYK, 16-bit), exactly as
  Meta's Python pipeline does, so hashes agree with theirs; multi-frame files hash their first frame.
* EXIF orientation is NOT applied before hashing. The stored pixel array is what Meta's reference pipeline and
  every PDQ-producing tool we know hash, so hash sets computed elsewhere match ours; applying the tag would make
  every rotated phone photo disagree with them. Because a copy may have been saved "as displayed" by software
  that did apply the tag, when the tag says the picture is shown rotated or flipped (orientation 2-8) we also
  record `pdq_oriented`: the PDQ of the image as displayed, taken from pdqhash's dihedral variants of the same
  decode (no second decode). The matcher searches both.
* Quality below 50 (Meta's threshold) is kept but counted unhashable (`pdq_status = "low-quality"`).
* Decompression bombs: Image.MAX_IMAGE_PIXELS (Pillow's default, about 89.5 megapixels, unless configured) is
  enforced as a hard limit: Pillow's warning between one and two times the limit is promoted to an error, so
  such files are reported and not decoded. Truncated files are errors too (LOAD_TRUNCATED_IMAGES stays off:
  a half-decoded picture would give a misleading hash).
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import warnings
from typing import Any

import numpy as np
import pdqhash  # type: ignore[import-untyped]
from PIL import ExifTags, Image, UnidentifiedImageError

from winnow.core.dihedral import DIHEDRAL_TRANSFORMS  # noqa: F401 - re-exported beside the hashing

QUALITY_THRESHOLD = 50
DRAFT_SIZE = (512, 512)
REDUCE_FROM = 2048  # shorter side at which non-JPEG images are box-reduced first
REDUCE_TO = 1024

# EXIF orientation -> index into pdqhash.compute_dihedral's list
# (original, rot90, rot180, rot270, flipX, flipY, flip+1, flip-1), matched to what ImageOps.exif_transpose shows.
ORIENTATION_VARIANT = {2: 5, 3: 2, 4: 4, 5: 6, 6: 3, 7: 7, 8: 1}

DEFAULT_MAX_PIXELS = Image.MAX_IMAGE_PIXELS



def init_worker(max_pixels: int | None, scanner_pid: int | None = None) -> None:
    """Process-pool initializer: the decompression-bomb limit for this worker, and a watchdog that ends the
    worker when the scan process is gone (a SIGKILLed scan must not leave idle workers behind: they hold both
    ends of their job queue, so they would otherwise wait forever)."""
    Image.MAX_IMAGE_PIXELS = max_pixels if max_pixels is not None else DEFAULT_MAX_PIXELS
    if scanner_pid is not None:
        threading.Thread(target=_watch, args=(scanner_pid,), name="winnow-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")  # a killed scan not yet reaped is a zombie: dead
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(pid: int) -> None:
    while _alive(pid):
        time.sleep(0.5)
    os._exit(0)


def bits_to_hex(bits: Any) -> str:
    """pdqhash's 256-element bit vector (most significant first) -> 64 lower-case hex digits."""
    return bytes(np.packbits(np.asarray(bits, dtype=np.uint8))).hex()


def _clean(value: object, limit: int = 200) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text[:limit] or None


def exif_facts(im: Image.Image) -> dict[str, Any]:
    """Make, model, timestamps, orientation and whether GPS data is present (never the coordinates)."""
    facts: dict[str, Any] = {}
    try:
        exif = im.getexif()
    except Exception:  # noqa: BLE001 - malformed EXIF must not stop hashing
        return facts
    if not exif:
        return facts
    try:
        facts["exif_make"] = _clean(exif.get(ExifTags.Base.Make))
        facts["exif_model"] = _clean(exif.get(ExifTags.Base.Model))
        facts["exif_datetime"] = _clean(exif.get(ExifTags.Base.DateTime), 40)
        orientation = exif.get(ExifTags.Base.Orientation)
        facts["exif_orientation"] = int(orientation) if isinstance(orientation, int) else None
        try:
            sub = exif.get_ifd(ExifTags.IFD.Exif)
        except Exception:  # noqa: BLE001
            sub = {}
        facts["exif_datetime_original"] = _clean(sub.get(ExifTags.Base.DateTimeOriginal), 40)
        gps_present = ExifTags.IFD.GPSInfo in exif
        if gps_present:
            try:
                gps_present = bool(exif.get_ifd(ExifTags.IFD.GPSInfo))
            except Exception:  # noqa: BLE001
                gps_present = True  # a pointer to GPS data is there, even if unreadable
        facts["exif_gps"] = gps_present
    except Exception:  # noqa: BLE001 - keep whatever was read before the malformed field
        facts["note"] = "EXIF partly unreadable (malformed field)"
    return {k: v for k, v in facts.items() if v is not None}


def prepare(im: Image.Image) -> Image.Image:
    """Decode at reduced size where that is safe (see module docstring) and return 8-bit RGB."""
    if im.format == "JPEG":
        im.draft("RGB", DRAFT_SIZE)
    else:
        short = min(im.size)
        if short >= REDUCE_FROM:
            if im.mode != "RGB":
                im = im.convert("RGB")
            im = im.reduce(short // REDUCE_TO)
    if im.mode != "RGB":
        im = im.convert("RGB")
    else:
        im.load()
    return im


def hash_image(im: Image.Image, orientation: int | None = None) -> tuple[str, int, str | None]:
    """(pdq hex, quality, pdq of the EXIF-oriented view or None) for an image opened by Pillow."""
    pdq, quality, oriented, _ = hash_image_dihedral(im, orientation, dihedral=False)
    return pdq, quality, oriented


def hash_image_dihedral(
    im: Image.Image, orientation: int | None = None, *, dihedral: bool = True
) -> tuple[str, int, str | None, tuple[str, ...] | None]:
    """As `hash_image`, plus the other seven dihedral PDQs (DIHEDRAL_TRANSFORMS[1:]) when `dihedral`. pdqhash
    derives all eight from one DCT, as Meta's reference implementation does, so they cost little more than one."""
    rgb = prepare(im)
    arr = np.asarray(rgb)
    variant = ORIENTATION_VARIANT.get(orientation or 1)
    if variant is None and not dihedral:
        bits, quality = pdqhash.compute(arr)
        return bits_to_hex(bits), int(quality), None, None
    hashes, quality = pdqhash.compute_dihedral(arr)
    hexes = tuple(bits_to_hex(h) for h in hashes)
    return hexes[0], int(quality), (hexes[variant] if variant is not None else None), (hexes[1:] if dihedral else None)


def analyse_image(
    data: bytes | bytearray | None, path: bytes | None, compute_pdq: bool = True, dihedral: bool = True
) -> dict[str, Any]:
    """Everything the result file records about an image. Never raises: failures become pdq_status "error"."""
    out: dict[str, Any] = {}
    source: Any = io.BytesIO(data) if data is not None else path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as im:
                out["width"], out["height"] = im.size
                out.update(exif_facts(im))
                if not compute_pdq:
                    out["pdq_status"] = "disabled"
                    return out
                pdq, quality, oriented, variants = hash_image_dihedral(
                    im, out.get("exif_orientation"), dihedral=dihedral
                )
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        out["pdq_status"] = "error"
        out["error"] = f"decompression bomb, not decoded: {exc}"
        return out
    except UnidentifiedImageError:
        out["pdq_status"] = "error"
        out["error"] = "image not decodable (format not supported or corrupt header)"
        return out
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        out["pdq_status"] = "error"
        text = str(exc) or type(exc).__name__
        out["error"] = f"truncated image: {text}" if "truncated" in text else f"image decode failed: {text}"
        return out
    except Exception as exc:  # noqa: BLE001 - a hostile file must never stop the scan
        out["pdq_status"] = "error"
        out["error"] = f"image decode failed: {type(exc).__name__}: {exc}"
        return out
    out["pdq"] = pdq
    out["pdq_quality"] = quality
    if oriented is not None:
        out["pdq_oriented"] = oriented
    if variants is not None:
        out["pdq_dihedral"] = ",".join(variants)
    out["pdq_status"] = "ok" if quality >= QUALITY_THRESHOLD else "low-quality"
    return out


# ----------------------------------------------------------------------------------------------------- videos

VPDQ_MISSING_NOTE = "vPDQ skipped: the optional vpdq package (FFmpeg-based) is not installed"


def vpdq_available() -> bool:
    try:
        import vpdq  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def analyse_video(path: bytes, compute: bool = True) -> dict[str, Any]:
    """vPDQ frame hashes (one per second) when `vpdq` imports; otherwise a clear "skipped" note."""
    if not compute:
        return {"pdq_status": "disabled"}
    try:
        import vpdq
    except ImportError:
        return {"pdq_status": "skipped", "note": VPDQ_MISSING_NOTE}
    try:
        features = vpdq.computeHash(path.decode("utf-8", "surrogateescape"), seconds_per_hash=1)
    except Exception as exc:  # noqa: BLE001
        return {"pdq_status": "error", "error": f"vPDQ failed: {type(exc).__name__}: {exc}"}
    frames = []
    for f in features:
        hex_value = getattr(f, "hex", None) or str(getattr(f, "hash", ""))
        frames.append(
            [
                getattr(f, "frame_number", None),
                getattr(f, "quality", None),
                hex_value,
                getattr(f, "timestamp", None),
            ]
        )
    good = [fr for fr in frames if isinstance(fr[1], int) and fr[1] >= QUALITY_THRESHOLD]
    return {
        "vpdq": json.dumps(frames),
        "pdq_status": "ok" if good else "low-quality",
    }


def analyse(
    kind: str, data: bytes | bytearray | None, path: bytes, compute: bool, dihedral: bool = True
) -> dict[str, Any]:
    """Worker entry point."""
    if kind == "video":
        return analyse_video(path, compute)
    return analyse_image(data, path if data is None else None, compute, dihedral)
