"""A benign generated "collection" scanned by the real scanner, and small fictional hash sets (shared by the triage
tests and the browser journey). Every image is a generated gradient / shapes / noise picture."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from winnow.core.scanning import scan
from winnow.core.scanning import synthetic as syn
from winnow.core.scanning.pdq import hash_image

CAMERA_MAKE, CAMERA_MODEL = "Fictocam", "FC-100"


def _exif_jpeg(im: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE
    exif[0x0110] = CAMERA_MODEL
    return syn.jpeg_bytes(im, exif=exif.tobytes())


class Collection:
    """What the fixture collection holds, and the facts the tests expect."""

    def __init__(self, root: Path, result: Path, known_md5: str, near_pdq: str, nsrl_md5: str, cluster_md5s: list[str]):
        self.root, self.result = root, result
        self.known_md5, self.near_pdq, self.nsrl_md5, self.cluster_md5s = known_md5, near_pdq, nsrl_md5, cluster_md5s

    def csv_set(self, directory: Path) -> Path:
        """A fictional reference list: one exact MD5 (category A) and one PDQ (category B), plus one unseen hash."""
        path = directory / "fictional-list.csv"
        path.write_text("md5,pdq,category\n"
                        f"{self.known_md5},,A\n"
                        f",{self.near_pdq},B\n"
                        f"{'0' * 31}1,,\n")
        return path

    def nsrl_set(self, directory: Path) -> Path:
        path = directory / "NSRLFile.txt"
        path.write_text('"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
                        f'"{"A" * 40}","{self.nsrl_md5.upper()}","00000000","readme.txt",5,1,"WIN",""\n')
        return path


def make_collection(base: Path) -> Collection:
    root = base / "exhibit"
    (root / "sub").mkdir(parents=True)
    known = syn.jpeg_bytes(syn.scene((320, 240), seed=1))
    (root / "known.jpg").write_bytes(known)
    (root / "sub" / "known-again.jpg").write_bytes(known)  # a second instance of the same hash
    original = syn.scene((320, 240), seed=2)
    near_pdq = hash_image(original)[0]
    (root / "near.jpg").write_bytes(syn.jpeg_bytes(syn.resized(syn.reencoded(original), 0.8)))
    series = syn.scene((400, 300), seed=10)
    copies = [series, syn.reencoded(series, 50), syn.resized(series, 0.7)]
    cluster_md5s = []
    for i, im in enumerate(copies):
        data = _exif_jpeg(im)
        (root / f"series-{i}.jpg").write_bytes(data)
        cluster_md5s.append(hashlib.md5(data).hexdigest())  # noqa: S324 - a file hash, not security
    (root / "lonely.png").write_bytes(syn.png_bytes(syn.noise((300, 300), seed=20)))
    flat = io.BytesIO()
    Image.new("RGB", (200, 200), (128, 128, 128)).save(flat, "PNG")
    (root / "flat.png").write_bytes(flat.getvalue())
    (root / "readme.txt").write_bytes(b"hello")
    result = base / "exhibit.scan.sqlite"
    scan(root, result, now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), workers=2)
    return Collection(root, result, hashlib.md5(known).hexdigest(), near_pdq,  # noqa: S324
                      hashlib.md5(b"hello").hexdigest(), cluster_md5s)  # noqa: S324
