"""Validation at force volume: the report page for 100,000 closed referrals on PostgreSQL, and the bootstrap.

1. Bootstrap: 2,000 stratified replicates of the AUC on 10,000 cases (target < 10 s). Baseline in the same run:
   the same replicates one at a time with scikit-learn's roc_auc_score (timed on 100, scaled to 2,000), and one
   DeLong interval on the same data.
2. Report: creates (dropping first) the database `winnow_bench_valid` on the PostgreSQL at BENCH_DATABASE_URL
   (default postgres://postgres@127.0.0.1:5432/winnow_bench_valid), migrates it, bulk-inserts N closed referrals
   each with a subject, an assessment, a supervisor's decision and an outcome, then times the real report view
   through Django's test client as an analyst (target < 2 s). Baseline: /healthz through the same client.

    .venv/bin/python benchmarks/bench_validation.py [--referrals 100000] [--requests 5] [--skip-report]
"""

from __future__ import annotations

import argparse
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


def seed(n: int) -> None:
    name = URL.rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": URL})


def bench_report(n: int, requests: int) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.test import Client
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
    client = Client()
    client.force_login(user)
    client.get("/healthz")
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
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    bench_bootstrap()
    if not args.skip_report:
        seed(args.referrals)
        bench_report(args.referrals, args.requests)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
