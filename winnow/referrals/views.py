"""Referral pages. Thin: visibility comes from QuerySets, writes from services, rules from winnow.core."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from winnow.audit.reads import audit_read_of, get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, can

from . import services
from .forms import CloseForm
from .models import (
    STATUS_MOVES_ON,
    Identifier,
    IllegalTransition,
    IntakeCorrection,
    Referral,
    Status,
    Subject,
)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = Referral.objects.visible_to(request.user).select_related("unit").with_current_source()
    status = request.GET.get("status", "")
    if status in Status.values:
        referrals = referrals.filter(status=status)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        referrals = referrals.filter(reference__icontains=query) | referrals.filter(source_reference__icontains=query)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    audit_search(request, AuditAction.REFERRAL_LIST, {"status": status, "q": query, "page": page.number})
    return render(
        request,
        "referrals/list.html",
        {"page": page, "status": status, "q": query, "statuses": Status.choices,
         "can_record": can(request.user, Capability.RECORD_REFERRALS)},
    )


# The raw package's bytes stay in the database until someone downloads them: an imported file's package is the
# whole file (every referral of a 4,000-row CSV shares it), and the pages show only its kind, name, size and hash.
_WITH_PACKAGE = Referral.objects.select_related("unit", "package")
_REFERRALS = _WITH_PACKAGE.defer("package__content")


# The page's sections (people, assessments, links, the timeline) read the referral's subjects and corrections:
# fetched once with the people they name, not once per section.
_DETAIL = _REFERRALS.select_related("created_by", "assigned_to", "band_computed_by").prefetch_related(
    Prefetch("subjects", queryset=Subject.objects.order_by("id").prefetch_related(
        Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "id")))),
    Prefetch("corrections", queryset=IntakeCorrection.objects.select_related("created_by", "subject")))


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, _DETAIL, pk=pk)
    subjects = referral.subjects.all()
    user = request.user
    # The page shows each fact as it now stands (its latest correction, tagged), as the API does; the corrections
    # box above lists what was recorded and every change.
    latest: dict[tuple[str, int | None], IntakeCorrection] = {}
    for c in sorted(referral.corrections.all(), key=lambda c: (c.created_at, c.pk)):
        latest[(c.field, c.subject_id)] = c
    sexes = dict(Subject._meta.get_field("sex").choices or [])
    for subject in subjects:
        subject.now = {field: str(sexes.get(c.after, c.after)) if field == "sex" else c.after_text()
                       for (field, sid), c in latest.items() if sid == subject.pk}
    source = latest.get(("source", None))
    summary = latest.get(("summary", None))
    sources = dict(Referral._meta.get_field("source").choices or [])
    now = {"source": str(sources.get(source.after, source.after)) if source else None,
           "summary": summary.after if summary else None, "received_at": ("received_at", None) in latest}
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "subjects": subjects,
            "corrections": referral.corrections.all(),
            "now": now,
            "can_progress": can(user, Capability.PROGRESS_REFERRALS, referral.unit_id),
            "can_close": can(user, Capability.CLOSE_REFERRALS, referral.unit_id),
            "can_record_facts": can(user, Capability.RECORD_CASE_ACTIONS, referral.unit_id),
            "moves_on": STATUS_MOVES_ON.get(referral.status, ""),
        },
    )


@login_required
def referral_package(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_visible(request, _WITH_PACKAGE, pk=pk)
    package = referral.package
    audit_read_of(request, package, detail={"referral": referral.reference})
    response = HttpResponse(bytes(package.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-package-{package.sha256[:12]}"'
    response["X-Content-SHA256"] = package.sha256
    return response


@login_required
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, _REFERRALS, capability=Capability.CLOSE_REFERRALS, detail={"page": "close"}, pk=pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_transition(
                actor=request.user, referral=referral, to_status=Status.CLOSED,
                disposition=form.cleaned_data["disposition"], reason=form.cleaned_data["reason"],
            )
        except IllegalTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{referral.reference} closed.")
            return redirect(referral)
    blocker = "" if referral.status in (Status.AWAITING_ACTION, Status.IN_ACTION) else (
        f"{referral.reference} is {referral.get_status_display()}: until a supervisor decides its band it can close "
        "only as a duplicate or a transfer")
    return render(request, "referrals/close.html", {"referral": referral, "form": form, "blocker": blocker})


@login_required
def subject_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_for_read(request, Subject.objects.select_related("referral"),
                           detail=lambda s: {"referral": s.referral.reference}, pk=pk)
    return render(
        request,
        "referrals/subject.html",
        {"subject": subject, "identifiers": subject.identifiers.all()},
    )
