"""Hash sets (administrators), exhibits, scan result uploads and collection summaries. Thin views.

No view here shows, links to or serves image content: counts, hashes, paths and EXIF facts only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from winnow.audit.reads import get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, can, require, units_with
from winnow.referrals.models import Referral
from winnow.worker.jobs import job_create
from winnow.worker.models import Job

from .forms import ExhibitForm, HashSetUploadForm, ScanResultUploadForm
from .models import (
    CollectionSummary,
    Exhibit,
    HashSet,
    ScanResult,
    SuggestionConfirmation,
)
from .services import (
    TriageError,
    exhibit_create,
    exhibit_suggestions,
    other_cases,
    scan_result_store,
    suggestion_confirm,
    summary_compute,
)


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404(f"no {name} {value!r}")
    return int(value)


@login_required
def hash_sets(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, Capability.READ_HASH_SETS,
            message="Hash sets are for administrators, forensic officers and supervisors.")
    can_import = can(user, Capability.IMPORT_HASH_SETS)
    form = HashSetUploadForm()
    if request.method == "POST":
        require(user, Capability.IMPORT_HASH_SETS, message="Only administrators import hash sets.")
        form = HashSetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # Within the limit (winnow.uploads stopped it while it streamed); checked and imported by the worker.
            data = form.cleaned_data
            unit_id = min(units_with(user, Capability.IMPORT_HASH_SETS), default=None)  # None: a superuser
            job = job_create(actor=user, kind=Job.Kind.HASH_SET, unit_id=unit_id, uploads=[data["file"]],
                             params={"name": data["name"], "format": data["format"] or None,
                                     "scheme": data["scheme"] or None, "known_files": bool(data["known_files"])})
            return redirect(job)
    audit_search(request, AuditAction.HASHSET_LIST)
    return render(request, "triage/hash_sets.html", {
        "sets": HashSet.objects.readable_by(user).select_related("imported_by", "category_conflicts"), "form": form,
        "can_import": can_import,
        "limit": settings.WINNOW_SCAN_RESULT_MAX_BYTES,
    })


@login_required
def exhibit_new(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral, capability=Capability.WORK_EXHIBITS, detail={"page": "new exhibit"},
                            pk=referral_pk)
    form = ExhibitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exhibit = exhibit_create(actor=request.user, referral=referral, **form.cleaned_data)
        except TriageError as exc:
            form.add_error("label", str(exc))
        else:
            messages.success(request, f"Exhibit {exhibit.label} recorded.")
            return redirect(exhibit)
    return render(request, "triage/exhibit_new.html", {"referral": referral, "form": form})


_EXHIBITS = Exhibit.objects.select_related("referral", "unit")


def _exhibit_to_work(request: HttpRequest, pk: int) -> Exhibit:
    """For the POSTs that change an exhibit (each writes its own event) and redirect back to its page."""
    return get_visible(request, _EXHIBITS, capability=Capability.WORK_EXHIBITS, pk=pk)


@login_required
def exhibit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exhibit = get_for_read(request, _EXHIBITS,
                           detail=lambda e: {"summary": s.pk if (s := e.latest_summary()) else None}, pk=pk)
    summary = exhibit.latest_summary()
    results = list(ScanResult.objects.filter(exhibit=exhibit).select_related("received_by"))
    same, elsewhere = other_cases(scan_result=summary.scan_result, user=request.user) if summary else ([], [])
    suggestions = exhibit_suggestions(exhibit, summary)
    confirmed = {c.item: c for c in SuggestionConfirmation.objects.filter(summary=summary).select_related("confirmed_by")} if summary else {}
    return render(request, "triage/exhibit.html", {
        "exhibit": exhibit, "referral": exhibit.referral, "summary": summary, "data": summary.data if summary else {},
        "results": results, "same_unit_cases": same, "other_units": elsewhere,
        "suggestions": [(s, confirmed.get(s["item"])) for s in suggestions],
        "can_work": can(request.user, Capability.WORK_EXHIBITS, exhibit.unit_id),
        "form": ScanResultUploadForm(), "limit": settings.WINNOW_SCAN_RESULT_MAX_BYTES,
    })


@login_required
@require_POST
def exhibit_upload(request: HttpRequest, pk: int) -> HttpResponse:
    exhibit = _exhibit_to_work(request, pk)
    form = ScanResultUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        upload = request.FILES.get("file")
        reasons = " ".join(str(e) for e in form.errors.get("file", [])) or "Choose a scan result file to upload."
        messages.error(request, f"{upload.name}: {reasons} Nothing was stored." if upload else reasons)
        return redirect(exhibit)
    upload = form.cleaned_data["file"]
    try:
        done = scan_result_store(actor=request.user, exhibit=exhibit, chunks=upload.chunks(), filename=upload.name,
                                 via=ScanResult.Via.UPLOAD)
    except TriageError as exc:
        messages.error(request, f"{exc}. Nothing was stored.")
    else:
        if done.created and done.summary is None:
            messages.success(request, f"{upload.name} stored. It lists {done.scan_result.files:,} files, so its "
                                      "summary is being computed in the background: reload this page in a while.")
        elif done.created:
            messages.success(request, f"{upload.name} stored and summarised.")
        else:
            messages.info(request, f"{upload.name} was already stored on this exhibit; nothing new was created.")
    return redirect(exhibit)


@login_required
@require_POST
def exhibit_summarise(request: HttpRequest, pk: int) -> HttpResponse:
    exhibit = _exhibit_to_work(request, pk)
    result = get_object_or_404(ScanResult.objects.filter(exhibit=exhibit), pk=_posted_id(request, "scan_result"))
    try:
        summary_compute(actor=request.user, scan_result=result)
    except TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "A new summary was computed against every loaded hash set.")
    return redirect(exhibit)


@login_required
@require_POST
def suggestion_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    exhibit = _exhibit_to_work(request, pk)
    summary = get_object_or_404(CollectionSummary.objects.filter(exhibit=exhibit), pk=_posted_id(request, "summary"))
    try:
        suggestion_confirm(actor=request.user, summary=summary, item=request.POST.get("item", ""))
    except TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Suggestion confirmed and recorded.")
    return redirect(exhibit)
