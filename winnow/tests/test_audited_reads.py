"""Invariant 5 over every URL: a GET that renders a person's or a referral's data writes a read event.

The walk covers every pattern Django resolves (pages, the API, the admin), filling path converters with real
objects from the seeded fixture, as a user with every role in the objects' unit. A pattern that renders no
personal data is named in ALLOWED with the reason; a new pattern that is neither audited nor allowed fails here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from winnow.audit.actions import READS, SEARCHES
from winnow.audit.models import AuditEvent

from .conftest import PASSWORD, Seeded


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name, or the route itself when unnamed
    route: str
    kwargs: tuple[str, ...]


def walk(patterns: Any = None, prefix: str = "", namespace: str = "") -> list[Route]:
    out: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            out += walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else route
            out.append(Route(name, route, tuple(entry.pattern.regex.groupindex)))
    return out


# Patterns that render no person's or referral's data, each with the reason. Namespaces end with ":".
ALLOWED: dict[str, str] = {
    "admin:": "Django admin registers only users, units, memberships and API tokens: staff, not subjects",
    "healthz": "database status only",
    "login": "the sign-in form",
    "logout": "POST only (Django 5): signs out",
    "home": "redirects to the landing page",
    "intake:new": "an empty form for a new referral",
    "intake:import": "an empty upload form",
    "intake:import-template": "a fixed CSV header",
    "intake:cybertipline": "an empty upload form",
    "accessibility": "the accessibility statement: no personal data",
    "api-1.0.0:import_cybertipline": "POST only: the import writes its own event",
    "api-1.0.0:add_subject": "POST only: the addition writes its own event (referral.subject_add)",
    "linkage:run": "POST only: the run writes its own event",
    "linkage:undo": "POST only: the undo writes its own event",
    "notifications:read": "POST only: opening writes notification.read",
    "offenders:register": "an empty registration form",
    "triage:hash-sets": "hash-set metadata (names, counts), no person; still audited as hashset.list",
    "triage:exhibit-upload": "POST only: the upload writes its own event",
    "triage:exhibit-summarise": "POST only: the summary writes its own event",
    "triage:suggestion-confirm": "POST only: the confirmation writes its own event",
    "workload:assign": "POST only: the assignment writes its own event",
    "validation:report-csv": "aggregate figures, no person; 404 until a report has cases; audited as validation.export",
    "victimid:series-step": "POST only: the step writes its own event",
    "victimid:series-export": "POST only: the export writes its own event",
    "victimid:series-location": "POST only: the request writes its own event",
    "transfers:request": "POST only: the request writes its own event",
    "transfers:decide": "POST only: the decision writes its own event",
    "transfers:export": "POST only: the export writes its own event",
    "transfers:import": "an empty upload form",
    "api-1.0.0:decide_transfer": "POST only: the decision writes its own event",
    "training:home": "an officer's own training: fictional vignettes and modules, no person or referral",
    "training:attempt": "a fictional vignette and an empty form",
    "training:feedback": "an officer's attempt at a fictional vignette: staff training, no subject or referral",
    "training:standard": "the unit's training pass standard",
    "training:module": "a knowledge module written from published research, no person",
    "api-1.0.0:api-root": "the API's root: nothing is served there (404)",
    "api-1.0.0:openapi-json": "the OpenAPI document",
    "api-1.0.0:openapi-view": "the API documentation page",
    "api-1.0.0:list_instruments": "instrument files: questions, no person",
    "api-1.0.0:create_assessment": "POST only: the assessment writes its own event",
    "api-1.0.0:decide": "POST only: the decision writes its own event",
    "partners:request-new": "POST only: the request writes its own event",
    "intake:close-informational": "POST only: the closure writes its own event",
    "api-1.0.0:request_answer": "POST only: the answer writes its own event",
    "api-1.0.0:record_safeguarding_referral": "POST only: the record writes its own event",
    "api-1.0.0:revise_safeguarding_referral": "POST only: the new version writes its own event",
    "signin:": "the person's own sign-in settings (two-step, recovery codes, password): no subject or referral; "
               "each change writes its own event",
}
POST_ONLY = {name for name, why in ALLOWED.items() if why.startswith("POST only")}
# Path arguments that name one object: a page with one of these must write a read *of that object*.
OBJECT_ARGS = {"pk", "referral_pk", "referral_id", "subject_id", "assessment_id", "rfi_id", "transfer_id", "job_id"}


def _allowed(route: Route) -> str | None:
    return ALLOWED.get(route.name) or next((why for ns, why in ALLOWED.items()
                                            if ns.endswith(":") and route.name.startswith(ns)), None)


def _objects(seeded: Seeded) -> dict[str, Any]:
    """The object each named pattern's `pk` stands for."""
    return {
        "referrals:detail": seeded.referral, "referrals:package": seeded.referral,
        "referrals:close": seeded.referral,
        "referrals:subject": seeded.subject, "intake:correct": seeded.referral, "intake:add-subject": seeded.referral,
        "assessments:subject": seeded.subject, "assessments:new": seeded.subject, "assessments:youth": seeded.subject,
        "assessments:detail": seeded.assessment, "assessments:decide": seeded.assessment,
        "workload:actions": seeded.referral,
        "linkage:proposal": seeded.proposal, "linkage:person": seeded.person, "linkage:undo": seeded.merge,
        "notifications:read": seeded.notification,
        "validation:outcomes": seeded.referral,
        "research:facts": seeded.referral,
        "offenders:detail": seeded.offender, "offenders:contact": seeded.offender, "offenders:plan": seeded.offender,
        "offenders:review": seeded.offender, "offenders:reactive": seeded.offender,
        "offenders:registration": seeded.offender,
        "triage:exhibit": seeded.exhibit, "triage:exhibit-upload": seeded.exhibit,
        "triage:exhibit-summarise": seeded.exhibit, "triage:suggestion-confirm": seeded.exhibit,
        "victimid:series": seeded.series, "victimid:series-step": seeded.series,
        "victimid:series-export": seeded.series, "victimid:series-location": seeded.series,
        "partners:detail": seeded.deconfliction, "partners:request-new": seeded.deconfliction,
        "partners:request": seeded.information_request, "intake:close-informational": seeded.referral,
        "safeguarding:referral": seeded.referral, "safeguarding:record": seeded.referral,
        "safeguarding:revise": seeded.safeguarding, "safeguarding:withdraw": seeded.safeguarding.covers.first().concern,
        "transfers:detail": seeded.transfer, "transfers:decide": seeded.transfer,
        "job": seeded.job,
    }


