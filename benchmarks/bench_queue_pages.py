"""Keyset paging of the queue at 1,000,000 referrals (PostgreSQL): page 200 should cost what page 1 costs.

Seeds with benchmarks/bench_queue.py's SQL (1,000,000 referrals over 40 units, 40 % open) into its own database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/winnow_queue_pages), adds one subject per open
referral (the queue shows the subject's name), then times the real queue view through Django's test client for a
one-unit supervisor and a national supervisor (40 units):
  - page 1, and page 200 reached by its keyset cursor (?after=...), the way the page's "Next" links reach it;
  - same-run baseline: the OFFSET query that paging used before (rows 9,950-10,000), query alone, against the
    keyset query for the same page, query alone;
  - the capped totals (open, overdue: at most 1,000 rows counted) and the uncapped COUNT they replace.

    DATABASE_URL unset; .venv/bin/python benchmarks/bench_queue_pages.py [--referrals 1000000] [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_queue_pages")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_queue  # noqa: E402  (the seeding SQL, shared)

URL = os.environ["BENCH_DATABASE_URL"]
DEEP = 200


def add_subjects() -> None:
    base, db = URL.rsplit("/", 1)
    sql = """
    INSERT INTO referrals_subject (referral_id, unit_id, role, given_names, family_name, date_of_birth, sex, addresses,
                                   created_at, created_by_id)
    SELECT r.id, r.unit_id, 'reported', 'Fictional', 'Person ' || r.id, NULL, 'unknown', '[]'::jsonb, r.created_at,
           r.created_by_id
    FROM referrals_referral r WHERE r.status <> 'closed';
    ANALYZE referrals_subject;
    """
    t = time.perf_counter()
    subprocess.run(["psql", f"{base}/{db}", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True)
    print(f"added one subject per open referral in {time.perf_counter() - t:.1f} s")


def ms(fn: object, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def q(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20)
    return statistics.median(samples), cuts[18]


def measure_user(username: str, requests: int) -> tuple[object, ...]:
    from django.test import Client
    from django.utils import timezone

    from winnow.accounts.models import User
    from winnow.referrals.models import Referral
    from winnow.workload.paging import keyset_page
    from winnow.workload.views import _capped_count

    user = User.objects.get(username=username)
    visible = Referral.objects.visible_to(user).open()
    page, cursor = keyset_page(visible, size=50), None
    for _ in range(DEEP - 1):  # walk to page 200 as the Next links do
        cursor = page.next
        page = keyset_page(visible, after=cursor, size=50)
    assert cursor is not None and len(page.rows) == 50, "not enough open referrals for page 200"
    client = Client()
    client.force_login(user)
    deep_url = f"/queue/?after={cursor.encode()}"
    for url in ("/queue/", deep_url):
        assert client.get(url).status_code == 200  # warm
    first: list[float] = []
    deep: list[float] = []
    for _ in range(requests):  # interleaved, so drift in the machine's load falls on both alike
        first += ms(lambda: client.get("/queue/"), 1)
        deep += ms(lambda: client.get(deep_url), 1)
    (p1, p1_95), (pd, pd_95) = q(first), q(deep)
    # Query alone: keyset page 200 vs the OFFSET that paging used before, same rows.
    keyset_q = statistics.median(ms(lambda: list(keyset_page(visible, after=cursor, size=50).rows), 20))
    offset_qs = visible.order_by("priority_tier", "deadline_at", "received_at", "id")
    offset_q = statistics.median(ms(lambda: list(offset_qs[(DEEP - 1) * 50 : DEEP * 50 + 1]), 20))
    first_q = statistics.median(ms(lambda: list(keyset_page(visible, size=50).rows), 20))
    now = timezone.now()
    capped = statistics.median(ms(lambda: (_capped_count(visible), _capped_count(visible.overdue(now))), 10))
    full = statistics.median(ms(lambda: (visible.count(), visible.overdue(now).count()), 5))
    print(f"\n{username}: page 1 p50 {p1:.1f} ms (p95 {p1_95:.1f}); page {DEEP} p50 {pd:.1f} ms (p95 {pd_95:.1f}); "
          f"ratio page {DEEP} / page 1 = {pd / p1:.2f}")
    print(f"  query alone: keyset page 1 {first_q:.2f} ms, keyset page {DEEP} {keyset_q:.2f} ms, "
          f"OFFSET page {DEEP} {offset_q:.2f} ms ({offset_q / keyset_q:.1f}x keyset)")
    print(f"  totals: capped at 1,000 {capped:.1f} ms; uncapped COUNT {full:.1f} ms")
    return (username, p1, pd, pd / p1, keyset_q, offset_q, capped, full)


def measure(requests: int) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    import django

    django.setup()
    from winnow.referrals.models import Referral

    print(f"open referrals: {Referral.objects.open().count():,} of {Referral.objects.count():,}")
    rows = [measure_user(username, requests) for username in ("bench.unit", "bench.national")]
    print("\nsummary (user, page1 ms, page200 ms, ratio, keyset q ms, offset q ms, capped totals ms, full count ms):")
    for row in rows:
        print("  " + ", ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    worst = max(float(r[3]) for r in rows)  # type: ignore[arg-type]
    print(f"worst page {DEEP} / page 1 ratio {worst:.2f} (target within 20 %, <= 1.20): {'MET' if worst <= 1.2 else 'MISSED'}")
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    if not args.skip_seed:
        bench_queue.seed(args.referrals)
        add_subjects()
    measure(args.requests)
