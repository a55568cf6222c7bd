"""The header and each role's landing page, built from the permission table.

Every header entry names the capability its page needs (the page asks `require` for the same one), so nobody is
shown a link that answers 403. The landing page (`/`, and where signing in goes) is the first entry in LANDING
whose capability the user holds: every member of a unit lands on "Today", built of one panel per role they hold
(a supervisor's decisions waiting, an investigator's work, a forensic officer's exhibits, ...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse

from winnow.permissions import Capability, held


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    capability: Capability
    badge: str = ""  # a context variable holding a count to show beside the label

    @property
    def url(self) -> str:
        return _url(self.url_name, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _url(url_name: str, prefix: str) -> str:
    """Every page's header reverses these same names twice (the links, the current entry): once per process."""
    return reverse(url_name)


C = Capability
NAV: tuple[NavEntry, ...] = (
    NavEntry("Today", "daybook:today", C.READ_REFERRALS),
    NavEntry("Queue", "workload:queue", C.READ_REFERRALS),
    NavEntry("My work", "workload:mine", C.TAKE_WORK),
    NavEntry("Referrals", "referrals:list", C.READ_REFERRALS),
    NavEntry("Dashboard", "workload:dashboard", C.READ_DASHBOARD),
    NavEntry("Validation", "validation:report", C.READ_VALIDATION),
    NavEntry("Trends", "research:trends", C.READ_TRENDS),
    NavEntry("Training", "training:home", C.ASSESS),
    NavEntry("CyberTipline", "intake:cybertipline", C.RECORD_REFERRALS),
    NavEntry("Matches", "linkage:proposals", C.READ_REFERRALS),
    NavEntry("Offenders", "offenders:dashboard", C.READ_OFFENDERS),
    NavEntry("Other units", "partners:list", C.EXCHANGE_INFORMATION),
    NavEntry("Notifications", "notifications:list", C.READ_REFERRALS, badge="unread_notifications"),
    NavEntry("Hash sets", "triage:hash-sets", C.READ_HASH_SETS),
    NavEntry("Victim ID", "victimid:queue", C.WORK_SERIES),
    NavEntry("Audit", "audit:events", C.READ_AUDIT),
    NavEntry("Tasks", "worker:tasks", C.ADMINISTER),
)

# Where `/` goes: the first capability the user holds picks the entry. The last line catches every member.
# Every member of a unit lands on "Today" (winnow.daybook), which shows one panel per role they hold.
LANDING: tuple[tuple[Capability, str], ...] = (
    (C.READ_REFERRALS, "daybook:today"),
)
del C

_BY_NAME = {entry.url_name: entry for entry in NAV}


def nav_for(user: Any) -> list[NavEntry]:
    capabilities = held(user)
    return [entry for entry in NAV if entry.capability in capabilities]


def landing_for(user: Any) -> str:
    """The URL name of the user's landing page: always one of the header's entries the user is shown."""
    capabilities = held(user)
    for capability, url_name in LANDING:
        if capability in capabilities and _BY_NAME[url_name].capability in capabilities:
            return url_name
    entries = nav_for(user)
    return entries[0].url_name if entries else "referrals:list"


def header(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the header entries this user may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = nav_for(user)
    return {"nav": entries, "nav_current": current_entry(entries, request.path)}


def current_entry(entries: list[NavEntry], path: str) -> str:
    """The url name of the header entry the page belongs to: the longest entry URL that starts the path."""
    matches = [entry for entry in entries if path.startswith(entry.url)]
    return max(matches, key=lambda entry: len(entry.url)).url_name if matches else ""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_for(request.user))
