"""Forming victim-identification series for a 100,000-file scan result with 20,000 unknown images.

Builds a fresh database (SQLite in a temporary WINNOW_DATA_DIR by default; `--database-url` for PostgreSQL, which
is dropped and created), migrates it, and writes a synthetic scan result file of FILES rows in the scanner's own
schema: UNKNOWN unknown images (4,000 near-duplicate triples made by flipping up to 10 bits of random PDQ hashes,
the rest singletons), the other rows non-image files. Hashes are random: no image is involved at all.

Timed, in the same run:
  1. `series_intake` with no earlier unknown material (the baseline),
  2. `series_intake` of a second such scan with EARLIER (100,000) earlier unknown items already stored, 60 % of
     them in series of three, and 1,000 of the new triples near an earlier series (they must join it),
  3. the pure grouping alone (winnow.core.series.group_items) on the same inputs, to show where the time goes.
Each intake reads the result file, groups (faiss range search, exact), and writes items, series and members.

    .venv/bin/python benchmarks/bench_series.py [--files 100000] [--unknown 20000] [--earlier 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def flip(h: int, bits: int, rng: random.Random) -> int:
    for b in rng.sample(range(256), bits):
        h ^= 1 << b
    return h


def make_result(path: Path, files: int, unknown: int, rng: random.Random, near: list[int]) -> list[str]:
    """A scan result file; returns the unknown images' MD5s. `near`: PDQ seeds some new triples are built on."""
    from winnow.core.scanning.result import FILE_COLUMNS, FORMAT, SCHEMA, SCHEMA_VERSION

    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("schema_version", str(SCHEMA_VERSION))])
    triples = min(4000, unknown // 3)
    pdqs: list[int] = []
    for t in range(triples):
        seed = flip(near[t], 8, rng) if t < len(near) else rng.getrandbits(256)
        pdqs += [seed, flip(seed, rng.randint(1, 10), rng), flip(seed, rng.randint(1, 10), rng)]
    pdqs += [rng.getrandbits(256) for _ in range(unknown - len(pdqs))]
    rows, md5s = [], []
    for i in range(files):
        md5 = f"{rng.getrandbits(128):032x}"
        image = i < unknown
        row = {c: None for c in FILE_COLUMNS}
        row.update(path=f"f/{i}.bin".encode(), path_display=f"f/{i}.bin", entry_type="file", size=1000 + i,
                   media_type="image" if image else "other", md5=md5, sha1=f"{rng.getrandbits(160):040x}")
        if image:
            row.update(pdq=f"{pdqs[i]:064x}", pdq_quality=100, pdq_status="ok", exif_make="Fictocam",
                       exif_model="FC-100", exif_datetime="2026:10:01 10:00:00")
            md5s.append(md5)
        rows.append(tuple(row[c] for c in FILE_COLUMNS))
    con.executemany(f"INSERT INTO files ({', '.join(FILE_COLUMNS)}) VALUES ({', '.join('?' * len(FILE_COLUMNS))})",  # noqa: S608
                    rows)
    con.commit()
    con.close()
    return md5s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--unknown", type=int, default=20_000)
    ap.add_argument("--earlier", type=int, default=100_000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--profile", action="store_true", help="print where the baseline intake spends its time")
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-series-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"WINNOW_DATA_DIR": str(data)}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        base, db = args.database_url.rsplit("/", 1)
        for sql in (f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}"):
            subprocess.run(["psql", f"{base}/postgres", "-q", "-c", sql], check=True)
    os.environ.clear()
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "winnow.settings"})
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, env=os.environ, cwd=ROOT)
    print(f"migrate {time.perf_counter() - t:.1f} s")
    import django

    django.setup()
    from django.utils import timezone

    from winnow.accounts.models import Membership, Unit, User
    from winnow.context import acting
    from winnow.core.intake import referral_from_mapping
    from winnow.core.series import Earlier, Item, group_items
    from winnow.intake.services import canonical_json, referral_record
    from winnow.triage.models import CollectionSummary, Exhibit, ScanResult, UnknownMediaHash
    from winnow.victimid.models import Series, SeriesMember, UnknownItem
    from winnow.victimid.services import canonical_map, series_intake

    rng = random.Random(17)
    unit = Unit.objects.create(code="bench", name="Bench unit")
    officer = User.objects.create_user(username="bench.forensic", password=None)
    Membership.objects.create(user=officer, unit=unit, role="forensic")

    def scan_result(label: str, md5s: list[str], path: Path) -> tuple[ScanResult, CollectionSummary]:
        mapping = {"source": "ncmec", "source_reference": f"BENCH-{label}", "received_at": "2026-11-02T10:00:00+00:00",
                   "summary": "Fictional benchmark referral", "immediate_danger": False,
                   "subjects": [{"role": "reported", "given_names": "Bench", "family_name": "Fiction"}]}
        with acting(request_id=f"bench-{label}", via="test"):
            ref = referral_record(actor=officer, unit=unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                                  raw=canonical_json(mapping), media_type="application/json", via="form")
        ex = Exhibit.objects.create(referral=ref, unit=unit, label=label, device_make="Fictocam", device_model="FC-100")
        rel = path.relative_to(data)
        sr = ScanResult.objects.create(exhibit=ex, unit=unit, filename=path.name, sha256=f"{rng.getrandbits(256):064x}",
                                       size=path.stat().st_size, storage_name=str(rel), files=args.files, via="server",
                                       received_by=officer)
        UnknownMediaHash.objects.bulk_create([UnknownMediaHash(scan_result=sr, exhibit=ex, referral=ref, unit=unit,
                                                               md5=m) for m in md5s], batch_size=5000)
        summary = CollectionSummary.objects.create(scan_result=sr, exhibit=ex, unit=unit, pdq_threshold=31, data={},
                                                   computed_by=officer)
        return sr, summary

    # 1. baseline: nothing earlier
    p1 = data / "first.sqlite"
    md5s = make_result(p1, args.files, args.unknown, rng, [])
    sr1, s1 = scan_result("B/1", md5s, p1)
    import cProfile
    import pstats

    prof = cProfile.Profile()
    t = time.perf_counter()
    with acting(request_id="bench-1", via="test"):
        if args.profile:
            prof.enable()
        r1 = series_intake(actor=officer, scan_result=sr1, summary=s1)
        prof.disable()
    base = time.perf_counter() - t
    if args.profile:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    print(f"intake, no earlier items: {base:.2f} s; {r1.intake.items} items, {r1.created_series} series, "
          f"{r1.intake.joined} members")

    # 2. with EARLIER earlier items (setup untimed: bulk inserted directly)
    t = time.perf_counter()
    p0 = data / "earlier.sqlite"
    make_result(p0, 10, 10, rng, [])
    sr0, _ = scan_result("B/0", [], p0)
    earlier_pdqs: list[int] = []
    in_series = int(args.earlier * 0.6) // 3
    seeds = [rng.getrandbits(256) for _ in range(in_series)]
    for sd in seeds:
        earlier_pdqs += [sd, flip(sd, 5, rng), flip(sd, 9, rng)]
    earlier_pdqs += [rng.getrandbits(256) for _ in range(args.earlier - len(earlier_pdqs))]
    UnknownItem.objects.bulk_create([
        UnknownItem(scan_result=sr0, exhibit=sr0.exhibit, referral=sr0.exhibit.referral, unit=unit,
                    md5=f"{rng.getrandbits(128):032x}", pdq=f"{p:064x}", pdq_quality=100, media_type="image")
        for p in earlier_pdqs], batch_size=5000)
    series = Series.objects.bulk_create([Series() for _ in range(in_series)], batch_size=5000)
    if series[0].pk is None:
        series = list(Series.objects.order_by("-pk")[:in_series])[::-1]
    items = list(UnknownItem.objects.filter(scan_result=sr0).order_by("pk").values_list("pk", flat=True))
    SeriesMember.objects.bulk_create([SeriesMember(series=series[k // 3], item_id=items[k], unit=unit)
                                      for k in range(in_series * 3)], batch_size=5000)
    print(f"setup of {UnknownItem.objects.count():,} earlier items ({in_series:,} series of 3): "
          f"{time.perf_counter() - t:.1f} s")
    p2 = data / "second.sqlite"
    near = seeds[:1000]
    md5s2 = make_result(p2, args.files, args.unknown, rng, near)
    sr2, s2 = scan_result("B/2", md5s2, p2)
    t = time.perf_counter()
    with acting(request_id="bench-2", via="test"):
        r2 = series_intake(actor=officer, scan_result=sr2, summary=s2)
    full = time.perf_counter() - t
    print(f"intake, {UnknownItem.objects.exclude(scan_result=sr2).count():,} earlier items: {full:.2f} s; "
          f"{r2.intake.items} items, {r2.created_series} new series, {r2.grown_series} grown, {r2.intake.joined} members")
    expect = min(len(near), args.unknown // 3, 4000)
    assert r2.grown_series >= expect, f"the {expect} triples built near earlier series must join them"

    # 3. the pure grouping alone, same inputs
    canon = canonical_map()
    earlier = [Earlier(pk, m, p or None, canon.get(s, s) if s else None) for pk, m, p, s in
               UnknownItem.objects.exclude(scan_result=sr2).values_list("pk", "md5", "pdq", "membership__series_id")]
    new = [Item(m, p, q) for m, p, q in UnknownItem.objects.filter(scan_result=sr2).values_list("md5", "pdq",
                                                                                              "pdq_quality")]
    t = time.perf_counter()
    groups = group_items(new, earlier)
    core = time.perf_counter() - t
    print(f"group_items alone: {core:.2f} s ({len(groups)} groups); database and file work: {full - core:.2f} s")
    print(f"RESULT files={args.files} unknown={args.unknown} earlier={len(earlier)} baseline={base:.2f}s "
          f"with_earlier={full:.2f}s ratio={full / base:.2f} core={core:.2f}s target<30s "
          f"{'MET' if full < 30 else 'NOT MET'}")
    print(os.popen("uptime").read().strip())  # noqa: S605, S607


if __name__ == "__main__":
    main()
