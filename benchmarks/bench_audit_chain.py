"""Audit appends under concurrency: one global unkeyed chain (before) against keyed chains per unit (now).

Creates (and drops first) the database `winnow_bench_audit` on the PostgreSQL at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/winnow_bench_audit) and migrates it. THREADS writers, each in its own unit, each
append EVENTS audit events, one transaction each; inside the transaction, after the append, each holds the
transaction open for HOLD_MS (the rest of a request's writes, which commit with the event). Baseline in the same
run: the same writers with every event forced into one shard and hashed with plain SHA-256 (what the chain was
before: one advisory lock for the installation). Reports events/s for both and the ratio, then verifies the
keyed trail.

    .venv/bin/python benchmarks/bench_audit_chain.py [--threads 8] [--events 150] [--hold-ms 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_audit")


def psql(sql: str) -> None:
    base = URL.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True)


def run(mode: str, units: list[int], events: int, hold: float) -> float:
    from django.db import connection, transaction

    from winnow.audit import services
    from winnow.audit.services import AuditAction, audit_record

    if mode == "before":
        services.shard_for = lambda unit_id: "bench-one-chain"  # type: ignore[assignment]
        services.audit_key = lambda: None  # type: ignore[assignment,return-value]
    else:
        from winnow.audit import chain
        from winnow.core import auditchain

        services.shard_for = auditchain.shard_for
        services.audit_key = chain.audit_key

    def writer(unit_id: int) -> None:
        for i in range(events):
            with transaction.atomic():
                audit_record(actor=None, action=AuditAction.REFERRAL_READ, unit_id=unit_id,
                             target_type="referral", target_id=str(i), detail={"bench": mode})
                time.sleep(hold)
        connection.close()

    threads = [threading.Thread(target=writer, args=(u,)) for u in units]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(units) * events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--hold-ms", type=float, default=2.0)
    args = parser.parse_args()
    psql("DROP DATABASE IF EXISTS winnow_bench_audit WITH (FORCE); CREATE DATABASE winnow_bench_audit;")
    os.environ["DATABASE_URL"] = URL
    os.environ["WINNOW_AUDIT_CHECKPOINT_PATH"] = str(ROOT / "var" / "bench-audit-checkpoints.jsonl")
    Path(os.environ["WINNOW_AUDIT_CHECKPOINT_PATH"]).unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from winnow.accounts.models import Unit

    units = [Unit.objects.create(code=f"b{i}", name=f"Bench Unit {i}").pk for i in range(args.threads)]
    hold = args.hold_ms / 1000
    run("now", units[:1], 5, 0)  # warm-up
    before = run("before", units, args.events, hold)
    now = run("now", units, args.events, hold)
    print(f"{args.threads} writers x {args.events} events, {args.hold_ms} ms held in each transaction")
    print(f"one global SHA-256 chain (before): {before:,.0f} events/s")
    print(f"keyed chain per unit (now):        {now:,.0f} events/s   x{now / before:.2f}")
    from winnow.audit.chain import checkpoint_write, trail_verify

    checkpoint_write()
    report = trail_verify()
    keyed = [r for r in report.shards if r.shard.startswith("unit:")]
    print(f"verify: {sum(r.checked for r in keyed)} keyed events in {len(keyed)} shards, "
          f"all intact: {all(r.ok for r in keyed)} (the 'before' shard is unkeyed by design and fails)")
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    main()
