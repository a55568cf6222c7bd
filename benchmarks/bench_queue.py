"""Queue page at national volume: 1,000,000 referrals in PostgreSQL, measured server-side.

Creates (and drops first) the database `winnow_bench` on the PostgreSQL at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/winnow_bench), migrates it, bulk-inserts N referrals across 40 units with SQL,
then times the real queue view through Django's test client (middleware, query, template, audit event) for:
  - one unit's supervisor, and
  - a national supervisor who belongs to all 40 units,
for page 1 and a deep page, and prints p50/p95 with the query plans. Baselines in the same run: /healthz through the
same client (the fixed cost of a request) and the same queue query with index scans disabled.

    .venv/bin/python benchmarks/bench_queue.py [--referrals 1000000] [--requests 200]
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
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench")


def sh_psql(sql: str, db: str = "postgres") -> None:
    base = URL.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/{db}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def seed(n: int) -> None:
    db = URL.rsplit("/", 1)[1]  # the database BENCH_DATABASE_URL names (default winnow_bench)
    sh_psql(f"DROP DATABASE IF EXISTS {db}")
    sh_psql(f"CREATE DATABASE {db}")
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "winnow.settings"}
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    started = time.perf_counter()
    sql = f"""
    INSERT INTO accounts_unit (code, name, created_at)
      SELECT 'u' || g, 'Bench unit ' || g, now() FROM generate_series(1, 40) g;
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES ('!', false, 'bench.unit', '', '', '', false, true, now()),
             ('!', false, 'bench.national', '', '', '', false, true, now()),
             ('!', false, 'bench.officer', '', '', '', false, true, now());
    INSERT INTO accounts_membership (user_id, unit_id, role, created_at)
      SELECT (SELECT id FROM accounts_user WHERE username = 'bench.unit'), (SELECT id FROM accounts_unit WHERE code = 'u1'), 'supervisor', now();
    INSERT INTO accounts_membership (user_id, unit_id, role, created_at)
      SELECT (SELECT id FROM accounts_user WHERE username = 'bench.national'), id, 'supervisor', now() FROM accounts_unit;
    INSERT INTO accounts_membership (user_id, unit_id, role, created_at)
      SELECT (SELECT id FROM accounts_user WHERE username = 'bench.officer'), id, 'investigator', now() FROM accounts_unit;
    INSERT INTO referrals_rawpackage (unit_id, kind, filename, media_type, content, size, sha256, received_at, received_by_id)
      VALUES ((SELECT id FROM accounts_unit WHERE code = 'u1'), 'file', 'bench.csv', 'text/csv', '\\x00', 1, repeat('0', 64), now(),
              (SELECT id FROM accounts_user WHERE username = 'bench.unit'));
    INSERT INTO referrals_referral (unit_id, reference, source, source_reference, received_at, summary, immediate_danger,
        package_id, package_locator, created_at, created_by_id, status, closed_at, disposition, closure_reason,
        band, band_decided_at, priority_tier, deadline_at, assigned_to_id, actioned_at)
    SELECT (SELECT min(id) FROM accounts_unit) + ((g / 10) % 40),
           'BENCH-' || g, 'ncmec', '', r.received, 'Fictional benchmark referral', (g % 997 = 0),
           (SELECT id FROM referrals_rawpackage LIMIT 1), 'row ' || g, r.received,
           (SELECT id FROM accounts_user WHERE username = 'bench.unit'),
           CASE WHEN g % 10 < 6 THEN 'closed' WHEN g % 10 < 8 THEN 'awaiting_action' ELSE 'assessment' END,
           CASE WHEN g % 10 < 6 THEN r.received + interval '20 days' END,
           CASE WHEN g % 10 < 6 THEN 'nfa' ELSE '' END,
           CASE WHEN g % 10 < 6 THEN 'Benchmark closure' ELSE '' END,
           b.band, CASE WHEN b.band <> '' THEN r.received + interval '1 day' END, b.tier,
           r.received + (b.days || ' days')::interval, NULL, NULL
    FROM generate_series(1, {n}) g
    CROSS JOIN LATERAL (SELECT now() - (g % 730) * interval '1 day' - (g % 1440) * interval '1 minute' AS received) r
    CROSS JOIN LATERAL (SELECT CASE g % 7 WHEN 0 THEN 'very_high' WHEN 1 THEN 'high' WHEN 2 THEN 'high'
                                WHEN 3 THEN 'medium' WHEN 4 THEN 'low' WHEN 5 THEN 'low' ELSE '' END AS band,
                               CASE g % 7 WHEN 0 THEN 1 WHEN 1 THEN 3 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 5
                                WHEN 5 THEN 5 ELSE CASE WHEN g % 997 = 0 THEN 0 ELSE 2 END END AS tier,
                               CASE g % 7 WHEN 0 THEN 1 WHEN 1 THEN 7 WHEN 2 THEN 7 WHEN 3 THEN 14 ELSE 30 END AS days) b;
    ANALYZE;
    """
    base = URL.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/{db}", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True)
    print(f"seeded {n:,} referrals in {time.perf_counter() - started:.1f} s")


def measure(requests: int) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from winnow.accounts.models import User
    from winnow.referrals.models import Referral

    def timed(client: Client, url: str) -> list[float]:
        client.get(url)  # warm
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        return samples

    def report(label: str, samples: list[float]) -> tuple[float, float]:
        q = statistics.quantiles(samples, n=100)
        print(f"{label:<48} p50 {q[49]:7.1f} ms   p95 {q[94]:7.1f} ms")
        return q[49], q[94]

    print(f"open referrals: {Referral.objects.open().count():,} of {Referral.objects.count():,}")
    results = {}
    for username in ("bench.unit", "bench.national"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        results[(username, "healthz")] = report(f"{username}: /healthz (baseline)", timed(client, "/healthz"))
        results[(username, "p1")] = report(f"{username}: /queue/ page 1", timed(client, "/queue/"))
        results[(username, "p20")] = report(f"{username}: /queue/?page=20", timed(client, "/queue/?page=20"))
        results[(username, "overdue")] = report(f"{username}: /queue/?overdue=on", timed(client, "/queue/?overdue=on"))
        user = User.objects.get(username=username)
        qs = Referral.objects.visible_to(user).queue().select_related("unit", "assigned_to")[:51]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\nplan for {username}, page 1:\n{plan}\n")
            cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off")
            t = time.perf_counter()
            for _ in range(5):
                cursor.execute(sql, params)
                cursor.fetchall()
            no_index = (time.perf_counter() - t) / 5 * 1000
            cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan")
            t = time.perf_counter()
            for _ in range(20):
                cursor.execute(sql, params)
                cursor.fetchall()
            with_index = (time.perf_counter() - t) / 20 * 1000
            print(f"{username}: queue query alone {with_index:.2f} ms with indexes, {no_index:.1f} ms without "
                  f"({no_index / with_index:.0f}x)\n")
    worst = max(v[1] for k, v in results.items() if k[1] != "healthz")
    print(f"worst p95 across queue pages: {worst:.1f} ms (target <= 150 ms): {'MET' if worst <= 150 else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if not args.skip_seed:
        seed(args.referrals)
    measure(args.requests)
