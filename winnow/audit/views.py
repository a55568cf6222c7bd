from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from winnow.permissions import Capability, require

from .forms import AuditFilterForm
from .models import AuditEvent
from .services import AuditAction, audit_search


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The auditor's page: events in the user's units, by person, object and time. Searching it is itself audited."""
    require(request.user, Capability.READ_AUDIT, message="Only supervisors and administrators read the audit trail.")
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(request.user).select_related("unit")
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            events = events.filter(actor_username=data["person"].strip())
        if data["object"]:
            target = data["object"].strip()
            if ":" in target:
                kind, _, ident = target.partition(":")
                events = events.filter(target_type=kind, target_id=ident)
            else:
                events = events.filter(detail__reference=target) | events.filter(detail__referral=target)
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, tz))
        if data["until"]:
            events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, tz))
        filters = {k: str(v) for k, v in data.items() if v}
    page = Paginator(events.order_by("-id"), 100).get_page(request.GET.get("page"))
    audit_search(request, AuditAction.AUDIT_SEARCH, filters)
    return render(request, "audit/events.html", {"form": form, "page": page, "query": request.GET.urlencode()})