def _kwargs(route: Route, seeded: Seeded) -> dict[str, Any]:
    by_name = {"referral_pk": seeded.referral.pk, "referral_id": seeded.referral.pk, "subject_id": seeded.subject.pk,
               "assessment_id": seeded.assessment.pk, "instrument_id": "phased-prioritisation", "name": "open",
               "vignette_id": "pp-03-access-and-grooming", "attempt_id": 1, "module_id": "disclosure-barriers",
               "section": "profile", "unit_id": seeded.referral.unit_id, "digest": seeded.viral_digest,
               "rfi_id": seeded.information_request.pk, "record_id": seeded.safeguarding.pk,
               "transfer_id": seeded.transfer.pk, "job_id": seeded.job.pk}
    out: dict[str, Any] = {}
    for arg in route.kwargs:
        if arg == "pk" and route.name in _objects(seeded):
            out[arg] = _objects(seeded)[route.name].pk
        elif arg in by_name:
            out[arg] = by_name[arg]
        else:
            pytest.fail(f"{route.name} ({route.route}): no seeded value for <{arg}>; add one to this test")
    return out


def _get(client: Client, route: Route, seeded: Seeded, token: str) -> tuple[Any, list[AuditEvent]]:
    url = reverse(route.name, kwargs=_kwargs(route, seeded)) if ":" in route.name or route.name in (
        "healthz", "login", "logout", "home", "job") else "/" + route.route
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if url.startswith("/api/") else {}
    response = client.get(url, **headers)
    return response, list(AuditEvent.objects.filter(id__gt=last, actor=seeded.walker))


def _named_ids(route: Route, seeded: Seeded) -> set[str]:
    """The ids a read event may target: the object the path names (the package page reads the referral's package)."""
    if route.name == "referrals:package":
        return {str(seeded.referral.package_id)}
    return {str(value) for arg, value in _kwargs(route, seeded).items() if arg in OBJECT_ARGS}


@pytest.fixture
def walker_client(seeded: Seeded) -> Client:
    client = Client()
    assert client.login(username=seeded.walker.username, password=PASSWORD)
    return client


def test_it_audits_every_get_that_renders_personal_data(seeded: Seeded, walker_client: Client,
                                                        token_for: Any) -> None:
    token = token_for(seeded.walker)
    problems: list[str] = []
    routes = walk()
    assert len(routes) > 40
    for route in routes:
        if route.name.startswith("admin:") or route.route.startswith("admin/"):
            continue  # allowed as a namespace; its many patterns are Django's, not Winnow's
        response, events = _get(walker_client, route, seeded, token)
        reason = _allowed(route)
        if route.name in POST_ONLY:
            if response.status_code != 405:
                problems.append(f"{route.name}: allowed as POST only, but GET answered {response.status_code}")
            continue
        if reason is not None:
            if response.status_code >= 500:
                problems.append(f"{route.name}: allowed ({reason}) but GET answered {response.status_code}")
            continue
        if response.status_code != 200:
            problems.append(f"{route.name} ({route.route}): GET answered {response.status_code}")
            continue
        reads = [e for e in events if e.action in READS]
        if OBJECT_ARGS & set(route.kwargs):
            if not any(e.target_type and e.target_id in _named_ids(route, seeded) for e in reads):
                problems.append(f"{route.name} ({route.route}): rendered one object's data and wrote no read "
                                f"event (got {[e.action for e in events]})")
        elif not reads and not any(e.action in SEARCHES for e in events):
            problems.append(f"{route.name} ({route.route}): rendered data and wrote no read or search event")
    assert not problems, "\n".join(problems)


def test_it_allows_only_patterns_that_exist(seeded: Seeded) -> None:
    """A stale allow-list entry would hide a renamed view: every entry must name a real pattern."""
    names = {route.name for route in walk()}
    for entry in ALLOWED:
        assert any(n.startswith(entry) for n in names) if entry.endswith(":") else entry in names, entry


def test_it_writes_no_read_event_for_a_refused_read(seeded: Seeded, outsider: Any) -> None:
    client = Client()
    client.force_login(outsider)
    for url in (f"/offenders/{seeded.offender.pk}/plan/", f"/referrals/{seeded.referral.pk}/close/",
                f"/triage/referrals/{seeded.referral.pk}/exhibits/new/"):
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exists()
