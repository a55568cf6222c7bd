"""`winnow scan PATH --out RESULT [--workers N] [--no-pdq]`: Django-free, for a forensic workstation.

`main(argv)` takes the arguments after the `scan` sub-command (a leading "scan" is tolerated). Exit status:
0 the scan finished (per-file problems are recorded in the result, not fatal), 1 it could not run, 2 usage,
130 interrupted (rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from rich.console import Console

from .result import ResultFileError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="winnow scan",
        description="Hash every file under PATH (MD5, SHA-1, SHA-256, PDQ for images) into one SQLite result file. "
        "Symbolic links are not followed. Rerun with the same --out to resume an interrupted scan.",
    )
    p.add_argument("path", metavar="PATH", help="the mounted evidence folder")
    p.add_argument(
        "--out", required=True, metavar="RESULT", help="result file (SQLite); resumed if it exists"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="hashing threads and PDQ processes (default: number of CPUs)",
    )
    p.add_argument("--no-pdq", action="store_true", help="skip PDQ / vPDQ (EXIF facts are still recorded)")
    p.add_argument("--no-dihedral", action="store_true",
                   help="do not record the rotated and mirrored PDQs (then rotated or mirrored copies of known "
                        "images are not found)")
    p.add_argument(
        "--max-image-pixels",
        type=int,
        default=None,
        metavar="PIXELS",
        help="decompression-bomb limit (default: Pillow's, about 89.5 million)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str]) -> int:
    args = list(argv)
    if len(args) >= 2 and args[0] == "scan" and not args[1].startswith("-"):
        args = args[1:]
    try:
        ns = _parser().parse_args(args)
    except SystemExit as exc:  # argparse: usage error or --help
        return int(exc.code or 0)
    if ns.workers is not None and ns.workers < 1:
        print("winnow scan: --workers must be at least 1", file=sys.stderr)
        return 2
    from .scanner import scan  # heavy imports (numpy, Pillow) only once arguments are sound

    console = Console(stderr=True, soft_wrap=True)  # messages name paths: never wrap them
    try:
        summary = scan(
            ns.path,
            ns.out,
            now=lambda: datetime.now(UTC),
            workers=ns.workers,
            pdq_enabled=not ns.no_pdq,
            dihedral=not ns.no_dihedral,
            progress=not ns.quiet,
            max_image_pixels=ns.max_image_pixels,
            console=console,
        )
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: progress is saved; rerun the same command to resume")
        return 130
    except (NotADirectoryError, FileNotFoundError, ResultFileError, PermissionError) as exc:
        console.print(f"[red]winnow scan: {exc}[/]")
        return 1
    s = summary
    console.print(
        f"{s.files:,} files ({s.bytes / 1e9:,.2f} GB): {s.images:,} images, {s.videos:,} videos, "
        f"{s.empty:,} empty, {s.other:,} other; PDQ {s.pdq_ok:,}, unhashable {s.unhashable:,}"
        + (f", vPDQ skipped {s.videos_skipped:,} (vpdq not installed)" if s.videos_skipped else "")
    )
    console.print(
        f"hashed this run {s.hashed_this_run:,}, already recorded {s.skipped_this_run:,}; "
        f"symlinks {s.symlinks:,} (not followed), special files {s.special:,}, problems {s.errors:,}"
    )
    for path, error in s.problems[:10]:
        console.print(f"  ! {path}: {error}", highlight=False, markup=False)
    if s.errors > 10:
        console.print(f"  ... and {s.errors - 10:,} more: the error column of the result's files table")
    console.print(f"result: {s.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
