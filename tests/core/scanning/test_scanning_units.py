"""Scanner parts: content sniffing, one-pass hashing, the PDQ decode rule, EXIF facts, vPDQ's optional path."""

from __future__ import annotations

import hashlib
import io
import os
import sys
import types

import numpy as np
import pdqhash
import pytest
from PIL import ExifTags, Image

from winnow.core.scanning import filetypes, hashing, pdq, synthetic, walker


def _bytes(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def ham(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


# ----------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_images_are_recognised_by_content(fmt, mime):
    data = _bytes(synthetic.shapes((64, 48), 1), fmt)
    assert filetypes.sniff(data[: filetypes.SNIFF_BYTES]) == (filetypes.IMAGE, mime)


@pytest.mark.parametrize(
    ("head", "kind", "mime"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", "video", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "video", "video/quicktime"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image", "image/heic"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image", "image/avif"),
        (b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4", "video", "video/3gpp"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm", "video", "video/webm"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video", "video/x-msvideo"),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", "video", "video/x-ms-asf"),
        (b"FLV\x01\x05", "video", "video/x-flv"),
        (b"PK\x03\x04", "other", None),
        (b"%PDF-1.7", "other", None),
        (b"", "empty", None),
    ],
)
def test_sniff_table(head, kind, mime):
    assert filetypes.sniff(head) == (kind, mime)


def test_extension_does_not_matter(tmp_path):
    (tmp_path / "holiday.dll").write_bytes(_bytes(synthetic.scene((80, 60), 2), "JPEG"))
    (tmp_path / "photo.jpg").write_bytes(b"just some text, not a picture\n" * 10)
    assert hashing.hash_file(os.fsencode(tmp_path / "holiday.dll")).media_type == "image"
    assert hashing.hash_file(os.fsencode(tmp_path / "photo.jpg")).media_type == "other"


# ----------------------------------------------------------------------------------------------- hashing


def test_one_pass_md5_sha1_and_sha256_across_chunk_boundaries(tmp_path):
    data = os.urandom(3 * hashing.CHUNK + 12345)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    res = hashing.hash_file(os.fsencode(path))
    md5, sha1 = hashlib.md5(data, usedforsecurity=False), hashlib.sha1(data, usedforsecurity=False)
    assert (res.md5, res.sha1, res.sha256) == (md5.hexdigest(), sha1.hexdigest(), hashlib.sha256(data).hexdigest())
    assert res.size == len(data) and res.error is None and res.data is None
    small = hashing.hash_file(os.fsencode(path), chunk=4096)
    assert (small.md5, small.sha1, small.sha256) == (res.md5, res.sha1, res.sha256)


def test_images_are_kept_for_the_pdq_worker_so_they_are_read_once(tmp_path):
    data = _bytes(synthetic.scene((200, 150), 3), "JPEG")
    (tmp_path / "a").write_bytes(data)
    res = hashing.hash_file(os.fsencode(tmp_path / "a"))
    assert res.data == data and res.media_type == "image" and res.mime == "image/jpeg"


def test_hashing_reports_instead_of_raising(tmp_path):
    missing = hashing.hash_file(os.fsencode(tmp_path / "gone"))
    assert missing.md5 is None and missing.error.startswith("cannot open: No such file")
    os.mkfifo(tmp_path / "fifo")  # opened non-blocking, refused after fstat: never hangs
    fifo = hashing.hash_file(os.fsencode(tmp_path / "fifo"))
    assert fifo.error == "no longer a regular file when opened; not read"
    os.symlink("target", tmp_path / "link")
    (tmp_path / "target").write_bytes(b"x")
    assert hashing.hash_file(os.fsencode(tmp_path / "link")).error.startswith("cannot open")  # O_NOFOLLOW


def test_walker_yields_bytes_paths_in_order_and_never_follows_links(tmp_path):
    root = os.fsencode(tmp_path)
    os.makedirs(os.path.join(root, b"d\xff"))
    for name in (b"b", b"a", b"d\xff/\xe9t\xe9"):
        with open(os.path.join(root, name), "wb") as fh:
            fh.write(b"x")
    os.symlink(b"..", os.path.join(root, b"d\xff/up"))
    os.symlink(b"a", os.path.join(root, b"to_a"))
    os.symlink(b"self", os.path.join(root, b"self"))
    got = [(e.rel, e.kind, bool(e.error)) for e in walker.walk(root)]
    assert got == [
        (b"a", "file", False),
        (b"b", "file", False),
        (b"self", "symlink", True),
        (b"to_a", "symlink", False),
        (b"d\xff/up", "symlink", True),
        (b"d\xff/\xe9t\xe9", "file", False),
    ]
    assert walker.display(b"d\xff/\xe9t\xe9") == "d\\xff/\\xe9t\\xe9"


# ----------------------------------------------------------------------------------------------- PDQ rule


def _full_resolution_pdq(data: bytes) -> str:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    bits, _ = pdqhash.compute(np.asarray(im))
    return pdq.bits_to_hex(bits)


def test_draft_decoding_stays_within_8_bits_of_full_resolution():
    for seed in range(3):
        data = synthetic.photo_like_jpeg((2400, 1800), seed)
        got = pdq.analyse_image(data, None)
        assert got["pdq_status"] == "ok" and got["width"] == 2400
        assert ham(got["pdq"], _full_resolution_pdq(data)) <= 8


def test_draft_is_actually_used():
    im = Image.open(io.BytesIO(synthetic.photo_like_jpeg((2400, 1800), 0)))
    prepared = pdq.prepare(im)
    assert prepared.mode == "RGB" and 512 <= min(prepared.size) < 1024


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA", "CMYK", "I;16", "1"])
def test_every_mode_becomes_8_bit_rgb(mode):
    base = synthetic.scene((320, 240), 4)
    ref = pdq.analyse_image(_bytes(base, "PNG"), None)["pdq"]
    im = (
        base.convert(mode)
        if mode != "I;16"
        else Image.fromarray(np.asarray(base.convert("L"), dtype=np.uint16) * 257)
    )
    assert im.mode == mode
    fmt = "TIFF" if mode == "CMYK" else "PNG"
    got = pdq.analyse_image(_bytes(im, fmt), None)
    assert got["pdq_status"] in ("ok", "low-quality") and len(got["pdq"]) == 64
    if mode in ("L", "LA", "P", "RGBA", "CMYK"):
        assert ham(got["pdq"], ref) <= 16, mode


def test_large_non_jpeg_images_are_box_reduced_first():
    im = Image.linear_gradient("L").resize((2400, 2100)).convert("RGB")
    prepared = pdq.prepare(Image.open(io.BytesIO(_bytes(im, "PNG"))))
    assert prepared.size == (1200, 1050)


def test_low_quality_is_kept_but_unhashable():
    flat = Image.new("RGB", (256, 256), (120, 130, 140))
    got = pdq.analyse_image(_bytes(flat, "PNG"), None)
    assert got["pdq_quality"] < pdq.QUALITY_THRESHOLD and got["pdq_status"] == "low-quality"


def test_truncated_and_bomb_images_are_errors_not_crashes():
    cut = pdq.analyse_image(synthetic.truncated_jpeg(synthetic.scene((400, 300), 6)), None)
    assert cut["pdq_status"] == "error" and "truncated" in cut["error"] and "pdq" not in cut
    bomb = pdq.analyse_image(synthetic.bomb_png(), None)
    assert bomb["pdq_status"] == "error" and bomb["error"].startswith("decompression bomb")
    # between one and two times the limit Pillow only warns: promoted to an error too
    pdq.init_worker(1000 * 1000)
    try:
        warn = pdq.analyse_image(synthetic.bomb_png(1500, 1000), None)
    finally:
        pdq.init_worker(None)
    assert warn["error"].startswith("decompression bomb")
    junk = pdq.analyse_image(b"\xff\xd8\xff" + os.urandom(2000), None)
    assert junk["pdq_status"] == "error"


def test_exif_facts_without_coordinates():
    im = synthetic.scene((320, 240), 7)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "WinnowCam\x00"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.DateTime] = "2024:05:06 07:08:09"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:06 07:00:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[1] = "N"  # GPSLatitudeRef: presence is all we record
    got = pdq.analyse_image(_bytes(im, "JPEG", exif=exif.tobytes()), None)
    assert got["exif_make"] == "WinnowCam" and got["exif_model"] == "Model 7"
    assert (
        got["exif_datetime_original"] == "2024:05:06 07:00:00"
        and got["exif_datetime"] == "2024:05:06 07:08:09"
    )
    assert got["exif_gps"] is True
    plain = pdq.analyse_image(_bytes(im, "JPEG"), None)
    assert not any(k.startswith("exif_") for k in plain)


@pytest.mark.parametrize(
    ("orientation", "stored_as"),
    [
        (6, Image.Transpose.ROTATE_90),
        (8, Image.Transpose.ROTATE_270),
        (3, Image.Transpose.ROTATE_180),
        (2, Image.Transpose.FLIP_LEFT_RIGHT),
    ],
)
def test_exif_orientation_rule(orientation, stored_as):
    """pdq hashes the pixels as stored; pdq_oriented hashes what a viewer shows, which is the original."""
    original = synthetic.scene((480, 360), 8)
    ref = pdq.analyse_image(_bytes(original, "JPEG", quality=95), None)["pdq"]
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    stored = original.transpose(stored_as)  # a camera that stores sensor pixels and tags the rotation
    got = pdq.analyse_image(_bytes(stored, "JPEG", quality=95, exif=exif.tobytes()), None)
    assert got["exif_orientation"] == orientation
    assert ham(got["pdq"], ref) > 31  # as stored: not the same picture to PDQ
    assert ham(got["pdq_oriented"], ref) <= 16  # as displayed: the same picture
    upright = pdq.analyse_image(_bytes(original, "JPEG"), None)
    assert "pdq_oriented" not in upright


def test_vpdq_is_skipped_with_a_note_when_not_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "vpdq", None)  # import fails
    assert pdq.vpdq_available() is False
    assert pdq.analyse_video(b"/nonexistent.mp4") == {"pdq_status": "skipped", "note": pdq.VPDQ_MISSING_NOTE}


def test_vpdq_is_used_when_importable(monkeypatch):
    frames = [
        types.SimpleNamespace(frame_number=i, quality=q, hex=f"{i:064x}", timestamp=float(i))
        for i, q in enumerate((100, 20))
    ]
    fake = types.SimpleNamespace(computeHash=lambda path, seconds_per_hash: frames)
    monkeypatch.setitem(sys.modules, "vpdq", fake)
    got = pdq.analyse_video(b"/some/video.mp4")
    assert got["pdq_status"] == "ok"
    assert got["vpdq"] == '[[0, 100, "' + "0" * 64 + '", 0.0], [1, 20, "' + "0" * 63 + '1", 1.0]]'
