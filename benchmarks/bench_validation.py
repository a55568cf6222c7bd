"""Validation at force volume: the report page for 100,000 closed referrals on PostgreSQL, and the bootstrap.

1. Bootstrap: 2,000 stratified replicates of the AUC on 10,000 cases (target < 10 s). Baseline in the same run:
   the same replicates one at a time with scikit-learn's roc_auc_score (timed on 100, scaled to 2,000), and one
   DeLong interval on the same data.
2. Report: creates (dropping first) the database `winnow_bench_valid` on the PostgreSQL at BENCH_DATABASE_URL
   (default postgres://postgres@127.0.0.1:5432/winnow_bench_valid), migrates it, bulk-inserts N closed referrals
   each with a subject, an assessment, a supervisor's decision and an outcome, then times the real report view
   through Django's test client as an analyst (target < 2 s). Baseline: /healthz through the same client. The
   tables are ANALYZEd after seeding: without fresh statistics PostgreSQL plans the report's anti joins badly.
3. With `--baseline-tree DIR` (a copy of the code to compare with, e.g. `git archive main | tar -x -C DIR`), the same
   report on the same database is timed alternately through DIR's code and this tree's, each in its own process
   with a warm-up request first, so load from other work on a shared machine falls on both.

    .venv/bin/python benchmarks/bench_validation.py [--referrals 100000] [--requests 5] [--skip-report]
        [--reuse] [--baseline-tree DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_valid")
sys.path.insert(0, str(ROOT))


def bench_bootstrap() -> None:
    from sklearn.metrics import roc_auc_score

    from winnow.core.validation.stats import bootstrap_auc, delong

    rng = np.random.default_rng(1)
    y = rng.random(10_000) < 0.15
    s = rng.integers(0, 4, 10_000) + y * rng.integers(0, 2, 10_000)  # banded: many ties
    started = time.perf_counter()
    result = bootstrap_auc(s.astype(float), y, replicates=2000, seed=1)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    d = delong(s.astype(float), y)
    one_delong = time.perf_counter() - started
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    started = time.perf_counter()
    for _ in range(100):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        roc_auc_score(y[idx], s[idx])
    naive = (time.perf_counter() - started) * 20
    print(f"bootstrap 2,000 x 10,000: {ours:.2f} s (CI {result.low:.4f}-{result.high:.4f}); "
          f"naive scikit-learn loop {naive:.2f} s (x{naive / ours:.1f}); one DeLong {one_delong * 1000:.1f} ms "
          f"(CI {d.low:.4f}-{d.high:.4f})")


def psql(sql: str) -> None:
    base = URL.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


TIMED = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
import django
django.setup()
from django.test import Client
from winnow.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="bench.analyst"))
times = []
for _ in range(1 + int(sys.argv[1])):  # the first request warms imports, templates and the instrument registry
    started = time.perf_counter()
    response = client.get("/validation/?instrument=phased-prioritisation")
    times.append(time.perf_counter() - started)
    assert response.status_code == 200 and b"AUC (discrimination)" in response.content
print(json.dumps(times[1:]))
"""


def timed_in(tree: Path, requests: int) -> list[float]:
    """Report times through the code in `tree`, in a fresh process on the benchmark database."""
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", TIMED, str(requests)], cwd=tree, check=True,
                         capture_output=True, text=True, env={**os.environ, "DATABASE_URL": URL}).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(baseline: Path, requests: int) -> None:
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(requests):
        theirs += timed_in(baseline, 1)
        ours += timed_in(ROOT, 1)
        print(f"  baseline {theirs[-1]:.2f} s, this tree {ours[-1]:.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"report page, alternating: this tree median {statistics.median(ours):.2f} s (worst {max(ours):.2f} s), "
          f"baseline {baseline} median {statistics.median(theirs):.2f} s (worst {max(theirs):.2f} s): "
          f"x{statistics.median(theirs) / statistics.median(ours):.2f}")


def seed(n: int) -> None:
    name = URL.rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": URL})


