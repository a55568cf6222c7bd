"""Benchmark (a): MD5 + SHA-1 + SHA-256 throughput of the scanner on a page-cached corpus.

Baselines, run in this script on the same corpus:
  * hashdeep -c md5,sha1,sha256 -j 2 -r DIR   (the forensic community's long-standing tool; /usr/bin/hashdeep,
    skipped with a note when it is not installed)
  * the hashlib ceiling: 2 threads doing nothing but md5/sha1/sha256.update over in-memory 1 MiB buffers
    totalling the corpus size (no file system, no walking, no result file); and the same with MD5 + SHA-1 only,
    what the scanner computed before SHA-256, so the cost of the third digest is measured in the same run

Winnow is measured end to end: `scan(DIR, OUT, pdq_enabled=False, workers=2)`, i.e. walking, opening, reading,
hashing, content sniffing and writing every row to the SQLite result file. Targets: >= 1.5x hashdeep and
>= 85 % of the ceiling. Digests are cross-checked against hashdeep's.

    .venv/bin/python benchmarks/bench_hashing.py            # ~1.9 GiB corpus, 3 repeats
    .venv/bin/python benchmarks/bench_hashing.py --quick    # ~0.5 GiB, 2 repeats
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from winnow.core.scanning import read_rows, scan

MiB = 1 << 20
HASHDEEP = "/usr/bin/hashdeep"
# (count, size): a mix like a seized phone or laptop export: a few videos, many photos, lots of small files
FULL = [(8, 64 * MiB), (256, 4 * MiB), (1024, 256 * 1024), (4096, 16 * 1024)]
QUICK = [(2, 64 * MiB), (64, 4 * MiB), (256, 256 * 1024), (1024, 16 * 1024)]


def build_corpus(root: Path, mix: list[tuple[int, int]]) -> tuple[int, int]:
    marker = root.parent / f"{root.name}.complete"
    want = repr(mix)
    if marker.exists() and marker.read_text() == want:
        files = sum(c for c, _ in mix)
        return files, sum(c * s for c, s in mix)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    block = os.urandom(8 * MiB)
    n = 0
    for count, size in mix:
        for i in range(count):
            sub = root / f"dir{n % 37:02d}"
            sub.mkdir(exist_ok=True)
            with open(sub / f"f{n:06d}-{size}.bin", "wb") as fh:
                left = size
                salt = n.to_bytes(8, "little")
                while left:
                    chunk = salt + block[8 : min(left, len(block))]
                    fh.write(chunk[:left])
                    left -= min(left, len(chunk))
            n += 1
            del i
    marker.write_text(want)
    return n, sum(c * s for c, s in mix)


def warm(root: Path) -> None:
    """Read every file so the corpus sits in the page cache (the benchmark measures hashing, not the disk)."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as fh:
                while fh.read(8 * MiB):
                    pass


def ceiling(total: int, threads: int = 2, algorithms: tuple[str, ...] = ("md5", "sha1", "sha256")) -> float:
    bufs = [os.urandom(MiB) for _ in range(16)]
    per_thread = total // threads

    def work(_: int) -> None:
        digests = [hashlib.new(a, usedforsecurity=False) for a in algorithms]
        done = 0
        i = 0
        while done < per_thread:
            b = bufs[i % len(bufs)]
            for d in digests:
                d.update(b)
            done += len(b)
            i += 1

    t = time.perf_counter()
    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(work, range(threads)))
    return time.perf_counter() - t


def run_hashdeep(root: Path, out: Path) -> float:
    t = time.perf_counter()
    with open(out, "wb") as fh:
        subprocess.run(
            [HASHDEEP, "-c", "md5,sha1,sha256", "-j", "2", "-r", str(root)],  # noqa: S603
            stdout=fh,
            check=True,
        )
    return time.perf_counter() - t


def run_winnow(root: Path, out: Path) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(str(out) + suffix).unlink(missing_ok=True)
    t = time.perf_counter()
    scan(root, out, now=datetime.now(UTC), workers=2, pdq_enabled=False)
    return time.perf_counter() - t


