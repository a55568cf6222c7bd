"""Read a file once, computing MD5, SHA-1 and SHA-256 together.

One pass over the bytes feeds all three digests (hash lists come in any of them: md5deep, sha1deep, sha256deep;
SHA-256 is the cheapest of the three on CPUs with SHA extensions) (hashlib releases the GIL on large updates, so hashing threads run
in parallel); reads are 1 MiB `readinto` into one reused buffer. The first bytes decide the media type (by
content); an image small enough is kept in memory and handed to the PDQ worker, so it is not read twice.

Evidence-friendly opening: O_NOFOLLOW (a name that became a symlink since the walk is refused), O_NONBLOCK (a
name that became a FIFO does not hang the scan; checked with fstat before reading), O_NOATIME where permitted
(access times on the evidence stay as they were).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from dataclasses import dataclass

from . import filetypes

CHUNK = 1 << 20
#: images up to this size are kept in memory for the PDQ worker (larger ones are re-read by it)
KEEP_IMAGE_BYTES = 64 << 20

_BASE_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)
_NOATIME = getattr(os, "O_NOATIME", 0)


@dataclass(slots=True)
class HashResult:
    size: int  # bytes actually read
    md5: str | None
    sha1: str | None
    media_type: str
    mime: str | None
    data: bytes | bytearray | None = None  # the whole file, for images up to KEEP_IMAGE_BYTES
    error: str | None = None
    note: str | None = None
    mtime_ns: int | None = None  # from fstat of the open file
    sha256: str | None = None


_local = threading.local()


def _buffer(size: int) -> bytearray:
    """One read buffer per hashing thread, reused across files (no 1 MiB allocation per small file)."""
    buf: bytearray | None = getattr(_local, "buf", None)
    if buf is None or len(buf) != size:
        buf = _local.buf = bytearray(size)
    return buf


def _open(path: bytes) -> int:
    """Open for reading without following links or blocking; O_NOATIME when the kernel allows it."""
    if _NOATIME:
        try:
            return os.open(path, _BASE_FLAGS | _NOATIME)
        except PermissionError:
            pass  # O_NOATIME needs ownership or CAP_FOWNER; fall back rather than fail
    return os.open(path, _BASE_FLAGS)


def hash_file(path: bytes, *, keep_images: bool = True, chunk: int = CHUNK) -> HashResult:
    """MD5 + SHA-1 + SHA-256 of the file at `path` in one read. Never raises for I/O problems: they become `error`."""
    try:
        fd = _open(path)
    except OSError as exc:
        return HashResult(0, None, None, filetypes.OTHER, None, error=f"cannot open: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return HashResult(
                0, None, None, filetypes.OTHER, None, error="no longer a regular file when opened; not read"
            )
        if st.st_size > chunk and hasattr(os, "posix_fadvise"):
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)  # larger read-ahead on real disks
            except OSError:
                pass
        md5 = hashlib.md5(usedforsecurity=False)  # forensic identification, not security (works under FIPS)
        sha1 = hashlib.sha1(usedforsecurity=False)
        sha256 = hashlib.sha256()
        buf = _buffer(chunk)
        view = memoryview(buf)
        total = 0
        kept: bytearray | None = None
        media_type, mime = filetypes.EMPTY, None
        while True:
            try:
                n = os.readv(fd, (buf,))
            except OSError as exc:
                error = f"read error after {total} bytes: {exc.strerror or exc}"
                return HashResult(total, None, None, media_type, mime, error=error)
            if not n:
                break
            part = view[:n]
            if total == 0:
                media_type, mime = filetypes.sniff(bytes(view[: min(n, filetypes.SNIFF_BYTES)]))
                if keep_images and media_type == filetypes.IMAGE and st.st_size <= KEEP_IMAGE_BYTES:
                    kept = bytearray()
            md5.update(part)
            sha1.update(part)
            sha256.update(part)
            if kept is not None:
                kept += part
            total += n
        note = None
        mtime_ns = st.st_mtime_ns
        if total != st.st_size:
            note = f"size changed while reading: {st.st_size} bytes at open, {total} read"
        return HashResult(
            total,
            md5.hexdigest(),
            sha1.hexdigest(),
            media_type,
            mime,
            data=kept,
            mtime_ns=mtime_ns,
            note=note,
            sha256=sha256.hexdigest(),
        )
    finally:
        os.close(fd)
