"""Referral packages between installations, the Django side (the format and its checks: winnow.core.referralpackage).

Export writes the package and a `PackageExport` with an audit event naming its SHA-256; import verifies it, records
it as a new referral in the receiving unit through the same intake gate every channel passes (the text rules, the
unit's source references), keeps the package file byte for byte as that referral's raw package, and writes a
`PackageImport` with the verified manifest (the sending side's chain of custody included) and an audit event naming
the same SHA-256. A refused package writes nothing but a `referral.package_refused` audit event naming the member
and the reason.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from winnow.accounts.commands import command_origin
from winnow.accounts.models import Unit, User
from winnow.audit.models import AuditEvent
from winnow.audit.services import AuditAction, audit_record
from winnow.core import referralpackage
from winnow.core.intake import IntakeError, referral_from_mapping
from winnow.intake.services import referral_record
from winnow.linkage.models import ReferralDocument
from winnow.permissions import Capability, require
from winnow.referrals.models import IntakeCorrection, RawPackage, Referral

from .models import PackageExport, PackageImport

PackageError = referralpackage.PackageError
MEDIA_TYPE = "application/vnd.winnow.referral-package+zip"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


DEVELOPMENT_KEY_ID = "development"


def _development_key() -> str:
    """A development installation (`make demo`, WINNOW_ENV=development) with no key set signs with one derived from
    SECRET_KEY, as the audit keys are, so `winnow export-referral` runs; test and production never do."""
    seed = hashlib.sha256(b"winnow referral package key\0" + settings.SECRET_KEY.encode()).digest()
    return base64.b64encode(seed).decode()


def signing_key() -> tuple[str, str]:
    """(key id, private key) from settings; ImproperlyConfigured names the variable that is missing or wrong."""
    key_id, private = settings.WINNOW_PACKAGE_KEY_ID.strip(), settings.WINNOW_PACKAGE_SIGNING_KEY.strip()
    if not key_id and not private and settings.WINNOW_ENV == "development":
        return DEVELOPMENT_KEY_ID, _development_key()
    if not key_id or not private:
        raise ImproperlyConfigured("exporting needs WINNOW_PACKAGE_KEY_ID and WINNOW_PACKAGE_SIGNING_KEY "
                                   "(`winnow package-key` makes a key pair)")
    try:
        referralpackage.public_of(private)
    except ValueError as exc:
        raise ImproperlyConfigured(f"WINNOW_PACKAGE_SIGNING_KEY: {exc}") from None
    return key_id, private


def trusted_keys() -> dict[str, str]:
    """The public keys whose packages this installation imports: WINNOW_PACKAGE_TRUSTED_KEYS and its own."""
    try:
        trusted = referralpackage.parse_trusted(settings.WINNOW_PACKAGE_TRUSTED_KEYS)
    except ValueError as exc:
        raise ImproperlyConfigured(f"WINNOW_PACKAGE_TRUSTED_KEYS: {exc}") from None
    own = settings.WINNOW_PACKAGE_KEY_ID.strip() or settings.WINNOW_PACKAGE_SIGNING_KEY.strip()
    if own or settings.WINNOW_ENV == "development":  # a key of its own (a wrong one is named, never ignored)
        key_id, private = signing_key()
        trusted.setdefault(key_id, referralpackage.public_of(private))
    return trusted


def _raw_packages(referral: Referral) -> list[RawPackage]:
    ids = [referral.package_id, *ReferralDocument.objects.filter(referral=referral).order_by("id")
           .values_list("package_id", flat=True)]
    by_id = RawPackage.objects.in_bulk(ids)
    return [by_id[i] for i in dict.fromkeys(ids)]


def _manifest(referral: Referral, actor: User | None, now: datetime, key_id: str,
              packages: list[tuple[str, RawPackage]]) -> dict[str, Any]:
    subjects = [{
        "role": s.role, "given_names": s.given_names, "family_name": s.family_name,
        "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None, "sex": s.sex,
        "addresses": s.addresses,
        "identifiers": [{"kind": i.kind, "value": i.value, "platform": i.platform,
                         "observed_at": _iso(i.observed_at)} for i in s.identifiers.order_by("id")],
    } for s in referral.subjects.order_by("id")]
    custody = [{"at": _iso(at), "action": action, "by": by, "unit": unit}
               for at, action, by, unit in AuditEvent.objects.filter(target_type="referral",
                                                                     target_id=str(referral.pk))
               .order_by("id").values_list("occurred_at", "action", "actor_username", "unit__code")]
    return {
        "exported_at": _iso(now), "installation": key_id,
        "exported_by": actor.get_username() if actor is not None else f"operator ({command_origin(None)['operator']})",
        "referral": {
            "reference": referral.reference, "unit": {"code": referral.unit.code, "name": referral.unit.name},
            "source": referral.source, "source_reference": referral.source_reference,
            "received_at": _iso(referral.current_received_at), "summary": referral.summary,
            "immediate_danger": referral.current_danger, "status": referral.status, "band": referral.band,
            "band_provisional": referral.band_provisional, "deadline_at": _iso(referral.deadline_at),
            "disposition": referral.disposition,
        },
        "subjects": subjects,
        "corrections": [{"field": c.field, "before": c.before, "after": c.after, "reason": c.reason,
                         "at": _iso(c.created_at)}
                        for c in IntakeCorrection.objects.filter(referral=referral).order_by("created_at", "id")],
        "history": [{"at": _iso(c.at), "from": c.from_status, "to": c.to_status, "by": c.by.get_username(),
                     "reason": c.reason} for c in referral.status_changes.select_related("by")],
        "raw_packages": [{"member": name, "kind": p.kind, "filename": p.filename, "media_type": p.media_type,
                          "sha256": p.sha256, "size": p.size, "received_at": _iso(p.received_at)}
                         for name, p in packages],
        "custody": custody,
    }


def referral_export(*, actor: User | None, referral: Referral,
                    now: datetime | None = None) -> tuple[bytes, PackageExport]:
    """The signed package's bytes, and the record of the export (audited in the referral's unit). `actor` None is
    the server's operator at the command line (who has every power), recorded as such."""
    if actor is not None:
        require(actor, Capability.TRANSFER_REFERRALS, referral.unit_id)
    key_id, private = signing_key()
    now = now or timezone.now()
    raws = _raw_packages(referral)
    members = [(referralpackage.member_name(n, p.filename or f"{p.kind}-{p.sha256[:12]}"), p)
               for n, p in enumerate(raws, start=1)]
    files = {name: bytes(p.content) for name, p in members}
    data = referralpackage.write(_manifest(referral, actor, now, key_id, members), files, key_id=key_id,
                                 private_key=private)
    checked = referralpackage.read(data, trusted={key_id: referralpackage.public_of(private)})
    with transaction.atomic():
        export = PackageExport.objects.create(
            referral=referral, unit_id=referral.unit_id, sha256=hashlib.sha256(data).hexdigest(),
            manifest_sha256=checked.manifest_sha256, size=len(data), key_id=key_id,
            files=checked.manifest["files"], exported_by=actor, exported_at=now)
        audit_record(actor=actor, action=AuditAction.REFERRAL_EXPORT, unit_id=referral.unit_id, target=referral,
                     detail={"package_sha256": export.sha256, "manifest_sha256": export.manifest_sha256,
                             "key_id": key_id, "files": len(files),
                             **({} if actor is not None else command_origin(None))})
    return data, export


