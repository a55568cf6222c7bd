"""Transfer pages: a referral's transfers and packages, the transfers of one's units, one transfer (the decision,
and the sending unit's read-only view of what it held), and importing a package from another installation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from winnow.audit.reads import get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_read, audit_search
from winnow.core.intake import IntakeError
from winnow.permissions import Capability, can, require, require_units, units_with
from winnow.referrals.models import Referral, Status

from .forms import DecideForm, ImportForm, RequestForm
from .models import Transfer
from .packages import MEDIA_TYPE, PackageError, package_import, referral_export
from .services import DEADLINE_RULE, TransferError, transfer_decide, transfer_request

_TRANSFERS = Transfer.objects.select_related("referral", "from_unit", "to_unit", "requested_by",
                                             "decision__decided_by")


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    units = request.user.unit_ids()  # type: ignore[union-attr]
    transfers = list(_TRANSFERS.visible_to(request.user)[:500])
    audit_search(request, AuditAction.TRANSFER_LIST, {"count": len(transfers)})
    deciding = units_with(request.user, Capability.TRANSFER_REFERRALS)
    return render(request, "transfers/list.html", {
        "incoming": [t for t in transfers if t.to_unit_id in deciding and not hasattr(t, "decision")],
        "transfers": transfers, "units": units,
        "can_import": bool(deciding),
    })


def _referral_page(request: HttpRequest, referral: Referral, form: RequestForm | None = None,
                   status: int = 200) -> HttpResponse:
    may_transfer = can(request.user, Capability.TRANSFER_REFERRALS, referral.unit_id)
    transfers = _TRANSFERS.visible_to(request.user).filter(referral=referral)
    pending = any(not hasattr(t, "decision") for t in transfers)
    return render(request, "transfers/referral.html", {
        "referral": referral, "transfers": transfers, "may_transfer": may_transfer,
        "can_request": may_transfer and not pending and referral.status != Status.CLOSED,
        "form": form or RequestForm(from_unit_id=referral.unit_id), "deadline_rule": DEADLINE_RULE,
        "exports": referral.package_exports.select_related("exported_by").order_by("-exported_at"),
    }, status=status)


@login_required
def referral_transfers(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"), detail={"page": "transfers"},
                            pk=referral_pk)
    return _referral_page(request, referral)


@login_required
@require_POST
def transfer_request_view(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_visible(request, Referral.objects.select_related("unit"),
                           capability=Capability.TRANSFER_REFERRALS, pk=referral_pk)
    form = RequestForm(request.POST, from_unit_id=referral.unit_id)
    if form.is_valid():
        try:
            transfer = transfer_request(actor=request.user, referral=referral,  # type: ignore[arg-type]
                                        to_unit=form.cleaned_data["to_unit"], reason=form.cleaned_data["reason"])
        except TransferError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Transfer of {referral.reference} to {transfer.to_unit.name} requested.")
            return redirect(transfer)
    return _referral_page(request, referral, form, status=400)


def _reader_unit(request: HttpRequest, transfer: Transfer) -> int:
    """The unit in whose audit trail a read of the transfer goes: the reader's side of it."""
    return transfer.to_unit_id if transfer.to_unit_id in request.user.unit_ids() else transfer.from_unit_id  # type: ignore[union-attr]


def _detail_page(request: HttpRequest, transfer: Transfer, form: DecideForm | None = None,
                 status: int = 200) -> HttpResponse:
    decision = getattr(transfer, "decision", None)
    units = request.user.unit_ids()  # type: ignore[union-attr]
    may_decide = decision is None and can(request.user, Capability.TRANSFER_REFERRALS, transfer.to_unit_id)
    return render(request, "transfers/detail.html", {
        "transfer": transfer, "decision": decision, "referral": transfer.referral,
        "held": decision.held if decision is not None and decision.accepted and transfer.from_unit_id in units
        else None,
        "owner_here": transfer.referral.unit_id in units,
        "may_decide": may_decide, "deadline_rule": DEADLINE_RULE,
        "form": form or (DecideForm(to_unit_id=transfer.to_unit_id) if may_decide else None),
    }, status=status)


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_visible(request, _TRANSFERS, pk=pk)
    audit_read(request, transfer, unit_id=_reader_unit(request, transfer), action=AuditAction.TRANSFER_READ,
               detail={"referral": transfer.referral.reference})
    return _detail_page(request, transfer)


@login_required
@require_POST
def transfer_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_visible(request, _TRANSFERS, pk=pk)
    require(request.user, Capability.TRANSFER_REFERRALS, transfer.to_unit_id,
            "Only a supervisor of the receiving unit accepts or declines a transfer.")
    form = DecideForm(request.POST, to_unit_id=transfer.to_unit_id)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            transfer_decide(actor=request.user, transfer=transfer, accept=accept,  # type: ignore[arg-type]
                            reason=form.cleaned_data["reason"], assignee=form.cleaned_data["assignee"])
        except TransferError as exc:
            form.add_error(None, str(exc))
        else:
            if accept:
                messages.success(request, f"{transfer.referral.reference} is now {transfer.to_unit.name}'s.")
                return redirect(transfer.referral)
            messages.success(request, f"Transfer of {transfer.referral.reference} declined.")
            return redirect(transfer)
    transfer = get_visible(request, _TRANSFERS, pk=pk)
    return _detail_page(request, transfer, form, status=400)


@login_required
@require_POST
def referral_export_view(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_visible(request, Referral.objects.select_related("unit"),
                           capability=Capability.TRANSFER_REFERRALS, pk=referral_pk)
    try:
        data, _ = referral_export(actor=request.user, referral=referral)  # type: ignore[arg-type]
    except ImproperlyConfigured as exc:
        messages.error(request, f"This installation cannot export packages: {exc}.")
        return redirect("transfers:referral", referral_pk=referral.pk)
    response = HttpResponse(data, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}.winnow.zip"'
    return response


@login_required
def package_import_view(request: HttpRequest) -> HttpResponse:
    unit_ids = require_units(request.user, Capability.TRANSFER_REFERRALS)
    form = ImportForm(request.POST or None, request.FILES or None, unit_ids=unit_ids)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            if upload.size > settings.WINNOW_IMPORT_MAX_BYTES:
                raise PackageError("package", f"{upload.size} bytes, more than the limit of "
                                   f"{settings.WINNOW_IMPORT_MAX_BYTES}")
            result = package_import(actor=request.user, unit=form.cleaned_data["unit"],  # type: ignore[arg-type]
                                    data=upload.read())
        except PackageError as exc:
            errors.append(f"{upload.name}: {exc.member}: {exc.reason}. Nothing was imported.")
        except IntakeError as exc:
            errors += [f"{upload.name}: manifest: {error}" for error in exc.errors] + ["Nothing was imported."]
        except ImproperlyConfigured as exc:
            errors.append(f"This installation cannot import packages: {exc}.")
        else:
            record = result.record
            messages.success(request, (f"Verified and recorded as {record.referral.reference}." if result.created
                                       else f"Already imported as {record.referral.reference}; nothing new."))
            return redirect(record.referral)
    return render(request, "transfers/import.html", {"form": form, "errors": errors},
                  status=400 if errors or form.errors else 200)
