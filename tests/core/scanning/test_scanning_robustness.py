"""A hostile evidence tree scans to the end with every problem reported.

Unreadable files when the tests run as root: root ignores chmod 000, so the test makes files unreadable the ways
a scan meets them in practice and that root cannot bypass:
  * `hashing._open` is monkeypatched to raise PermissionError for names containing "unreadable" (what a
    chmod 000 file gives a non-root examiner), and to delete a file just before opening it (a file that
    vanishes between listing and reading, as on a live system);
  * `walker._scandir` is monkeypatched to refuse one directory (an unlistable directory);
  * a real FIFO, which must never be opened (it would block the scan);
  * when not running as root, a real chmod 000 file and a chmod 000 directory as well.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from winnow.core.scanning import hashing, read_meta, read_rows, scan, synthetic, walker
from winnow.core.scanning.result import ResultFileError

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SPARSE = 2 << 30  # 2 GiB
ZEROS_2GIB_MD5 = "a981130cf2b7e09f4686dc273cf7187e"
ZEROS_2GIB_SHA1 = "91d50642dd930e9542c39d36f0516d45f4e1af0d"


def build_hostile_tree(root: bytes) -> None:
    def write(rel: bytes, data: bytes) -> None:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)

    write(b"photos/ok.jpg", synthetic.jpeg_bytes(synthetic.scene((640, 480), 1)))
    write(b"photos/renamed.txt", synthetic.png_bytes(synthetic.scene((320, 240), 2)))  # image by content
    write(b"photos/truncated.jpg", synthetic.truncated_jpeg(synthetic.scene((640, 480), 3)))
    write(b"photos/bomb.png", synthetic.bomb_png())
    write(b"photos/flat.png", synthetic.png_bytes(synthetic.gradient((128, 128), 3)))  # PDQ quality < 50
    write(b"photos/unreadable.jpg", synthetic.jpeg_bytes(synthetic.scene((64, 64), 4)))
    write(b"docs/unreadable-notes.bin", os.urandom(1000))
    write(b"docs/vanishing.bin", os.urandom(1000))
    write(b"docs/empty-1", b"")
    write(b"docs/empty-2.jpg", b"")
    write(b"docs/not-a-video.mp4", b"plain text pretending\n")
    write(b"names/caf\xe9-latin1.jpg", synthetic.jpeg_bytes(synthetic.scene((100, 80), 5)))
    write(b"names/\xff\xfe-not-utf8.bin", b"bytes")
    write(b"names/\xe2\x82\xac-utf8.bin", b"euro")
    write(b"locked/inside.bin", b"never listed")
    write(b"loops/real.bin", b"r")
    os.symlink(b".", os.path.join(root, b"loops/dot"))  # points at its own directory
    os.symlink(b"../..", os.path.join(root, b"loops/up"))  # points above itself
    os.symlink(b"b", os.path.join(root, b"loops/a"))
    os.symlink(b"a", os.path.join(root, b"loops/b"))  # a -> b -> a: ELOOP
    os.symlink(b"real.bin", os.path.join(root, b"loops/to-real"))
    os.symlink(b"/nonexistent/target", os.path.join(root, b"loops/dangling"))
    os.mkfifo(os.path.join(root, b"special-fifo"))
    with open(os.path.join(root, b"sparse-2GiB.img"), "wb") as fh:
        fh.truncate(SPARSE)  # a hole: no disk used, 2 GiB of zeros to read
    if os.geteuid() != 0:
        write(b"perm/chmod000.bin", b"secret")
        os.chmod(os.path.join(root, b"perm/chmod000.bin"), 0)
        os.makedirs(os.path.join(root, b"perm/noexec/sub"))
        os.chmod(os.path.join(root, b"perm/noexec"), 0o600)


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    root = os.fsencode(tmp_path / "evidence")
    os.makedirs(root)
    build_hostile_tree(root)
    real_open = hashing._open
    real_scandir = walker._scandir

    def flaky_open(path: bytes) -> int:
        name = os.path.basename(path)
        if b"unreadable" in name:
            raise PermissionError(13, "Permission denied", path)
        if name == b"vanishing.bin":
            os.unlink(path)  # gone between the listing and the read
        return real_open(path)

    def guarded_scandir(path):
        if os.path.basename(path) == b"locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(hashing, "_open", flaky_open)
    monkeypatch.setattr(walker, "_scandir", guarded_scandir)
    yield root
    if os.geteuid() != 0:
        os.chmod(os.path.join(root, b"perm/noexec"), 0o700)


def test_a_hostile_tree_scans_to_the_end_with_every_problem_reported(hostile, tmp_path):
    out = tmp_path / "result.sqlite"
    started = time.monotonic()
    summary = scan(os.fsdecode(hostile), out, now=NOW, workers=2)
    elapsed = time.monotonic() - started
    rows = {r["path"]: r for r in read_rows(out)}

    # every non-UTF-8 name survives byte for byte, and every entry on disk has a row
    on_disk = set()
    for dirpath, dirnames, filenames in os.walk(hostile):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            on_disk.add(os.path.relpath(os.path.join(dirpath, name), hostile))
    on_disk.discard(b"docs/vanishing.bin")  # deleted during the scan, by the test
    assert on_disk - {b"locked/inside.bin"} <= set(rows)
    assert rows[b"names/caf\xe9-latin1.jpg"]["path_display"] == "names/caf\\xe9-latin1.jpg"
    assert rows[b"names/caf\xe9-latin1.jpg"]["pdq_status"] == "ok"
    assert (
        rows[b"names/\xff\xfe-not-utf8.bin"]["md5"]
        == hashlib.md5(b"bytes", usedforsecurity=False).hexdigest()
    )
    assert rows["names/\u20ac-utf8.bin".encode()]["path_display"] == "names/\u20ac-utf8.bin"

    def err(rel: bytes) -> str:
        return rows[rel]["error"] or ""

    # unreadable, vanished, unlistable
    assert err(b"photos/unreadable.jpg") == "cannot open: Permission denied"
    assert err(b"docs/unreadable-notes.bin") == "cannot open: Permission denied"
    assert err(b"docs/vanishing.bin").startswith("cannot open: No such file")
    assert rows[b"locked"]["entry_type"] == "directory" and err(b"locked").startswith("cannot list directory")
    # symlinks: loops reported as errors, the rest noted; none followed
    for loop in (b"loops/dot", b"loops/up", b"loops/a", b"loops/b"):
        assert rows[loop]["entry_type"] == "symlink" and err(loop).startswith("symlink loop"), loop
    assert (
        rows[b"loops/to-real"]["note"].startswith("symlink to file") and rows[b"loops/to-real"]["md5"] is None
    )
    assert rows[b"loops/dangling"]["note"].startswith("dangling symlink")
    # the FIFO is recorded, never opened
    assert rows[b"special-fifo"]["entry_type"] == "special" and rows[b"special-fifo"]["note"].startswith(
        "FIFO"
    )
    # zero-byte files
    for empty in (b"docs/empty-1", b"docs/empty-2.jpg"):
        assert (
            rows[empty]["media_type"] == "empty" and rows[empty]["md5"] == "d41d8cd98f00b204e9800998ecf8427e"
        )
    # images: by content; truncated, bomb and flat are unhashable with reasons
    assert rows[b"photos/renamed.txt"]["media_type"] == "image" and rows[b"photos/renamed.txt"]["pdq"]
    assert rows[b"docs/not-a-video.mp4"]["media_type"] == "other"
    assert rows[b"photos/truncated.jpg"]["pdq_status"] == "error" and "truncated" in err(
        b"photos/truncated.jpg"
    )
    assert rows[b"photos/bomb.png"]["pdq_status"] == "error" and "decompression bomb" in err(
        b"photos/bomb.png"
    )
    assert rows[b"photos/bomb.png"]["md5"]  # still hashed: it is evidence
    assert (
        rows[b"photos/flat.png"]["pdq_status"] == "low-quality"
        and rows[b"photos/flat.png"]["pdq_quality"] < 50
    )
    assert rows[b"photos/ok.jpg"]["pdq_status"] == "ok" and rows[b"photos/ok.jpg"]["pdq_quality"] >= 50
    # the 2 GiB sparse file is read to the end
    sparse = rows[b"sparse-2GiB.img"]
    assert (sparse["size"], sparse["md5"], sparse["sha1"]) == (SPARSE, ZEROS_2GIB_MD5, ZEROS_2GIB_SHA1)
    if os.geteuid() != 0:
        assert err(b"perm/chmod000.bin") == "cannot open: Permission denied"
        assert err(b"perm/noexec").startswith("cannot list directory")

    # the summary counts the same problems; nothing is pending
    assert all(r["pdq_status"] != "pending" for r in rows.values())
    problems = {r["path"] for r in rows.values() if r["error"]}
    assert summary.errors == len(problems) >= 10
    assert summary.unhashable == 3 and summary.symlinks == 6 and summary.special == 1
    assert summary.empty == 2
    meta = read_meta(out)
    assert meta["format"] == "winnow-scan" and meta["finished_at"] == NOW.isoformat()
    assert "orientation" in meta["exif_orientation_rule"]
    assert elapsed < 60, f"hostile tree took {elapsed:.1f}s"  # hashing 2 GiB of zeros dominates (~5 s)


def test_the_result_belongs_to_one_root(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_bytes(name.encode())
    out = tmp_path / "r.sqlite"
    scan(tmp_path / "a", out, now=NOW, pdq_enabled=False)
    with pytest.raises(ResultFileError, match="holds a scan of"):
        scan(tmp_path / "b", out, now=NOW)
    (tmp_path / "junk.sqlite").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ResultFileError):
        scan(tmp_path / "a", tmp_path / "junk.sqlite", now=NOW)
    with pytest.raises(NotADirectoryError):
        scan(tmp_path / "a" / "f", tmp_path / "x.sqlite", now=NOW)


def test_no_pdq_still_records_exif_and_types(tmp_path):
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "a.jpg").write_bytes(synthetic.photo_like_jpeg((400, 300), 1))
    out = tmp_path / "r.sqlite"
    summary = scan(tmp_path / "ev", out, now=NOW, pdq_enabled=False)
    (row,) = read_rows(out)
    assert row["pdq"] is None and row["pdq_status"] == "disabled" and row["exif_make"] == "WinnowTestCam"
    assert summary.images == 1 and summary.unhashable == 0
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_images_too_large_to_keep_are_read_again_by_the_pdq_worker(tmp_path, monkeypatch):
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "big.jpg").write_bytes(synthetic.jpeg_bytes(synthetic.scene((640, 480), 9)))
    monkeypatch.setattr(hashing, "KEEP_IMAGE_BYTES", 1000)  # everything is "too large" to keep in memory
    assert hashing.hash_file(os.fsencode(tmp_path / "ev" / "big.jpg")).data is None
    out = tmp_path / "r.sqlite"
    scan(tmp_path / "ev", out, now=NOW, workers=1)
    (row,) = read_rows(out)
    assert row["pdq_status"] == "ok" and row["pdq_quality"] == 100
