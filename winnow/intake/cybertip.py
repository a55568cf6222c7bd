"""Importing a NCMEC CyberTipline package as a referral (parsing and hardening are in winnow.core.cybertipline).

Decisions, written here so they are found with the code:

- **received_at is when Winnow received the package** (`now`), not the incident time: it is the moment the unit
  became responsible, which deadlines count from. The incident time is kept on `CyberTiplineReport.incident_time`
  and written into the summary.
- **source_reference** is the CyberTipline report id given by the caller (the id NCMEC assigned; the `<report>`
  document itself carries none), else the `reportId` every `<fileDetails>` agrees on, else empty.
- **Idempotence**: the package digest is the SHA-256 of the sorted SHA-256s of its XML documents, so the same
  documents make the same package whether they came as separate files (in any order, under any names) or zipped.
  Importing a package already imported into the unit creates nothing and returns the first referral.
- **Verbatim**: every document is a RawPackage (bytes + SHA-256) with a `ReferralDocument` row; a zip is kept too,
  and is then the referral's `package`; otherwise the report XML is.
- **Files' upload IPs and devices** (`<fileDetails>`) are attributed to the reported person (the ESP reports them
  for that account) and become that subject's identifiers, unless the report has no reported person.
- Identifiers the core could not normalise are kept as evidence (value as received, empty normalised value, the
  reason in `ReportedPerson.details["identifiers"]`); an empty normalised value never links.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.core.cybertipline import (
    DEFAULT_LIMITS,
    Address,
    CyberTiplineError,
    Limits,
    Package,
    Person,
    PersonIdentifier,
    parse_package,
    read_zip,
)
from winnow.core.intake import (
    IdentifierDraft,
    IntakeError,
    ReferralDraft,
    Sex,
    Source,
    SubjectDraft,
    SubjectRole,
    text_problem,
)
from winnow.linkage.models import CyberTiplineReport, ReferralDocument, ReportedFile, ReportedPerson
from winnow.referrals.models import RawPackage, Referral

from .services import _package, _record_one, check_drafts

_ANNOTATION_LABELS = {
    "sextortion": "sextortion",
    "csam_solicitation": "CSAM solicitation",
    "minor_to_minor_interaction": "minor-to-minor interaction",
    "spam": "spam",
    "sadistic_online_exploitation": "sadistic online exploitation",
}


@dataclass(frozen=True)
class CyberTiplineImport:
    referral: Referral
    created: bool  # False when this package had already been imported into the unit


def package_digest(package: Package) -> str:
    return hashlib.sha256("\n".join(sorted(d.sha256 for d in package.documents)).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """Dataclasses, enums, dates to JSON-ready values."""
    return json.loads(json.dumps(value, default=str))


def _address_text(address: Address) -> str:
    parts = (address.street, address.city, address.state or address.non_usa_state, address.zip_code, address.country)
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _summary(package: Package, source_reference: str) -> str:
    report = package.report
    lines = [
        f"NCMEC CyberTipline report{' ' + source_reference if source_reference else ''}: "
        f"{report.incident_type.value if report.incident_type else 'incident type not given'}.",
    ]
    if report.platform:
        lines.append(f"Platform: {report.platform}.")
    if report.incident_time:
        when = timezone.localtime(report.incident_time).strftime("%d %b %Y %H:%M %Z")
        lines.append(f"Incident time: {when}" + (f" ({report.incident_time_description})." if report.incident_time_description else "."))
    if report.escalate_to_high_priority:
        lines.append(f"Escalated to high priority by the reporter: {report.escalate_to_high_priority}")
    if report.annotations:
        said = [(label, getattr(report.annotations, name)) for name, label in _ANNOTATION_LABELS.items()]
        yes = [label for label, value in said if value is True]
        no = [label for label, value in said if value is False]
        if yes:
            lines.append("Reporter's annotations: " + ", ".join(yes) + ".")
        if no:
            lines.append("Annotated as not: " + ", ".join(no) + ".")
    if report.is_batched:
        lines.append(f"Batched report ({report.batched_reason or 'no reason given'}).")
    classified = sorted({f.industry_classification.value for f in package.files if f.industry_classification})
    if package.files:
        lines.append(f"Files reported: {len(package.files)}" + (f" (industry classification {', '.join(classified)})." if classified else "."))
    people = {"reported": 0, "intended_recipient": 0, "victim": 0}
    for person in report.people:
        people[person.role.value] += 1
    lines.append(
        f"People: {people['reported']} reported, {people['intended_recipient']} intended recipient(s), "
        f"{people['victim']} victim(s)."
    )
    return "\n".join(lines)


def _identifier_drafts(identifiers: list[PersonIdentifier]) -> tuple[IdentifierDraft, ...]:
    drafts: dict[tuple[object, ...], IdentifierDraft] = {}
    for ident in identifiers:
        normalised = ident.normalised or ""
        if len(normalised) > 500:
            normalised = ""
        key = (ident.kind, normalised or ident.raw, ident.observed_at)
        drafts.setdefault(
            key,
            IdentifierDraft(ident.kind, ident.raw[:500], normalised, (ident.platform or "")[:100], ident.observed_at),
        )
    return tuple(drafts.values())


def _subject_draft(person: Person, extra: list[PersonIdentifier]) -> SubjectDraft:
    addresses = tuple(text for text in (_address_text(a) for a in (person.details.addresses if person.details else ())) if text)
    return SubjectDraft(
        given_names=(person.first_name or "")[:200],
        family_name=(person.last_name or "")[:200],
        date_of_birth=person.date_of_birth,
        sex=Sex.UNKNOWN,
        addresses=addresses,
        role=SubjectRole(person.role.value),
        identifiers=_identifier_drafts([*person.identifiers(), *extra]),
    )


def _person_details(person: Person, extra: list[PersonIdentifier]) -> dict[str, Any]:
    details = _plain(asdict(person))
    details["identifiers"] = [
        {"kind": i.kind.value, "raw": i.raw, "normalised": i.normalised, "platform": i.platform,
         "observed_at": i.observed_at, "source": i.source, "event": i.event, "problem": i.problem}
        for i in [*person.identifiers(), *extra]
    ]
    return _plain(details)


# The report's free-text fields that are stored in columns or shown, named as NCMEC's schema names the element.
_REPORT_TEXT = {
    "platform": "platform",
    "incident_time_description": "incidentSummary/incidentDateTimeDescription",
    "escalate_to_high_priority": "escalateToHighPriority",
    "batched_reason": "batchedReason",
    "additional_info": "additionalInfo",
}


def _check_text(package: Package, draft: ReferralDraft, unit: Unit) -> None:
    """The intake text rules, the same as for a form, API call or file: first on the report's own fields (so the
    error names the element), then on the draft (names, addresses, identifiers, the summary built from the report).
    """
    report_name = next((d.name for d in package.documents if d.root == "report"), "report")
    for attribute, element in _REPORT_TEXT.items():
        value = getattr(package.report, attribute, None)
        if isinstance(value, str) and (problem := text_problem(value, multiline=True, formula=False)):
            raise CyberTiplineError(report_name, f"/report/{element}", problem)
    for details, document in zip(package.files, [d for d in package.documents if d.root != "report"], strict=False):
        for attribute, element in (("file_name", "fileName"), ("original_file_name", "originalFileName")):
            value = getattr(details, attribute, None)
            if isinstance(value, str) and (problem := text_problem(value, multiline=False, formula=False)):
                raise CyberTiplineError(document.name, f"/fileDetails/{element}", problem)
    try:
        check_drafts(unit, [draft], filename=report_name)
    except IntakeError as exc:
        first = exc.errors[0]
        raise CyberTiplineError(report_name, first.field, first.reason) from None


def parse_upload(
    documents: list[tuple[str, bytes]], *, report_id: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[Package, bytes | None, str]:
    """A package from uploaded documents: one zip, or XML documents. Returns (package, zip bytes or None, zip name)."""
    if len(documents) == 1 and documents[0][1][:4] == b"PK\x03\x04":
        name, content = documents[0]
        return read_zip(content, report_id=report_id, limits=limits, name=name), content, name
    for name, content in documents:
        if content[:4] == b"PK\x03\x04":
            raise CyberTiplineError(name, "", "a zip must be the only file of its package")
    return parse_package(documents, report_id=report_id, limits=limits), None, ""


def cybertipline_import(
    *,
    actor: Any,
    unit: Unit,
    package: Package,
    zip_content: bytes | None = None,
    zip_name: str = "",
    immediate_danger: bool,
    now: datetime | None = None,
) -> CyberTiplineImport:
    """Record a parsed package as one referral with its subjects, identifiers, files and documents, atomically.
    `immediate_danger` is the recorder's answer (required: a report that does not escalate is not a No); a report
    the reporter escalated to high priority is recorded as Yes whatever the answer.
    Raises CyberTiplineError (document, element, reason) when the package cannot be recorded; nothing is written."""
    now = now or timezone.now()
    digest = package_digest(package)
    already = CyberTiplineReport.objects.filter(unit=unit, package_sha256=digest).select_related("referral").first()
    if already is not None:
        return CyberTiplineImport(already.referral, False)
    source_reference = str(package.report_id) if package.report_id is not None else ""
    if source_reference:
        clash = Referral.objects.filter(unit=unit, source=Source.NCMEC, source_reference=source_reference).first()
        if clash is not None:
            raise CyberTiplineError(
                "package", "/fileDetails/reportId",
                f"CyberTipline report {source_reference} is already recorded as {clash.reference} "
                "(a different package for the same report: record the difference as a note on that referral)",
            )
    report = package.report
    file_identifiers = [i for f in package.files for i in f.identifiers()]
    people = list(report.people)
    drafts = tuple(
        _subject_draft(person, file_identifiers if index == 0 and person.role.value == "reported" else [])
        for index, person in enumerate(people)
    )
    draft = ReferralDraft(
        source=Source.NCMEC, source_reference=source_reference, received_at=now,
        summary=_summary(package, source_reference), immediate_danger=immediate_danger or report.immediate_danger,
        subjects=drafts, locator="",
    )
    _check_text(package, draft, unit)
    try:
        with transaction.atomic():
            stored: list[tuple[RawPackage, str, str]] = []
            zip_package = None
            if zip_content is not None:
                zip_package = _package(unit=unit, actor=actor, kind=RawPackage.Kind.FILE, content=zip_content,
                                       media_type="application/zip", filename=zip_name)
            for document in package.documents:
                raw = _package(unit=unit, actor=actor, kind=RawPackage.Kind.FILE, content=document.content,
                               media_type="application/xml", filename=document.name)
                stored.append((raw, document.name, document.root))
            main = zip_package or stored[0][0]
            referral = _record_one(unit=unit, draft=draft, package=main, actor=actor)
            if zip_package is not None:
                ReferralDocument.objects.create(referral=referral, package=zip_package, role=ReferralDocument.Role.ZIP,
                                                name=zip_name[:255], created_at=now)
            documents = [
                ReferralDocument.objects.create(
                    referral=referral, package=raw, name=name[:255], created_at=now,
                    role=ReferralDocument.Role.REPORT if root == "report" else ReferralDocument.Role.FILE_DETAILS,
                )
                for raw, name, root in stored
            ]
            CyberTiplineReport.objects.create(
                referral=referral, unit=unit, package_sha256=digest, report_id=source_reference,
                incident_type=report.incident_type.value if report.incident_type else "",
                incident_time=report.incident_time,
                incident_time_description=report.incident_time_description or "",
                platform=report.platform or "", escalate_to_high_priority=report.escalate_to_high_priority or "",
                annotations=_plain(asdict(report.annotations)) if report.annotations else {},
                batched=report.is_batched, batched_reason=report.batched_reason or "",
                internet_details=_plain([asdict(d) for d in report.internet_details]),
                law_enforcement=_plain(asdict(report.law_enforcement)) if report.law_enforcement else None,
                reporter=_plain(asdict(report.reporter)) if report.reporter else None,
                additional_info=report.additional_info or "", created_at=now, created_by=actor,
            )
            for index, (person, subject) in enumerate(zip(people, referral.subjects.order_by("id"), strict=True)):
                extra = file_identifiers if index == 0 and person.role.value == "reported" else []
                ReportedPerson.objects.create(subject=subject, source=person.source, platform=person.platform,
                                              details=_person_details(person, extra), created_at=now)
            for details, file_document in zip(package.files, documents[1:], strict=True):
                ReportedFile.objects.create(
                    referral=referral, document=file_document,
                    report_id=str(details.report_id) if details.report_id is not None else "",
                    file_id=(details.file_id or "")[:200], file_name=(details.file_name or "")[:500],
                    original_file_name=(details.original_file_name or "")[:500],
                    uploaded_to_esp_at=details.uploaded_to_esp_timestamp,
                    location_of_file=details.location_of_file or "",
                    viewed_by_esp=details.file_viewed_by_esp, exif_viewed_by_esp=details.exif_viewed_by_esp,
                    publicly_available=details.publicly_available,
                    file_relevance=details.file_relevance.value if details.file_relevance else "",
                    potential_meme=details.potential_meme,
                    industry_classification=details.industry_classification.value if details.industry_classification else "",
                    md5=details.hash("MD5") or "", sha1=details.hash("SHA1") or "",
                    hashes=[{"type": h.hash_type, "value": h.value} for h in details.hashes],
                    annotations=_plain(asdict(details.annotations)) if details.annotations else None,
                    ip_capture_events=_plain([asdict(e) for e in details.ip_capture_events]),
                    device_ids=_plain([asdict(d) for d in details.device_ids]),
                    details=_plain([list(pair) for pair in details.details]),
                    additional_info=list(details.additional_info), created_at=now,
                )
            audit_record(
                actor=actor, action=AuditAction.CYBERTIPLINE_IMPORT, unit_id=unit.pk, target=referral,
                detail={"reference": referral.reference, "package_sha256": digest, "report_id": source_reference,
                        "documents": [d.name for d in package.documents], "files": len(package.files),
                        "subjects": len(people)},
            )
    except IntegrityError:
        # Another import of the same package won the race: it is recorded once.
        already = CyberTiplineReport.objects.filter(unit=unit, package_sha256=digest).select_related("referral").first()
        if already is None:
            raise
        return CyberTiplineImport(already.referral, False)
    return CyberTiplineImport(referral, True)


def read_paths(paths: list[str], *, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, bytes]]:
    """Read package files from disk, refusing any larger than the limits before reading it."""
    documents = []
    for path in paths:
        name = os.path.basename(path)
        limit = limits.max_zip_bytes if len(paths) == 1 else limits.max_document_bytes
        try:
            size = os.stat(path).st_size
            if size > limit:
                raise CyberTiplineError(name, "", f"{size:,} bytes; at most {limit:,} allowed")
            with open(path, "rb") as handle:
                content = handle.read(limit + 1)
        except OSError as exc:
            raise CyberTiplineError(name, "", f"cannot be read ({exc.strerror or exc})") from None
        if len(content) > limit:
            raise CyberTiplineError(name, "", f"more than {limit:,} bytes")
        documents.append((name, content))
    return documents
