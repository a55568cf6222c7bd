"""scan(): walk an evidence folder, hash every file once, PDQ its images, record everything in one SQLite file.

Pipeline (one coordinating thread, which alone touches the result file):

  walker (no symlinks followed)
    -> hashing threads (MD5 + SHA-1 + SHA-256 in one read; content sniffing; small images kept in memory)
    -> result file row (committed in batches)
    -> PDQ / EXIF worker processes for images (the kept bytes travel to the worker: no second read),
       vPDQ for videos when `vpdq` is installed
    -> the row is completed

Both stages are bounded (a few jobs per worker in flight), so memory stays flat on any tree. A rerun with the
same result file resumes: files already recorded with their hashes (same size and mtime) are not read again;
images whose PDQ had not finished get only their PDQ. Every problem (unreadable file, symlink loop, corrupt or
truncated image, decompression bomb, special file) is a row with an `error` or `note`; the scan carries on.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rich.console import Console

from . import filetypes, hashing, pdq, walker
from .progress import ScanProgress
from .result import ResultStore

Clock = datetime | Callable[[], datetime]
# an analysis job: relative path, media type, the file's bytes when kept in memory, compute PDQ or only EXIF
_Analysis = tuple[bytes, str, bytes | bytearray | None, bool]


@dataclass
class ScanSummary:
    out: Path
    root: str
    files: int = 0  # regular files found (whole result, including earlier runs)
    bytes: int = 0
    images: int = 0
    videos: int = 0
    empty: int = 0
    other: int = 0
    pdq_ok: int = 0
    unhashable: int = 0  # images whose PDQ failed or has quality < 50
    videos_skipped: int = 0  # vPDQ not computed (package missing)
    errors: int = 0  # rows with an error (files, symlink loops, unlistable directories)
    symlinks: int = 0
    special: int = 0
    hashed_this_run: int = 0
    skipped_this_run: int = 0  # already recorded by an earlier run: not hashed again
    resumed: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, error), the first 50


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _iso(clock: Callable[[], datetime]) -> str:
    return clock().isoformat()


def scan(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    now: Clock,
    workers: int | None = None,
    pdq_enabled: bool = True,
    progress: bool = False,
    max_image_pixels: int | None = None,
    console: Console | None = None,
    dihedral: bool = True,
) -> ScanSummary:
    """Scan the folder `path` into the result file `out` (resumed when it already holds a scan of `path`).

    `now` is the clock (a datetime, or a callable returning one) used for run and per-file timestamps.
    `workers`: hashing threads and PDQ processes (default: CPU count). `pdq_enabled=False` skips PDQ/vPDQ
    (EXIF facts are still read). `max_image_pixels`: decompression-bomb limit (default Pillow's). `dihedral`:
    record the seven rotated and mirrored PDQs too, so rotated or mirrored copies of known images match."""
    clock: Callable[[], datetime] = now if callable(now) else (lambda: now)
    root = os.fsencode(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(root):
        raise NotADirectoryError(f"{os.fsdecode(root)} is not a directory")
    n = max(1, workers or os.cpu_count() or 1)
    vpdq_ok = pdq_enabled and pdq.vpdq_available()
    settings = {
        "tool": f"winnow {_pkg_version('winnow')}",
        "python": platform.python_version(),
        "pillow": _pkg_version("pillow"),
        "pdqhash": _pkg_version("pdqhash"),
        "pdq_enabled": pdq_enabled,
        "vpdq_available": vpdq_ok,
        "pdq_decode": "JPEG draft('RGB', (512, 512)); other formats box-reduced when the shorter side >= 2048 "
        "px; convert('RGB')",
        "exif_orientation_rule": "pdq: pixels as stored, orientation not applied (as Meta's reference); "
        "pdq_oriented: the displayed view when the EXIF orientation is 2-8",
        "pdq_quality_threshold": pdq.QUALITY_THRESHOLD,
        "pdq_dihedral": dihedral,
        "max_image_pixels": max_image_pixels if max_image_pixels is not None else pdq.DEFAULT_MAX_PIXELS,
    }
    store = ResultStore(out, root=root, started_at=_iso(clock), settings=settings)
    recorded = store.recorded() if store.resumed else {}
    media_of: dict[bytes, str] = {}
    if store.resumed:
        media_of = {
            bytes(p): m
            for p, m in store.con.execute("SELECT path, media_type FROM files WHERE pdq_status = 'pending'")
        }
    job = _Job(store, root, clock, n, pdq_enabled, vpdq_ok, max_image_pixels, recorded, media_of)
    job.dihedral = dihedral
    try:
        with ScanProgress(root, enabled=progress, console=console) as bar:
            job.bar = bar
            job.run()
    except BaseException:
        job.shutdown(cancel=True)
        store.abandon()
        raise
    job.shutdown(cancel=False)
    store.commit()
    summary = summarise(store, out, root)
    summary.hashed_this_run, summary.skipped_this_run, summary.resumed = (
        job.hashed,
        job.skipped,
        store.resumed,
    )
    store.finish(
        finished_at=_iso(clock),
        status="finished",
        hashed=job.hashed,
        skipped=job.skipped,
        meta={"files": str(summary.files), "bytes": str(summary.bytes), "errors": str(summary.errors)},
    )
    return summary


class _Job:
    def __init__(
        self,
        store: ResultStore,
        root: bytes,
        clock: Callable[[], datetime],
        n: int,
        pdq_enabled: bool,
        vpdq_ok: bool,
        max_image_pixels: int | None,
        recorded: dict[bytes, Any],
        pending_media: dict[bytes, str],
    ) -> None:
        self.store, self.root, self.clock, self.n = store, root, clock, n
        self.pdq_enabled, self.vpdq_ok, self.max_image_pixels = pdq_enabled, vpdq_ok, max_image_pixels
        self.recorded, self.pending_media = recorded, pending_media
        # Plain threads on a job queue rather than a ThreadPoolExecutor: no Future per file, which matters at
        # tens of thousands of small files per second.
        self.jobs: queue.SimpleQueue[walker.Entry | None] = queue.SimpleQueue()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._hash_worker, name=f"winnow-hash-{i}", daemon=True) for i in range(n)
        ]
        for t in self.threads:
            t.start()
        self.proc_pool: ProcessPoolExecutor | None = None
        # Finished work arrives on one queue (cheaper than concurrent.futures.wait over every pending future).
        self.done: queue.SimpleQueue[tuple[str, Any, Any]] = queue.SimpleQueue()
        self.hash_inflight = 0
        # job -> (what, is a retry, the pool it runs in)
        self.proc_inflight: dict[Future[dict[str, Any]], tuple[_Analysis, bool, ProcessPoolExecutor]] = {}
        self.proc_queue: deque[_Analysis] = deque()
        self.hashed = 0
        self.skipped = 0
        self.dihedral = True
        self.bar: ScanProgress | None = None

    # ----------------------------------------------------------------------------------------- plumbing
    def _pool(self) -> ProcessPoolExecutor:
        if self.proc_pool is None:
            # forkserver, not fork: this process runs threads. The server imports the PDQ module once, so each
            # worker starts as a cheap fork with numpy, Pillow and pdqhash already loaded.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["winnow.core.scanning.pdq"])
            self.proc_pool = ProcessPoolExecutor(
                self.n,
                mp_context=ctx,
                initializer=pdq.init_worker,
                initargs=(self.max_image_pixels, os.getpid()),
            )
        return self.proc_pool

    def shutdown(self, *, cancel: bool) -> None:
        if cancel:
            self.stop.set()
        for _ in self.threads:
            self.jobs.put(None)
        for t in self.threads:
            t.join()
        if self.proc_pool is not None:
            self.proc_pool.shutdown(wait=not cancel, cancel_futures=cancel)
            self.proc_pool = None

    def _advance(self, files: int, nbytes: int) -> None:
        if self.bar is not None:
            self.bar.advance(files, nbytes)

    # ----------------------------------------------------------------------------------------- the loop
    def run(self) -> None:
        # A fresh scan needs no stat() per file in the walker (the hashing threads fstat what they open); a
        # resumed one compares size and mtime with what was recorded before deciding to skip.
        entries = walker.walk(self.root, stat_files=bool(self.recorded))
        exhausted = False
        cap = 4 * self.n
        while True:
            while not exhausted and self.hash_inflight < cap and len(self.proc_queue) < cap:
                try:
                    entry = next(entries)
                except StopIteration:
                    exhausted = True
                    break
                self._entry(entry)
            while self.proc_queue and len(self.proc_inflight) < 2 * self.n:
                self._submit_analysis(self.proc_queue.popleft())
            if exhausted and not self.hash_inflight and not self.proc_inflight and not self.proc_queue:
                break
            if not self.hash_inflight and not self.proc_inflight:
                continue
            try:
                item = self.done.get(timeout=0.5)
            except queue.Empty:
                self.store.commit()  # quiet spell (slow decodes): keep the file current
                continue
            while True:
                self._handle(*item)
                try:
                    item = self.done.get_nowait()
                except queue.Empty:
                    break

    def _handle(self, kind: str, a: Any, b: Any) -> None:
        if kind == "hash":
            self.hash_inflight -= 1
            self._hashed(b, a)
        else:
            self._analysed(a, self.proc_inflight.pop(a))

    def _hash_worker(self) -> None:
        """A hashing thread: entries in, (entry, result) out."""
        while (entry := self.jobs.get()) is not None:
            if self.stop.is_set():
                continue  # interrupted: drain without reading
            try:
                res = hashing.hash_file(os.path.join(self.root, entry.rel))
            except Exception as exc:  # noqa: BLE001 - hash_file reports I/O errors itself; anything else too
                res = hashing.HashResult(
                    0, None, None, filetypes.OTHER, None, error=f"hashing failed: {exc!r}"
                )
            self.done.put(("hash", entry, res))

    def _entry(self, entry: walker.Entry) -> None:
        rel = entry.rel
        if entry.kind != walker.FILE or entry.error:
            self.store.put(
                {
                    "path": rel,
                    "path_display": walker.display(rel),
                    "entry_type": entry.kind,
                    "size": entry.size,
                    "mtime_ns": entry.mtime_ns,
                    "error": entry.error,
                    "note": entry.note,
                    "run_id": self.store.run_id,
                }
            )
            return
        rec = self.recorded.get(rel)
        if rec is not None and rec.complete and rec.size == entry.size and rec.mtime_ns == entry.mtime_ns:
            self.skipped += 1
            self._advance(1, entry.size or 0)
            kind = self.pending_media.get(rel)
            if rec.pdq_pending and kind is not None:
                self.proc_queue.append((rel, kind, None, self.pdq_enabled))
            return
        self.jobs.put(entry)
        self.hash_inflight += 1

    def _hashed(self, res: hashing.HashResult, entry: walker.Entry) -> None:
        self.hashed += 1
        self._advance(1, res.size)
        row: dict[str, Any] = {
            "path": entry.rel,
            "path_display": walker.display(entry.rel),
            "entry_type": walker.FILE,
            "size": res.size if res.error is None else entry.size,
            "mtime_ns": res.mtime_ns if res.mtime_ns is not None else entry.mtime_ns,
            "media_type": res.media_type if res.error is None else None,
            "mime": res.mime,
            "md5": res.md5,
            "sha1": res.sha1,
            "sha256": res.sha256,
            "error": res.error,
            "note": res.note,
            "run_id": self.store.run_id,
            "hashed_at": _iso(self.clock),
        }
        if res.error is None and res.media_type == filetypes.IMAGE:
            row["pdq_status"] = "pending"
            self.proc_queue.append((entry.rel, filetypes.IMAGE, res.data, self.pdq_enabled))
        elif res.error is None and res.media_type == filetypes.VIDEO:
            if not self.pdq_enabled:
                row["pdq_status"] = "disabled"
            elif not self.vpdq_ok:
                row["pdq_status"] = "skipped"
                row["note"] = "; ".join(x for x in (res.note, pdq.VPDQ_MISSING_NOTE) if x)
            else:
                row["pdq_status"] = "pending"
                self.proc_queue.append((entry.rel, filetypes.VIDEO, None, True))
        self.store.put(row)

    def _submit_analysis(self, item: _Analysis, retried: bool = False) -> None:
        rel, kind, data, compute = item
        pool = self._pool()
        try:
            fut = pool.submit(pdq.analyse, kind, data, os.path.join(self.root, rel), compute, self.dihedral)
        except BrokenProcessPool:
            self._reset_pool(pool)
            pool = self._pool()
            fut = pool.submit(pdq.analyse, kind, data, os.path.join(self.root, rel), compute, self.dihedral)
        self.proc_inflight[fut] = (item, retried, pool)
        fut.add_done_callback(lambda f: self.done.put(("analysis", f, None)))

    def _reset_pool(self, broken: ProcessPoolExecutor) -> None:
        broken.shutdown(wait=False, cancel_futures=True)
        if self.proc_pool is broken:
            self.proc_pool = None

    def _analysed(
        self, fut: Future[dict[str, Any]], job: tuple[_Analysis, bool, ProcessPoolExecutor]
    ) -> None:
        item, retried, pool = job
        rel = item[0]
        try:
            values = fut.result()
        except BrokenProcessPool:
            # A decoder crashed its worker (or the OS killed it): every job in flight fails with it. Retry each
            # once in a fresh pool; a job that breaks a pool twice is the culprit.
            if retried:
                values = {"pdq_status": "error", "error": "image decoder crashed its worker process"}
            else:
                self._reset_pool(pool)
                self._submit_analysis(item, retried=True)
                return
        except Exception as exc:  # noqa: BLE001
            values = {"pdq_status": "error", "error": f"analysis failed: {type(exc).__name__}: {exc}"}
        self.store.update(rel, values)


def summarise(store: ResultStore, out: str | os.PathLike[str], root: bytes) -> ScanSummary:
    con = store.con
    s = ScanSummary(out=Path(out), root=root.decode("utf-8", "backslashreplace"))
    for entry_type, media_type, status, n, size in con.execute(
        "SELECT entry_type, media_type, pdq_status, COUNT(*), COALESCE(SUM(size), 0) FROM files "
        "GROUP BY entry_type, media_type, pdq_status"
    ):
        if entry_type == "symlink":
            s.symlinks += n
        elif entry_type == "special":
            s.special += n
        if entry_type != "file":
            continue
        s.files += n
        s.bytes += size
        if media_type == filetypes.IMAGE:
            s.images += n
            if status == "ok":
                s.pdq_ok += n
            elif status in ("low-quality", "error"):
                s.unhashable += n
        elif media_type == filetypes.VIDEO:
            s.videos += n
            if status == "skipped":
                s.videos_skipped += n
        elif media_type == filetypes.EMPTY:
            s.empty += n
        elif media_type == filetypes.OTHER:
            s.other += n
    s.errors = int(con.execute("SELECT COUNT(*) FROM files WHERE error IS NOT NULL").fetchone()[0])
    s.problems = [
        (d, e)
        for d, e in con.execute(
            "SELECT path_display, error FROM files WHERE error IS NOT NULL ORDER BY path LIMIT 50"
        )
    ]
    return s
