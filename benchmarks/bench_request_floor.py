"""What a request costs before the page does anything, against what the load benchmark's pages cost: the CPU budget.

The throughput target (issue 16: 150 requests/s on two cores for the queue page, a referral page and the API list)
leaves 2 x 1000 / 150 = 13.3 ms of CPU per request for everything on the machine: the server, PostgreSQL and the
load generator, which share the cores. This script measures, in one process and one run, through Django's handler
(the whole middleware stack: session, sign-in, second factor, CSP, upload limits, input guard, lockout):

- /healthz (no session, no database work);
- a signed-in page that returns a word (session, user, memberships, second-factor check);
- a signed-in page that renders the base layout around one paragraph (header, navigation, notifications count);
- the same with one audit event written, as every page of personal data writes one;
- the three pages of the load mix;
- single ORM operations: a raw `SELECT 1`, a one-row query, 50 referral model rows, 50 rows as tuples, a COUNT.

Each figure is the median of `--rounds` runs of `--requests` requests, in ms of this process's CPU time, so the
machine's other load moves it less than wall time. The floor pages are added to the URLconf for this run only.
Uses the database bench_throughput.py seeds (BENCH_DATABASE_URL, default winnow_bench_load).

    .venv/bin/python benchmarks/bench_request_floor.py [--rounds 3] [--requests 50]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import time
from collections.abc import Callable

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/winnow_bench_load")
PASSWORD = "winnow-demo-only"  # noqa: S105 - the fictional demo's published password
os.environ.update({"DATABASE_URL": URL, "WINNOW_ENV": "development", "DEBUG": "0",
                   "DJANGO_SETTINGS_MODULE": "winnow.settings"})


def _median_ms(fn: Callable[[], object], rounds: int, n: int) -> float:
    for _ in range(5):  # imports, template compilation, connection
        fn()
    runs = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(n):
            fn()
        runs.append((time.process_time() - started) / n * 1000)
    return statistics.median(runs)


def main() -> None:  # noqa: PLR0915 - one measurement after another
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpRequest, HttpResponse
    from django.template import engines
    from django.test import Client
    from django.urls import clear_url_caches, path

    import winnow.urls
    from winnow.accounts.models import Unit
    from winnow.audit.services import AuditAction, audit_search
    from winnow.referrals.models import Referral

    settings.ALLOWED_HOSTS = ["*"]
    layout = engines["django"].from_string('{% extends "base.html" %}{% block content %}<p>Floor.</p>{% endblock %}')

    @login_required
    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse("floor")

    @login_required
    def in_layout(request: HttpRequest) -> HttpResponse:
        return HttpResponse(layout.render({}, request))

    @login_required
    def in_layout_audited(request: HttpRequest) -> HttpResponse:
        audit_search(request, AuditAction.QUEUE_LIST, {"benchmark": "floor"})
        return HttpResponse(layout.render({}, request))

    winnow.urls.urlpatterns += [path("bench-floor/bare/", bare), path("bench-floor/layout/", in_layout),
                                path("bench-floor/audited/", in_layout_audited)]
    clear_url_caches()

    web = Client()
    page = web.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no sign-in form"
    signed = web.post("/login/", {"username": "supervisor", "password": PASSWORD,
                                  "csrfmiddlewaretoken": token.group(1)})
    assert signed.status_code == 302, f"sign-in answered {signed.status_code}: seed the demo first"
    out = io.StringIO()
    call_command("create-token", "supervisor", stdout=out)
    api = Client(HTTP_AUTHORIZATION="Bearer " + out.getvalue().strip().split()[-1])
    ids = [row["id"] for row in api.get("/api/v1/referrals").json()["results"]]

    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores; median of {args.rounds} x "
          f"{args.requests} requests, ms of CPU per request in this process", flush=True)
    requests = {
        "/healthz (no session)": (Client(), "/healthz"),
        "/healthz (signed in: session, user, second-factor check)": (web, "/healthz"),
        "signed in, returns a word": (web, "/bench-floor/bare/"),
        "signed in, base layout": (web, "/bench-floor/layout/"),
        "signed in, base layout + one audit event": (web, "/bench-floor/audited/"),
        "queue page (mix)": (web, "/queue/"),
        "referral page (mix)": (web, f"/referrals/{ids[len(ids) // 2]}/"),
        "API list (mix)": (api, "/api/v1/referrals"),
    }
    figures: dict[str, float] = {}
    for label, (client, url) in requests.items():
        assert client.get(url).status_code == 200, url

        def get(client: Client = client, url: str = url) -> object:
            return client.get(url)

        figures[label] = _median_ms(get, args.rounds, args.requests)
        print(f"  {label:<58} {figures[label]:6.2f} ms", flush=True)

    def cursor() -> None:
        with connection.cursor() as c:
            c.execute("SELECT 1")

    operations: dict[str, Callable[[], object]] = {
        "raw cursor SELECT 1": cursor,
        "ORM: one unit by primary key": lambda: list(Unit.objects.filter(pk__in=[1])),
        "ORM: 50 referral rows as models": lambda: list(Referral.objects.all()[:50]),
        "ORM: 50 referral rows as (id, reference)": lambda: list(Referral.objects.values_list("id", "reference")[:50]),
        "ORM: COUNT of open referrals": lambda: Referral.objects.open().count(),
    }
    for label, fn in operations.items():
        ms = _median_ms(fn, args.rounds, args.requests * 4)
        print(f"  {label:<58} {ms:6.3f} ms", flush=True)

    cores = os.cpu_count() or 1
    budget = cores * 1000 / 150
    floor = figures["signed in, base layout + one audit event"]
    mix = statistics.mean(figures[k] for k in ("queue page (mix)", "referral page (mix)", "API list (mix)"))
    print(f"budget at 150 requests/s on {cores} cores: {budget:.1f} ms of CPU per request for server, database and "
          f"load generator together")
    print(f"floor of an audited page in the layout: {floor:.1f} ms; the mix's mean: {mix:.1f} ms "
          f"({mix / budget:.1f}x the whole budget; the pages' own work {mix - floor:.1f} ms)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
