"""Trends pages at 1,000,000 referrals in one unit, PostgreSQL, with the query plans.

Creates (and drops first) the database `winnow_bench_trends` on the PostgreSQL at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/winnow_bench_trends), migrates it, and inserts with SQL, all in one unit: N
fictional referrals received over nine years, one subject each, case facts for every subject (age band, sex,
employment, one or two concealment options, most severe category, youngest age band: about 7 rows a subject),
and 5% of subjects merged pairwise into linked people (so re-referral has events). The derived trend counts and
re-referral events are then built by `trends_rebuild`, as `winnow trends-rebuild` does after a bulk load, and timed.

Measured: each trends page through Django's test client as a supervisor of the unit (median and p95 of R
requests after one warm-up), /healthz as the same-run floor, and the baseline the derived counts replace: the
same figures computed straight from the facts table by GROUP BY, and the join of every linked subject to its
referral that the re-referral page ran before its events were derived. EXPLAIN (ANALYZE, BUFFERS) of each page's
heaviest query is printed.

    .venv/bin/python benchmarks/bench_trends.py [--referrals 1000000] [--requests 7] [--skip-seed]
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
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_trends")
DB = URL.rsplit("/", 1)[1]
BASE = URL.rsplit("/", 1)[0]


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", f"{BASE}/{db}", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True)


def seed(n: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "winnow.settings"}
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    started = time.perf_counter()
    pairs = n // 40
    psql(f"""
    INSERT INTO accounts_unit (code, name, created_at) VALUES ('u1', 'Bench unit', now());
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES ('!', false, 'bench.supervisor', '', '', '', false, true, now());
    INSERT INTO accounts_membership (user_id, unit_id, role, created_at)
      SELECT (SELECT id FROM accounts_user), (SELECT id FROM accounts_unit), 'supervisor', now();
    INSERT INTO referrals_rawpackage (unit_id, kind, filename, media_type, content, size, sha256, received_at, received_by_id)
      VALUES ((SELECT id FROM accounts_unit), 'file', 'bench.csv', 'text/csv', '\\x00', 1, repeat('0', 64), now(),
              (SELECT id FROM accounts_user));
    INSERT INTO referrals_referral (id, unit_id, reference, source, source_reference, received_at, summary, immediate_danger,
        package_id, package_locator, created_at, created_by_id, status, closed_at, disposition, closure_reason,
        band, band_decided_at, priority_tier, deadline_at, assigned_to_id, actioned_at)
    SELECT g, (SELECT id FROM accounts_unit), 'BENCH-' || g, 'ncmec', '', r.received, 'Fictional benchmark referral',
           false, (SELECT id FROM referrals_rawpackage), '', r.received, (SELECT id FROM accounts_user),
           'closed', r.received + interval '30 days', 'nfa', 'Benchmark closure', '', NULL, 2, NULL, NULL, NULL
    FROM generate_series(1, {n}) g
    CROSS JOIN LATERAL (SELECT timestamptz '2017-06-01' + (g::float / {n}) * interval '3285 days' AS received) r;
    INSERT INTO referrals_subject (id, referral_id, unit_id, role, given_names, family_name, date_of_birth, sex,
        addresses, created_at, created_by_id)
    SELECT g, g, (SELECT id FROM accounts_unit), 'reported', '', '', NULL, 'male', '[]', now(),
           (SELECT id FROM accounts_user) FROM generate_series(1, {n}) g;
    """, DB)
    print(f"referrals and subjects: {time.perf_counter() - started:.1f} s", flush=True)
    t = time.perf_counter()
    facts = []
    for measure, expr in [
        ("age_band", "(ARRAY['20-24','25-29','30-34','35-39','40-44','45-49','50-54','55-59','60-64','unknown'])[1 + g % 10]"),
        ("sex", "(ARRAY['male','male','male','male','male','male','male','male','female','unknown'])[1 + g % 10]"),
        ("employment", "(ARRAY['employed','employed','unemployed','retired','student','other','unknown'])[1 + g % 7]"),
        ("concealment", "(ARRAY['encryption','anonymising_networks','cloud_storage','several_devices','none','unknown'])[1 + g % 6]"),
        ("severity", "(ARRAY['a','b','c','c','none','unknown'])[1 + (g / 3) % 6]"),
        ("youngest_age_band", "(ARRAY['0-2','3-6','7-10','11-13','11-13','14-15','16-17','unknown'])[1 + (g / 7) % 8]"),
    ]:
        facts.append(f"""SELECT g, '{measure}', {expr} FROM generate_series(1, {n}) g""")
    # A second concealment option for a third of subjects (a multi-choice measure).
    facts.append(f"SELECT g, 'concealment', 'wiping_tools' FROM generate_series(1, {n}) g WHERE g % 3 = 0 AND g % 6 < 4")
    psql(f"""
    INSERT INTO research_casefact (unit_id, referral_id, subject_id, measure, value, quarter, current, corrects_id,
        reason, fictional_demo, recorded_at, recorded_by_id)
    SELECT (SELECT id FROM accounts_unit), f.g, f.g, f.measure, f.value,
           (extract(year FROM r.received_at AT TIME ZONE 'Europe/London') * 10
            + extract(quarter FROM r.received_at AT TIME ZONE 'Europe/London'))::int,
           true, NULL, '', false, now(), (SELECT id FROM accounts_user)
    FROM ({' UNION ALL '.join(facts)}) AS f(g, measure, value)
    JOIN referrals_referral r ON r.id = f.g;
    """, DB)
    print(f"case facts: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    psql(f"""
    INSERT INTO linkage_linkagerun (unit_id, ran_at, seconds, subjects, pairs_scored, proposals_created, threshold, model, by_id)
      VALUES ((SELECT id FROM accounts_unit), now(), 1, {n}, {pairs}, {pairs}, 0.9, 'prior', (SELECT id FROM accounts_user));
    INSERT INTO linkage_linkproposal (id, unit_id, run_id, left_subject_id, right_subject_id, match_probability,
        match_weight, fields, created_at)
    SELECT p, (SELECT id FROM accounts_unit), (SELECT id FROM linkage_linkagerun), p * 40, p * 40 + 1 + p % 37, 0.97, 8,
           '[]', now() FROM generate_series(1, {pairs} - 1) p;
    INSERT INTO linkage_person (id, unit_id, created_at, created_by_id)
      SELECT p, (SELECT id FROM accounts_unit), now(), (SELECT id FROM accounts_user) FROM generate_series(1, {pairs} - 1) p;
    INSERT INTO linkage_merge (id, unit_id, person_id, proposal_id, by_id, at)
      SELECT p, (SELECT id FROM accounts_unit), p, p, (SELECT id FROM accounts_user), now() FROM generate_series(1, {pairs} - 1) p;
    INSERT INTO linkage_personmembership (person_id, subject_id, merge_id, created_at)
      SELECT p, p * 40, p, now() FROM generate_series(1, {pairs} - 1) p
      UNION ALL SELECT p, p * 40 + 1 + p % 37, p, now() FROM generate_series(1, {pairs} - 1) p;
    SELECT setval(pg_get_serial_sequence('referrals_referral', 'id'), {n});
    SELECT setval(pg_get_serial_sequence('referrals_subject', 'id'), {n});
    """, DB)
    # As autovacuum would have left tables filled over nine years: statistics and the visibility map (which lets
    # the youth page count referrals per year from the (unit, received_at) index alone).
    psql("VACUUM (ANALYZE)", DB)
    print(f"linked people: {time.perf_counter() - t:.1f} s", flush=True)
    print(f"seeded {n:,} referrals in {time.perf_counter() - started:.1f} s", flush=True)


def measure(requests: int) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    import django

    django.setup()
    from django.db import connection, models
    from django.test import Client

    from winnow.accounts.models import User
    from winnow.referrals.models import Referral
    from winnow.research.models import CaseFact, RereferralCase, TrendCount
    from winnow.research.services import trends_rebuild

    t = time.perf_counter()
    rows = trends_rebuild()
    print(f"trends_rebuild: {rows:,} count and re-referral rows from {CaseFact.objects.count():,} facts in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE research_trendcount")
        cursor.execute("ANALYZE research_rereferralcase")
    print(f"re-referral rows: {RereferralCase.objects.count():,}, of which events "
          f"{RereferralCase.objects.filter(days__isnull=False).count():,}", flush=True)
    client = Client()
    client.force_login(User.objects.get(username="bench.supervisor"))
    print(f"referrals: {Referral.objects.count():,}; trend count rows: {TrendCount.objects.count():,}")

    def timed(url: str) -> tuple[float, float]:
        first = time.perf_counter()
        assert client.get(url).status_code == 200, url
        warm = (time.perf_counter() - first) * 1000
        samples = []
        for _ in range(requests):
            s = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - s) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        q = statistics.quantiles(samples, n=20) if len(samples) > 1 else samples * 19
        print(f"{url:<52} first {warm:8.1f} ms  median {statistics.median(samples):8.1f} ms  p95 {q[18]:8.1f} ms",
              flush=True)
        return statistics.median(samples), q[18]

    results = {"/healthz": timed("/healthz")}
    pages = ["/research/", *[f"/research/trends/{p}/" for p in
                             ("profile", "concealment", "methods", "material", "interview", "youth", "reoffending")],
             "/research/trends/profile/?period=quarter", "/research/trends/concealment.csv?period=quarter"]
    for url in pages:
        results[url] = timed(url)

    unit = Referral.objects.values_list("unit_id", flat=True).first()
    plans = {
        "trend counts for one page (profile)": (
            "SELECT measure, value, quarter, cases FROM research_trendcount WHERE unit_id = %s AND measure IN "
            "('age_band','sex','living_alone','relationship','employment','isolation') AND cases > 0", [unit]),
        "re-referral: cases followed per quarter": (
            "SELECT quarter, cases FROM research_trendcount WHERE unit_id = %s AND measure = 'age_band' AND value = '' "
            "AND cases > 0", [unit]),
        "re-referral: events grouped from the derived rows": (
            "SELECT quarter, days, COUNT(subject_id) FROM research_rereferralcase WHERE unit_id = %s AND days IS NOT "
            "NULL GROUP BY quarter, days", [unit]),
        "youth: referrals per year (one year's range)": (
            "SELECT COUNT(*) FROM referrals_referral WHERE unit_id = %s AND received_at >= '2020-01-01' AND "
            "received_at < '2021-01-01'", [unit]),
        "baseline: re-referral straight from the memberships (what the page did before)": (
            "SELECT m.person_id, s.referral_id, r.received_at FROM linkage_personmembership m JOIN referrals_subject s "
            "ON s.id = m.subject_id JOIN referrals_referral r ON r.id = s.referral_id LEFT JOIN linkage_mergeundo u "
            "ON u.merge_id = m.merge_id WHERE u.id IS NULL AND s.unit_id = %s", [unit]),
        "baseline: the profile figures straight from the facts": (
            "SELECT measure, value, quarter, COUNT(*) FROM research_casefact WHERE unit_id = %s AND current AND "
            "measure IN ('age_band','sex','living_alone','relationship','employment','isolation') "
            "GROUP BY measure, value, quarter", [unit]),
    }
    with connection.cursor() as cursor:
        for label, (sql, params) in plans.items():
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\nplan, {label}:\n{plan}", flush=True)
        sql, params = plans["baseline: the profile figures straight from the facts"]
        s = time.perf_counter()
        for _ in range(3):
            cursor.execute(sql, params)
            cursor.fetchall()
        baseline = (time.perf_counter() - s) / 3 * 1000
        sql, params = plans["trend counts for one page (profile)"]
        s = time.perf_counter()
        for _ in range(20):
            cursor.execute(sql, params)
            cursor.fetchall()
        derived = (time.perf_counter() - s) / 20 * 1000
        timed_sql = {}
        for label in ("re-referral: events grouped from the derived rows",
                      "baseline: re-referral straight from the memberships (what the page did before)"):
            sql, params = plans[label]
            s = time.perf_counter()
            for _ in range(3):
                cursor.execute(sql, params)
                cursor.fetchall()
            timed_sql[label] = (time.perf_counter() - s) / 3 * 1000
    print(f"\nre-referral events: {timed_sql['re-referral: events grouped from the derived rows']:.1f} ms from the "
          f"derived rows vs {timed_sql['baseline: re-referral straight from the memberships (what the page did before)']:.0f}"
          " ms joining the memberships to their referrals (the join alone; the page then also looked up case facts)")
    print(f"\nprofile figures: {derived:.2f} ms from the derived counts vs {baseline:.0f} ms straight from the facts "
          f"({baseline / derived:.0f}x)")
    # The task worker's share: the heartbeat's check when everything is counted, and a refresh after one merge
    # (the state is wound back by one merge, as if it had just been made).
    from django.utils import timezone

    from winnow.research.models import RereferralState
    from winnow.research.rereferral import rereferral_refresh, units_pending

    s = time.perf_counter()
    assert units_pending() == []
    check = (time.perf_counter() - s) * 1000
    RereferralState.objects.filter(unit_id=unit).update(
        merges_seen=models.F("merges_seen") - 1, merges_counted=models.F("merges_counted") - 1,
        refreshed_at=timezone.now())
    s = time.perf_counter()
    touched = rereferral_refresh(unit_id=unit)
    refresh = (time.perf_counter() - s) * 1000
    print(f"worker heartbeat check with nothing to count: {check:.1f} ms; refresh after one merge: {refresh:.1f} ms "
          f"({touched} subjects recomputed)")
    worst = max(v[1] for k, v in results.items() if k != "/healthz")
    print(f"worst p95 across trends pages: {worst:.1f} ms (target < 1000 ms): {'MET' if worst < 1000 else 'MISSED'}")
    print(f"load average: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    if not args.skip_seed:
        seed(args.referrals)
    else:  # the seeded database may predate this branch's migrations
        env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "winnow.settings"}
        subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    measure(args.requests)


if __name__ == "__main__":
    main()