def cross_check(root: Path, hashdeep_out: Path, result: Path) -> int:
    theirs = {}
    with open(hashdeep_out, newline="") as fh:
        for row in csv.reader(line for line in fh if not line.startswith(("%", "#"))):
            size, md5, sha1, sha256, path = row[0], row[1], row[2], row[3], ",".join(row[4:])
            theirs[os.path.relpath(path, root)] = (int(size), md5, sha1, sha256)
    ours = {os.fsdecode(r["path"]): (r["size"], r["md5"], r["sha1"], r["sha256"]) for r in read_rows(result)}
    assert ours == theirs, "winnow and hashdeep disagree"
    return len(ours)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "winnow-bench-hashing"))
    ap.add_argument("--repeat", type=int, default=None)
    args = ap.parse_args(argv)
    mix = QUICK if args.quick else FULL
    repeat = args.repeat or (2 if args.quick else 3)
    root = Path(args.dir) / ("quick" if args.quick else "full")
    files, total = build_corpus(root, mix)
    work = Path(tempfile.mkdtemp(prefix="winnow-bench-out-"))
    try:
        warm(root)
        print(f"corpus: {files:,} files, {total / MiB:,.0f} MiB (page-cached) in {root}")
        print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
        has_hashdeep = os.path.exists(HASHDEEP)
        best = {"ceiling": float("inf"), "ceiling-md5-sha1": float("inf"), "winnow": float("inf")}
        if has_hashdeep:
            best["hashdeep"] = float("inf")
        else:
            print(f"  ({HASHDEEP} not installed: the hashdeep baseline is skipped)")
        for r in range(repeat):
            # interleaved so background load affects all alike
            best["ceiling"] = min(best["ceiling"], ceiling(total))
            best["ceiling-md5-sha1"] = min(best["ceiling-md5-sha1"], ceiling(total, algorithms=("md5", "sha1")))
            if has_hashdeep:
                best["hashdeep"] = min(best["hashdeep"], run_hashdeep(root, work / "hashdeep.csv"))
            best["winnow"] = min(best["winnow"], run_winnow(root, work / "scan.sqlite"))
            print(
                f"  run {r + 1}: " + ", ".join(f"{k} {total / MiB / v:,.0f} MiB/s" for k, v in best.items())
            )
        checked = cross_check(root, work / "hashdeep.csv", work / "scan.sqlite") if has_hashdeep else 0
        rate = {k: total / MiB / v for k, v in best.items()}
        agree = f"digests of all {checked:,} files agree with hashdeep" if has_hashdeep else "no hashdeep to check"
        print(f"\nbest of {repeat} (MiB/s; {agree}):")
        print(f"  hashlib ceiling, 2 threads      {rate['ceiling']:8,.0f}   (MD5 + SHA-1 + SHA-256)")
        print(f"  ... MD5 + SHA-1 only            {rate['ceiling-md5-sha1']:8,.0f}   "
              f"(SHA-256 costs {rate['ceiling-md5-sha1'] / rate['ceiling']:.2f}x in time)")
        if has_hashdeep:
            print(f"  hashdeep -c md5,sha1,sha256 -j 2 {rate['hashdeep']:7,.0f}")
        print(
            f"  winnow scan --no-pdq (2 thr.)   {rate['winnow']:8,.0f}   ({files / best['winnow']:,.0f} files/s)"
        )
        vs_ceiling = rate["winnow"] / rate["ceiling"]
        if has_hashdeep:
            vs_hd = rate["winnow"] / rate["hashdeep"]
            print(f"  winnow / hashdeep = {vs_hd:.2f}x (target >= 1.5x) {'OK' if vs_hd >= 1.5 else 'MISSED'}")
        print(
            f"  winnow / ceiling  = {vs_ceiling:.0%} (target >= 85%) {'OK' if vs_ceiling >= 0.85 else 'MISSED'}"
        )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
