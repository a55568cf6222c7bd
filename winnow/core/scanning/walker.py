"""Walk an evidence folder without following symbolic links.

Paths are bytes end to end (os.fsencode), so names that are not valid UTF-8 survive exactly. Symbolic links are
recorded, never followed: a link that loops (ELOOP, or points at a directory above it) is reported as a symlink
loop; other links are noted with their target. A directory reached twice (bind mounts) is not descended again.
FIFOs, sockets and devices are recorded as "special" and never opened (opening a FIFO blocks). Listing errors
become entries with an error, and the walk carries on. Order is deterministic: names sorted bytewise.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass

_scandir = os.scandir  # indirection: tests simulate unlistable directories (root ignores permissions)

FILE = "file"
SYMLINK = "symlink"
SPECIAL = "special"
DIRECTORY = "directory"


@dataclass(frozen=True, slots=True)
class Entry:
    rel: bytes  # path relative to the root, os.sep separated, as the file system spells it
    kind: str  # file | symlink | special | directory (directories appear only when something went wrong)
    size: int | None = None
    mtime_ns: int | None = None
    error: str | None = None
    note: str | None = None


def display(path: bytes) -> str:
    """A printable form of a path: UTF-8, with undecodable bytes as \\xNN escapes."""
    return path.decode("utf-8", "backslashreplace")


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def walk(root: bytes, *, stat_files: bool = True) -> Iterator[Entry]:
    """Yield every entry under `root` (an absolute directory path, bytes).

    stat_files=False skips the stat() of regular files (the directory entry's type says what it is) and leaves
    their size and mtime to whoever opens them: the scanner's hashing threads fstat each file anyway."""
    root_st = os.stat(root)
    visited: set[tuple[int, int]] = {(root_st.st_dev, root_st.st_ino)}
    above = _ancestors(root)  # a link to any of these would lead back into the tree
    # each stack item: (relative dir path, chain of (dev, ino) from root to this dir)
    stack: list[tuple[bytes, tuple[tuple[int, int], ...]]] = [(b"", ((root_st.st_dev, root_st.st_ino),))]
    while stack:
        rel_dir, chain = stack.pop()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with _scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(rel_dir or b".", DIRECTORY, error=f"cannot list directory: {_reason(exc)}")
            continue
        subdirs: list[tuple[bytes, tuple[tuple[int, int], ...]]] = []
        for e in entries:
            name = os.fsencode(e.name)
            rel = os.path.join(rel_dir, name) if rel_dir else name
            try:
                if not stat_files and e.is_file(follow_symlinks=False):
                    yield Entry(rel, FILE)
                    continue
                st = e.stat(follow_symlinks=False)
            except OSError as exc:
                yield Entry(
                    rel, FILE, error=f"vanished or unreadable before it could be examined: {_reason(exc)}"
                )
                continue
            mode = st.st_mode
            if stat.S_ISLNK(mode):
                yield _symlink(root, rel, st, chain + above)
            elif stat.S_ISDIR(mode):
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    yield Entry(
                        rel, DIRECTORY, error="directory already visited (bind mount or loop): not descended"
                    )
                    continue
                visited.add(key)
                subdirs.append((rel, (*chain, key)))
            elif stat.S_ISREG(mode):
                yield Entry(rel, FILE, size=st.st_size, mtime_ns=st.st_mtime_ns)
            else:
                yield Entry(
                    rel,
                    SPECIAL,
                    mtime_ns=st.st_mtime_ns,
                    note=f"{_special_kind(mode)}: not a regular file, not read",
                )
        # depth first, in name order
        stack.extend(reversed(subdirs))


def _ancestors(root: bytes) -> tuple[tuple[int, int], ...]:
    out = []
    path = os.path.realpath(root)
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
        try:
            st = os.stat(path)
        except OSError:
            break
        out.append((st.st_dev, st.st_ino))
    return tuple(out)


def _symlink(root: bytes, rel: bytes, st: os.stat_result, chain: tuple[tuple[int, int], ...]) -> Entry:
    abs_path = os.path.join(root, rel)
    try:
        target = display(os.readlink(abs_path))
    except OSError as exc:
        target = f"? ({_reason(exc)})"
    try:
        tst = os.stat(abs_path)  # follows the link, only to classify it
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Entry(
                rel,
                SYMLINK,
                mtime_ns=st.st_mtime_ns,
                error=f"symlink loop: {target!r} resolves back onto itself; not followed",
            )
        return Entry(
            rel, SYMLINK, mtime_ns=st.st_mtime_ns, note=f"dangling symlink to {target!r}; not followed"
        )
    if stat.S_ISDIR(tst.st_mode) and (tst.st_dev, tst.st_ino) in chain:
        return Entry(
            rel,
            SYMLINK,
            mtime_ns=st.st_mtime_ns,
            error=f"symlink loop: {target!r} points at a directory above it; not followed",
        )
    kind = (
        "directory" if stat.S_ISDIR(tst.st_mode) else "file" if stat.S_ISREG(tst.st_mode) else "special file"
    )
    return Entry(rel, SYMLINK, mtime_ns=st.st_mtime_ns, note=f"symlink to {kind} {target!r}; not followed")


def count(root: bytes) -> Iterator[tuple[int, int]]:
    """Running (files, bytes) totals of regular files, for a progress bar; yields after each directory."""
    files = size = 0
    for entry in walk(root):
        if entry.kind == FILE and entry.size is not None:
            files += 1
            size += entry.size
            if files % 1000 == 0:
                yield files, size
    yield files, size
