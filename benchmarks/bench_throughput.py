"""Throughput on two cores: the queue page, a referral page and the API list, as a unit's officers use them.

Creates (dropping first) the PostgreSQL database `winnow_bench_load`, migrates it and seeds the fictional demo
(`winnow seed-demo`), then serves it with gunicorn on 127.0.0.1 (loopback only) and drives it with N concurrent
users, each a keep-alive session signed in as the demo supervisor, cycling through the mix: queue page, a referral
page, API list (one third each). Every level runs for a fixed time.

Reports requests per second, p50/p95/p99 latency, errors and the gunicorn processes' CPU time per request (which
other people's load on a shared machine moves much less than the rates) at each level. Baselines in the same run, through the
same generator and database, one server at a time:
- /healthz (no session, no database work) through the same server, so the figure separates Winnow's per-request
  work from the server's and the load generator's (which share the same two cores; stated with the results);
- with `--baseline-ref REF`, the same mix served by the code of that commit (`git archive` into a temporary
  directory, run with this checkout's virtualenv and its own defaults), measured level by level beside this tree.

    .venv/bin/python benchmarks/bench_throughput.py [--users 10 25 50] [--seconds 20] [--workers 2]
        [--threads 4] [--baseline-ref main]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_load")
BIN = Path(sys.executable).parent
PASSWORD = "winnow-demo-only"  # noqa: S105 - the fictional demo's published password


def _env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": URL, "WINNOW_ENV": "development", "DEBUG": "0"}


def prepare() -> None:
    base, name = URL.rsplit("/", 1)
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{base}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
    for command in (["migrate", "-v", "0"], ["seed-demo"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([str(BIN / "winnow"), *command], check=True, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
    subprocess.run(["psql", URL, "-q", "-c", "ANALYZE"], check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(workers: int, threads: int, tree: Path = ROOT) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    # One worker class for both trees: gthread with --threads (the README's recommended setup), or sync with 1.
    worker = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [str(BIN / "gunicorn"), "winnow.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *worker],
        cwd=tree, env={**_env(), "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return server, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def server_cpu(server: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system) used so far by gunicorn's master and workers (its process group). On a shared
    machine this moves far less with other people's load than requests per second does."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == server.pid:  # the process group (gunicorn runs in a session of its own)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def baseline_tree(ref: str, into: Path) -> Path:
    """The code of `ref` in a temporary directory (no worktree, nothing in the repository changes)."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    where = subprocess.run([sys.executable, "-c", "import winnow; print(winnow.__file__)"], cwd=into, check=True,
                           env={**_env(), "PYTHONPATH": str(into)}, capture_output=True, text=True).stdout.strip()
    assert where.startswith(str(into)), f"the baseline would import {where}, not its own tree"
    return into


def session(base: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{base}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    r = s.post(f"{base}/login/", data={"username": "supervisor", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1)},
               headers={"Referer": f"{base}/login/"}, timeout=60)
    assert r.status_code == 200 and "/login/" not in r.url, f"sign-in failed: {r.status_code} {r.url}"
    return s


def api_token() -> str:
    out = subprocess.run([str(BIN / "winnow"), "create-token", "supervisor"], check=True, cwd=ROOT, env=_env(),
                         capture_output=True, text=True).stdout
    return out.strip().split()[-1]


def referral_ids(base: str, token: str) -> list[int]:
    r = requests.get(f"{base}/api/v1/referrals", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    r.raise_for_status()
    return [row["id"] for row in r.json()["results"]]


def drive(base: str, sessions: list[requests.Session], seconds: float,
          paths: list[tuple[str, dict[str, str]]]) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures: list[str] = []  # list.append is atomic: the users' threads share it
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user(i: int) -> None:
        s, mine, kinds, n = sessions[i], [], failures, i
        while time.perf_counter() < stop:
            path, headers = paths[n % len(paths)]
            n += 1
            t = time.perf_counter()
            try:
                status = str(s.get(base + path, headers=headers, timeout=30).status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            mine.append(time.perf_counter() - t)
            if status != "200":
                kinds.append(f"{status} {path}")
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        print(f"    failed: {dict(Counter(failures))}", flush=True)
    return time.perf_counter() - started, latencies, len(failures)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 else math.nan


def main() -> None:  # noqa: C901 - one branch an option
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker (1: sync workers)")
    parser.add_argument("--baseline-ref", default="", help="also serve the mix from this commit, level by level")
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; gunicorn workers {args.workers}, "
          f"threads {args.threads}; this tree {_head()}" + (f", baseline {args.baseline_ref}" if args.baseline_ref
                                                              else ""))
    if not args.skip_prepare:
        prepare()
    with tempfile.TemporaryDirectory(prefix="winnow-bench-baseline-") as tmp:
        trees = [("this tree", ROOT)]
        if args.baseline_ref:
            trees.insert(0, (f"baseline {args.baseline_ref}", baseline_tree(args.baseline_ref, Path(tmp))))
        server, base = serve(args.workers, args.threads)
        try:
            token = api_token()
            ids = referral_ids(base, token)
            # Signed in once: both trees share the database and SECRET_KEY, so the sessions serve every server.
            signed_in = [session(base) for _ in range(max(args.users))]
        finally:
            stop(server)
        bearer = {"Authorization": f"Bearer {token}"}
        mix = [("/queue/", {}), (f"/referrals/{ids[0]}/", {}), ("/api/v1/referrals", bearer),
               ("/queue/", {}), (f"/referrals/{ids[len(ids) // 2]}/", {}), ("/api/v1/referrals?page=2", bearer)]
        results: dict[tuple[int, str], float] = {}
        for users in args.users:
            for label, tree in trees:
                server, base = serve(args.workers, args.threads, tree)
                try:
                    for what, paths, sessions in (
                            ("mix", mix, signed_in[:users]),
                            ("/healthz", [("/healthz", {})], [requests.Session() for _ in range(users)])):
                        drive(base, sessions, min(3.0, args.seconds), paths)  # warm: imports, connections
                        cpu = server_cpu(server)
                        elapsed, lat, errors = drive(base, sessions, args.seconds, paths)
                        cpu_ms = (server_cpu(server) - cpu) / max(1, len(lat)) * 1000
                        rate = len(lat) / elapsed
                        results[(users, f"{label} {what}")] = rate
                        print(f"{users:>3} users, {label:<22} {what:<8}: {rate:7.1f} req/s  p50 {pct(lat, 50):7.1f} "
                              f"ms  p95 {pct(lat, 95):7.1f} ms  p99 {pct(lat, 99):7.1f} ms  server CPU {cpu_ms:5.1f} ms/req  "
                              f"errors {errors}/{len(lat)}",
                              flush=True)
                finally:
                    stop(server)
            mine = results[(users, "this tree mix")] / results[(users, "this tree /healthz")]
            line = f"{users:>3} users: this tree's mix at {mine:.2f} of its /healthz"
            if args.baseline_ref:
                label = f"baseline {args.baseline_ref}"
                theirs = results[(users, f"{label} mix")] / results[(users, f"{label} /healthz")]
                line += (f", the baseline's at {theirs:.2f} of its own; mix {results[(users, 'this tree mix')] / results[(users, f'{label} mix')]:.2f}x the baseline's")
            print(line, flush=True)
    print(f"load average after: {os.getloadavg()}")


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
