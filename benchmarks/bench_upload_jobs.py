"""Upload request time before and after imports moved to the task worker (issue 16, build 4), SQLite, Django's test
client, in one pytest process: a 1,000,000-line MD5 list (33 MB) on /triage/hash-sets/ and a 4,000-referral CSV
(1 MB, each row its own fictional person) on /referrals/import/. In a tree with upload jobs it also times the
worker's import (run in the test); in a tree without them the request does the import, and that is the figure.

    .venv/bin/python -m pytest -n 0 -q -s -p no:cacheprovider benchmarks/bench_upload_jobs.py
    # the earlier code: git archive 63d8471 | tar -x -C /tmp/base; mkdir /tmp/base/var; copy this file into
    # /tmp/base/winnow/worker/tests/ and run it there with this tree's .venv. The figures in docs/benchmarks.md
    # came from this code run both ways (from winnow/worker/tests/, before it was tidied for ruff). The CSV now comes
    # from winnow.core.intake.fictional_referrals_csv, which a tree that old lacks: there, use this file as of
    # e9dbeaa (its own copy of the same generator)
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from winnow.core.intake import fictional_referrals_csv


def _jobs() -> str:
    try:
        from winnow.worker.tests.support import run_jobs
    except ImportError:
        return "no jobs (synchronous)"
    start = time.perf_counter()
    run_jobs()
    return f"worker {time.perf_counter() - start:.1f} s"


def test_measure(administrator: Any, handler: Any, units: Any) -> None:
    body = b"".join(hashlib.md5(str(i).encode(), usedforsecurity=False).hexdigest().encode() + b"\n"
                    for i in range(1_000_000))
    client = Client()
    client.force_login(administrator)
    start = time.perf_counter()
    r = client.post("/triage/hash-sets/", {"name": "Bench", "known_files": "on",
                                           "file": SimpleUploadedFile("bench.txt", body)})
    took = time.perf_counter() - start
    print(f"\nMEASURE hash set 1,000,000 lines ({len(body):,} B): request {took:.2f} s -> {r.status_code} "
          f"{r.get('Location')}; {_jobs()}")
    content = fictional_referrals_csv(4000)
    client = Client()
    client.force_login(handler)
    start = time.perf_counter()
    r = client.post("/referrals/import/", {"unit": units["north"].pk, "file": SimpleUploadedFile("big.csv", content)})
    took = time.perf_counter() - start
    print(f"MEASURE referral CSV 4,000 rows ({len(content):,} B): request {took:.2f} s -> {r.status_code} "
          f"{r.get('Location')}; {_jobs()}")
