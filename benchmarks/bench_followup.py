"""Intake to "same person?" proposal, through the real task worker, with 10,000 / 100,000 people in the unit.

Creates (and drops first) the database `winnow_bench_tasks` on the PostgreSQL at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/winnow_bench_tasks), migrates it, inserts N fictional people (Faker, en_GB: one
referral and one named subject each, with date of birth and address) into one unit, starts a real `winnow worker`
(default 1 s poll interval, as `make demo` runs it), then records TRIALS referrals through `referral_record` (the
intake service: the follow-up task is enqueued in the intake transaction). Each is about a person already held,
with the family name misspelt and no identifier: only person linkage can connect them. Measured per trial, after one first
referral that fills the worker's cache (reported apart): from the intake commit to the LinkProposal being visible (p50/p95), and how much of it was the worker's poll wait. Baseline in
the same run: a full `people_link` (what `winnow link-people` runs) over the same unit.

    .venv/bin/python benchmarks/bench_followup.py [--people 10000] [--trials 30] [--skip-full]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_tasks")
DB = URL.rsplit("/", 1)[1]


def psql(sql: str, db: str = "postgres") -> None:
    base = URL.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/{db}", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True)


def people(n: int, seed: int = 10) -> list[tuple[str, str, str, str]]:
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(seed)
    rnd = random.Random(seed)
    made = []
    for _ in range(n):
        dob = date(1950, 1, 1) + timedelta(days=rnd.randrange(0, 58 * 365))
        address = f"{fake.street_address()}, {fake.city()}, {fake.postcode()}".replace("\n", ", ")
        made.append((fake.first_name(), fake.last_name(), dob.isoformat(), address))
    return made


def seed(n: int) -> list[tuple[str, str, str, str]]:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "winnow.settings"}
    subprocess.run([sys.executable, "-m", "winnow", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    started = time.perf_counter()
    psql(f"""
    INSERT INTO accounts_unit (code, name, created_at) VALUES ('bench', 'Bench unit', now());
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES ('!', false, 'bench.handler', '', '', '', false, true, now());
    INSERT INTO accounts_membership (user_id, unit_id, role, created_at)
      SELECT (SELECT id FROM accounts_user), (SELECT id FROM accounts_unit), 'handler', now();
    INSERT INTO referrals_rawpackage (unit_id, kind, filename, media_type, content, size, sha256, received_at, received_by_id)
      VALUES ((SELECT id FROM accounts_unit), 'file', 'bench.csv', 'text/csv', '\\x00', 1, repeat('0', 64), now(),
              (SELECT id FROM accounts_user));
    INSERT INTO referrals_referral (unit_id, reference, source, source_reference, received_at, summary, immediate_danger,
        package_id, package_locator, created_at, created_by_id, status, closed_at, disposition, closure_reason,
        band, band_decided_at, priority_tier, deadline_at, assigned_to_id, actioned_at)
    SELECT (SELECT id FROM accounts_unit), 'BENCH-' || g, 'ncmec', '', now(), 'Fictional benchmark referral', false,
           (SELECT id FROM referrals_rawpackage), 'row ' || g, now(), (SELECT id FROM accounts_user), 'assessment',
           NULL, '', '', '', NULL, 2, now() + interval '2 days', NULL, NULL
    FROM generate_series(1, {n}) g;
    """, DB)
    held = people(n)
    import psycopg

    with psycopg.connect(URL) as con, con.cursor() as cur:
        cur.execute("SELECT min(id), (SELECT id FROM accounts_unit), (SELECT id FROM accounts_user) FROM referrals_referral")
        first, unit, user = cur.fetchone()  # type: ignore[misc]
        buffer = io.StringIO()
        for i, (given, family, dob, address) in enumerate(held):
            addresses = '["' + address.replace('"', "") + '"]'
            buffer.write("\t".join([str(first + i), str(unit), "reported", given, family, dob, "unknown", addresses,
                                    str(user)]) + "\n")
        buffer.seek(0)
        with cur.copy("COPY referrals_subject (referral_id, unit_id, role, given_names, family_name, date_of_birth, "
                      "sex, addresses, created_at, created_by_id) FROM STDIN") as copy:
            for line in buffer:
                parts = line.rstrip("\n").split("\t")
                copy.write_row([*parts[:8], "now", parts[8]])
        cur.execute("ANALYZE")
    print(f"seeded {n:,} people in {time.perf_counter() - started:.1f} s")
    return held


def misspell(name: str, rnd: random.Random) -> str:
    if len(name) < 4:
        return name + name[-1]
    i = rnd.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # swap two letters


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    held = seed(args.people)

    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from winnow.accounts.models import Unit, User
    from winnow.core.intake import referral_from_mapping
    from winnow.linkage.models import LinkageRun, LinkProposal
    from winnow.linkage.services import people_link
    from winnow.referrals.services import canonical_json, referral_record

    unit, user = Unit.objects.get(code="bench"), User.objects.get(username="bench.handler")
    worker = subprocess.Popen([sys.executable, "-m", "winnow", "worker", "--no-startup-delay", "-v", "0"],
                              env={**os.environ}, cwd=ROOT)
    rnd = random.Random(7)
    latencies, waits, runs = [], [], []
    try:
        from winnow.worker.models import WorkerHeartbeat

        while not WorkerHeartbeat.objects.exists():  # it beats once started up (Django, splink warmed)
            time.sleep(0.1)
        for trial in range(args.trials + 1):
            given, family, dob, address = held[rnd.randrange(len(held))]
            mapping = {"source": "ncmec", "source_reference": f"BENCH-NEW-{trial}", "received_at": timezone.now().isoformat(),
                       "summary": "Fictional benchmark referral.", "immediate_danger": False,
                       "subjects": [{"role": "reported", "given_names": given, "family_name": misspell(family, rnd),
                                     "date_of_birth": dob, "addresses": [address]}]}
            referral = referral_record(actor=user, unit=unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                                       raw=canonical_json(mapping), media_type="application/json", via="api")
            committed = time.perf_counter()
            subject = referral.subjects.get()
            while not LinkProposal.objects.touching_subjects([subject.pk]).exists():
                if time.perf_counter() - committed > 120:
                    raise SystemExit(f"trial {trial}: no proposal after 120 s")
                time.sleep(0.02)
            latencies.append(time.perf_counter() - committed)
            task = DBTaskResult.objects.filter(args_kwargs__kwargs__referral_id=referral.pk).get()
            waits.append((task.started_at - task.enqueued_at).total_seconds())
            runs.append(LinkageRun.objects.filter(model="prior, incremental").order_by("-pk").first().seconds)
            time.sleep(rnd.random())  # referrals arrive at random moments relative to the worker's poll
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)

    # Trial 0 is the worker's first task: it also cleans every held subject once (kept for later tasks).
    first = latencies.pop(0)
    waits.pop(0)
    first_run = runs.pop(0)

    def q(values: list[float], p: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]

    print(f"people held: {args.people:,}; trials: {len(latencies)}")
    print(f"intake commit -> proposal: p50 {q(latencies, 50):.2f} s, p95 {q(latencies, 95):.2f} s, max {max(latencies):.2f} s")
    print(f"  of which waiting for the worker's poll: p50 {q(waits, 50):.2f} s, p95 {q(waits, 95):.2f} s")
    print(f"  incremental linkage inside the task (LinkageRun.seconds): p50 {q(runs, 50):.2f} s, p95 {q(runs, 95):.2f} s")
    print(f"first referral after the worker started (cleans the unit's subjects once): {first:.2f} s "
          f"({first_run:.2f} s in the task)")
    if not args.skip_full:
        started = time.perf_counter()
        run = people_link(unit=unit)
        full = time.perf_counter() - started
        print(f"baseline full people_link over {run.subjects:,} subjects: {full:.1f} s ({run.pairs_scored:,} pairs at "
              f"or above the threshold); ratio full / incremental p50: {full / q(latencies, 50):.1f}x")


if __name__ == "__main__":
    main()