@dataclass(frozen=True)
class ImportResult:
    record: PackageImport
    created: bool


def _mapping(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's referral as an intake mapping (validated by referral_from_mapping like any channel's)."""
    referral = manifest.get("referral")
    subjects = manifest.get("subjects")
    if not isinstance(referral, dict) or not isinstance(subjects, list):
        raise PackageError(referralpackage.MANIFEST, "needs a 'referral' object and a 'subjects' list")
    return {
        "source": referral.get("source"),
        # The source's own reference, or else the sending installation's: the same package twice is refused.
        "source_reference": referral.get("source_reference") or referral.get("reference"),
        "received_at": referral.get("received_at"), "summary": referral.get("summary"),
        "immediate_danger": referral.get("immediate_danger"),
        "subjects": [{k: v for k, v in s.items() if v is not None} if isinstance(s, dict) else s
                     for s in subjects],
    }


def _refused(actor: User, unit: Unit, sha256: str, exc: Exception) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.REFERRAL_PACKAGE_REFUSED, unit_id=unit.pk,
                     target_type="package", target_id=sha256, detail={"reason": str(exc)[:500]})


def package_import(*, actor: User, unit: Unit, data: bytes, max_bytes: int | None = None,
                   now: datetime | None = None) -> ImportResult:
    """Verify a package and record it as a referral in `unit`. PackageError (member and reason) or IntakeError
    (place and reason) when refused; a package already imported into the unit is found, not recorded twice."""
    require(actor, Capability.TRANSFER_REFERRALS, unit.pk)
    sha256 = hashlib.sha256(data).hexdigest()
    already = PackageImport.objects.filter(unit=unit, sha256=sha256).first()
    if already is not None:
        return ImportResult(already, created=False)
    limit = max_bytes or settings.WINNOW_IMPORT_MAX_BYTES
    now = now or timezone.now()
    try:
        if len(data) > limit:
            raise PackageError("package", f"{len(data)} bytes, more than the limit of {limit}")
        package = referralpackage.read(data, trusted=trusted_keys())
        draft = referral_from_mapping(_mapping(package.manifest), now=now)
    except (PackageError, IntakeError) as exc:
        _refused(actor, unit, sha256, exc)
        raise
    origin = package.manifest["referral"]
    with transaction.atomic():
        referral = referral_record(actor=actor, unit=unit, draft=draft, raw=data, media_type=MEDIA_TYPE, via="file")
        record = PackageImport.objects.create(
            referral=referral, unit=unit, sha256=sha256, manifest_sha256=package.manifest_sha256,
            key_id=package.key_id, origin_reference=str(origin.get("reference", ""))[:100],
            origin_unit=str((origin.get("unit") or {}).get("name", ""))[:200],
            origin_installation=str(package.manifest.get("installation", ""))[:200],
            manifest=package.manifest, imported_by=actor, imported_at=now)
        audit_record(actor=actor, action=AuditAction.REFERRAL_PACKAGE_IMPORT, unit_id=unit.pk, target=referral,
                     detail={"package_sha256": sha256, "manifest_sha256": package.manifest_sha256,
                             "key_id": package.key_id, "origin_reference": record.origin_reference,
                             "origin_installation": record.origin_installation,
                             "exported_by": package.manifest.get("exported_by"),
                             "exported_at": package.manifest.get("exported_at")})
    return ImportResult(record, created=True)
