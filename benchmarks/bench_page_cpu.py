"""CPU time per request of the load benchmark's pages, in-process, this tree against a baseline commit, alternating.

The throughput benchmark (bench_throughput.py) measures requests per second through gunicorn, which on a shared
2-core machine moves by +-15 % from one run to the next: smaller changes in the pages' own cost drown in it. This
script takes the server out: one process per tree signs in as the demo supervisor through the login page (and
makes an API token), then requests each page of the mix `--requests` times through Django's handler (the whole
middleware stack, the view, the template, the audit write) and reports the process's CPU time per request. Trees
alternate for `--rounds` rounds, so the machine's drift falls on both; the medians are compared.

Uses the database bench_throughput.py seeds (BENCH_DATABASE_URL, default winnow_bench_load; run that first, or
`winnow seed-demo` into it).

    .venv/bin/python benchmarks/bench_page_cpu.py --baseline-ref REF [--rounds 3] [--requests 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_load")
PASSWORD = "winnow-demo-only"  # noqa: S105 - the fictional demo's published password

# Run in a child process with the tree on sys.path: prints {"tree": path, "page": ms, ...} as one JSON line.
CHILD = r"""
import io, json, os, re, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "winnow.settings"
import django
django.setup()
import winnow
from django.conf import settings
from django.core.management import call_command
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
n = int(sys.argv[1])
web = Client()
page = web.get("/login/").content.decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
signed = web.post("/login/", {"username": "supervisor", "password": sys.argv[2], "csrfmiddlewaretoken": token})
assert signed.status_code == 302, signed.status_code
out = io.StringIO()
call_command("create-token", "supervisor", stdout=out)
api = Client(HTTP_AUTHORIZATION="Bearer " + out.getvalue().strip().split()[-1])
ids = [row["id"] for row in api.get("/api/v1/referrals").json()["results"]]
pages = {"queue": (web, "/queue/"), "referral (newest)": (web, f"/referrals/{ids[0]}/"),
         "referral (middle)": (web, f"/referrals/{ids[len(ids) // 2]}/"), "api list": (api, "/api/v1/referrals"),
         "api list page 2": (api, "/api/v1/referrals?page=2")}
for client, path in pages.values():
    for _ in range(3):  # imports, template compilation, connection
        assert client.get(path).status_code == 200, path
result = {"tree": os.path.dirname(os.path.dirname(winnow.__file__))}
for name, (client, path) in pages.items():
    started = time.process_time()
    for _ in range(n):
        client.get(path)
    result[name] = (time.process_time() - started) / n * 1000
print(json.dumps(result))
"""


def measure(tree: Path, requests: int) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": URL, "WINNOW_ENV": "development", "DEBUG": "0", "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(requests), PASSWORD], cwd=tree, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    result = json.loads(out)
    assert Path(result.pop("tree")).resolve() == tree.resolve(), "the child imported another tree's winnow"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-ref", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; {args.requests} requests per page, "
          f"{args.rounds} alternating rounds", flush=True)
    with tempfile.TemporaryDirectory(prefix="winnow-bench-cpu-") as tmp:
        archive = subprocess.run(["git", "archive", "--format=tar", args.baseline_ref], cwd=ROOT, check=True,
                                 capture_output=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        trees = {f"baseline {args.baseline_ref}": Path(tmp), "this tree": ROOT}
        runs: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
        for round_ in range(args.rounds):
            for label, tree in trees.items():
                runs[label].append(measure(tree, args.requests))
                print(f"round {round_ + 1}, {label:<22} " + "  ".join(
                    f"{page} {ms:5.1f}" for page, ms in runs[label][-1].items()) + "  (ms CPU/request)", flush=True)
    base, mine = runs[f"baseline {args.baseline_ref}"], runs["this tree"]
    for page in base[0]:
        b = statistics.median(r[page] for r in base)
        m = statistics.median(r[page] for r in mine)
        print(f"{page:<18} median {b:6.1f} -> {m:6.1f} ms CPU/request ({m / b:.2f}x)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