def _seed_rows(n: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from winnow.accounts.models import Membership, Unit, User
    from winnow.assessments.models import Assessment, BandDecision
    from winnow.referrals.models import RawPackage, Referral, Subject
    from winnow.validation.models import SubjectOutcome

    started = time.perf_counter()
    unit = Unit.objects.create(code="bench", name="Benchmark Unit (fictional)")
    user = User.objects.create_user(username="bench.analyst", password="bench-only-not-a-login")  # noqa: S106
    Membership.objects.create(user=user, unit=unit, role="analyst")
    now = timezone.now()
    package = RawPackage.objects.create(unit=unit, kind="api", media_type="application/json", content=b"{}", size=2,
                                        sha256="0" * 64, received_by=user)
    rng = np.random.default_rng(3)
    bands = np.array(["low", "medium", "high", "very_high"])
    rates = {"low": 0.05, "medium": 0.15, "high": 0.3, "very_high": 0.55}
    step = 10_000
    for start in range(0, n, step):
        count = min(step, n - start)
        referrals = Referral.objects.bulk_create([Referral(
            unit=unit, reference=f"BENCH-{start + i:07d}", source="public", received_at=now - timedelta(days=400),
            summary="Fictional benchmark referral", package=package, created_by=user, status="closed",
            closed_at=now - timedelta(days=int(rng.integers(1, 365))), disposition="nfa", closure_reason="benchmark",
        ) for i in range(count)])
        subjects = Subject.objects.bulk_create([Subject(referral=r, unit=unit, role="reported", created_by=user)
                                                for r in referrals])
        chosen = bands[rng.integers(0, 4, count)]
        assessments = Assessment.objects.bulk_create([Assessment(
            referral=r, subject=s, instrument_id="phased-prioritisation", instrument_version="0.1.0",
            instrument_sha256="0" * 64, instrument_title="bench", answers={}, band=str(b), decided_by="bench",
            explanation=[], unknown_count=int(rng.integers(0, 3)), created_by=user,
        ) for r, s, b in zip(referrals, subjects, chosen, strict=True)])
        BandDecision.objects.bulk_create([BandDecision(
            assessment=a, referral=a.referral, supervisor=user, decision="confirm", computed_band=a.band,
            decided_band=a.band, rationale="bench") for a in assessments])
        SubjectOutcome.objects.bulk_create([SubjectOutcome(
            referral=a.referral, subject=a.subject, unit=unit, recorded_by=user,
            contact_offending="charged" if rng.random() < rates[a.band] else "none_found",
        ) for a in assessments])
    print(f"seeded {n:,} closed referrals with assessments, decisions and outcomes in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return user


def bench_report(n: int, requests: int, *, reuse: bool) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    import django

    django.setup()
    from django.test import Client

    from winnow.accounts.models import User

    user = User.objects.get(username="bench.analyst") if reuse else _seed_rows(n)
    client = Client()
    client.force_login(user)
    client.get("/healthz")
    client.get("/validation/?instrument=phased-prioritisation")  # warm-up, as the alternating runs have
    times, base = [], []
    for _ in range(requests):
        t = time.perf_counter()
        response = client.get("/validation/?instrument=phased-prioritisation")
        times.append(time.perf_counter() - t)
        assert response.status_code == 200 and b"AUC (discrimination)" in response.content
        t = time.perf_counter()
        client.get("/healthz")
        base.append(time.perf_counter() - t)
    print(f"report page, {n:,} closed referrals: median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
          f"over {requests} requests; /healthz median {statistics.median(base) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time the report on the database a previous run seeded")
    parser.add_argument("--baseline-tree", type=Path, help="also time the report through this copy of the code")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    bench_bootstrap()
    if not args.skip_report:
        if not args.reuse:
            seed(args.referrals)
        bench_report(args.referrals, args.requests, reuse=args.reuse)
        if args.baseline_tree:
            compare(args.baseline_tree.resolve(), args.requests)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
