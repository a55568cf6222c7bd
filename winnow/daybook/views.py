"""Each role's landing page, and the accessibility statement."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from winnow.audit.actions import AuditAction
from winnow.audit.services import audit_search
from winnow.permissions import Capability, require

from .panels import panels_for


@login_required
def today(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.READ_REFERRALS)  # every member of a unit; a unit-less superuser is refused
    panels = panels_for(request.user, timezone.now())
    audit_search(request, AuditAction.TODAY_LIST, {"roles": [p.role.value for p in panels]})
    return render(request, "daybook/today.html", {"panels": panels})


def accessibility(request: HttpRequest) -> HttpResponse:
    """Public, like the sign-in page: people need it before they can sign in."""
    return render(request, "daybook/accessibility.html")
