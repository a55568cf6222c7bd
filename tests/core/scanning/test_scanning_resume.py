"""A scan killed with SIGKILL mid-way and rerun finishes without re-hashing completed files.

The proof: the first scan runs in a subprocess (slowed by a 15 ms sleep per file so it can be caught mid-way)
and is SIGKILLed once the result file holds committed rows. The rerun happens in this process with
`hashing.hash_file` wrapped to log every path it reads; the log must contain exactly the files that the killed
run had not committed, and none that it had.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

from winnow.core.scanning import hashing, read_rows, scan, synthetic

NOW = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
FILES = 300
IMAGES = 12


def _committed(out) -> set[bytes]:
    if not os.path.exists(out):
        return set()
    con = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    try:
        return {bytes(p) for (p,) in con.execute("SELECT path FROM files WHERE md5 IS NOT NULL")}
    except sqlite3.Error:
        return set()
    finally:
        con.close()


def test_sigkill_mid_scan_then_resume_does_not_rehash(tmp_path, monkeypatch):
    root = tmp_path / "evidence"
    for i in range(FILES):
        sub = root / f"d{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:04d}.bin").write_bytes(os.urandom(20_000 + i))
    for i in range(IMAGES):
        (root / f"img{i:02d}.jpg").write_bytes(synthetic.jpeg_bytes(synthetic.scene((320, 240), i)))
    out = tmp_path / "scan.sqlite"

    script = textwrap.dedent(f"""
        import time
        from datetime import datetime, UTC
        from winnow.core.scanning import hashing, scan
        real = hashing.hash_file
        def slow(path, **kw):
            time.sleep(0.015)
            return real(path, **kw)
        hashing.hash_file = slow
        scan({str(root)!r}, {str(out)!r}, now=datetime(2026, 1, 1, tzinfo=UTC), workers=2)
        print("FINISHED")
    """)
    # files, not pipes: the killed scan's worker processes must not be able to keep a test waiting on a pipe
    log = tmp_path / "first-run.log"
    with open(log, "wb") as logf:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=logf, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 60
        try:
            while len(_committed(out)) < 60:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "first scan never committed anything"
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert "FINISHED" not in log.read_text()

    done_before = _committed(out)
    total = FILES + IMAGES
    assert 60 <= len(done_before) < total, len(done_before)

    hashed_now: list[bytes] = []
    real = hashing.hash_file

    def logged(path: bytes, **kw):
        hashed_now.append(os.path.relpath(path, os.fsencode(root)))
        return real(path, **kw)

    monkeypatch.setattr(hashing, "hash_file", logged)
    summary = scan(root, out, now=NOW, workers=2)

    assert summary.resumed
    assert not set(hashed_now) & done_before, "a file recorded before the kill was hashed again"
    assert len(hashed_now) == len(set(hashed_now)) == total - len(done_before)
    assert summary.hashed_this_run == total - len(done_before) and summary.skipped_this_run == len(
        done_before
    )

    rows = list(read_rows(out))
    assert len(rows) == total and all(r["md5"] and r["sha1"] for r in rows)
    assert all(r["pdq_status"] == "ok" for r in rows if r["media_type"] == "image")  # pending PDQs finished
    assert {r["path"] for r in rows if r["run_id"] == 1} == done_before  # rows keep the run that hashed them
    con = sqlite3.connect(out)
    runs = con.execute("SELECT id, status, files_hashed, files_skipped FROM runs ORDER BY id").fetchall()
    assert runs == [(1, "running", 0, 0), (2, "finished", total - len(done_before), len(done_before))]

    # a third run over a finished result hashes nothing
    hashed_now.clear()
    again = scan(root, out, now=NOW, workers=2)
    assert hashed_now == [] and again.skipped_this_run == total


def test_changed_files_are_hashed_again_on_resume(tmp_path, monkeypatch):
    root = tmp_path / "ev"
    root.mkdir()
    (root / "a").write_bytes(b"one")
    (root / "b").write_bytes(b"two")
    out = tmp_path / "r.sqlite"
    scan(root, out, now=NOW, pdq_enabled=False)
    (root / "b").write_bytes(b"two, changed")
    seen = []
    real = hashing.hash_file
    monkeypatch.setattr(hashing, "hash_file", lambda p, **kw: seen.append(p) or real(p, **kw))
    scan(root, out, now=NOW, pdq_enabled=False)
    assert [os.path.basename(p) for p in seen] == [b"b"]
    assert {r["path"]: r["size"] for r in read_rows(out)} == {b"a": 3, b"b": 12}


def test_the_result_records_sha256_and_an_older_file_without_the_column_gains_it_on_resume(tmp_path):
    import hashlib

    root = tmp_path / "ev"
    root.mkdir()
    (root / "a").write_bytes(b"one")
    out = tmp_path / "r.sqlite"
    scan(root, out, now=NOW, pdq_enabled=False)
    assert [r["sha256"] for r in read_rows(out)] == [hashlib.sha256(b"one").hexdigest()]
    con = sqlite3.connect(out)
    con.execute("ALTER TABLE files DROP COLUMN sha256")  # as a scanner before SHA-256 wrote it
    con.commit()
    con.close()
    assert "sha256" not in next(read_rows(out))
    (root / "b").write_bytes(b"two")
    scan(root, out, now=NOW, pdq_enabled=False)
    rows = {r["path"]: r["sha256"] for r in read_rows(out)}
    assert rows == {b"a": None, b"b": hashlib.sha256(b"two").hexdigest()}  # a was not hashed again
