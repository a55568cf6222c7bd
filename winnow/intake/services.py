"""Every way a referral arrives (web form, API, CSV/JSON file, CyberTipline package) ends here: one gate.

`check_drafts` is the one gate: the drafts (already parsed by `winnow.core.intake` or `winnow.intake.cybertip`)
are checked against the one set of text rules (`winnow.core.intake.draft_problems`) and the unit's source
references. Then one transaction (`_record_one` for each draft) records the raw package, the referral, its subjects
and identifiers, the exact identifier links, the alerts that follow from them, the audit events, and the follow-up
task row; once it commits, the task worker runs person linkage of the new subjects (`winnow.intake.tasks`):
nothing that can take seconds runs inside the transaction.

`subject_add` adds a person to a referral already recorded (one that arrived with only an IP address or an e-mail,
until a subscriber check names the account holder; a second suspect identified later): the same rules, the same
`_create_subject`, and the same follow-up for that person alone, with a reason kept as a `SubjectAddition`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.core.intake import (
    FieldError,
    IntakeError,
    ReferralDraft,
    SubjectDraft,
    draft_problems,
    parse_referral_file,
    text_problem,
)
from winnow.core.intake.gate import subject_problems
from winnow.linkage.services import referral_link_at_intake
from winnow.offenders.services import offenders_notify_linked
from winnow.partners.services import deconflict_at_intake
from winnow.permissions import Capability, require
from winnow.referrals.models import (
    Identifier,
    ImportBatch,
    RawPackage,
    ReferenceCounter,
    Referral,
    Status,
    Subject,
    SubjectAddition,
)
from winnow.safeguarding.services import concern_for_danger

from . import tasks


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    created: bool  # False when this exact file had already been imported into the unit

    @property
    def referral_count(self) -> int:
        return self.batch.referral_count


def _package(*, unit: Unit, actor: Any, kind: str, content: bytes, media_type: str, filename: str = "") -> RawPackage:
    return RawPackage.objects.create(
        unit=unit,
        kind=kind,
        filename=filename[:255],
        media_type=media_type,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        received_by=actor,
    )


class DuplicateSourceReference(IntakeError):
    """A source reference the unit already has (the API answers 409 Conflict)."""


def _check_source_references(unit: Unit, drafts: list[ReferralDraft]) -> None:
    """A source reference already recorded in the unit is an error, named at its place in the file."""
    keyed = {(d.source.value, d.source_reference): d for d in drafts if d.source_reference}
    if not keyed:
        return
    existing = Referral.objects.filter(
        unit=unit, source_reference__in={ref for _, ref in keyed}
    ).values_list("source", "source_reference", "reference")
    errors = [
        FieldError(None, "source_reference", f"{keyed[(src, ref)].locator}: {ref!r} is already recorded as {winnow_ref}")
        for src, ref, winnow_ref in existing
        if (src, ref) in keyed
    ]
    if errors:
        raise DuplicateSourceReference(errors, filename="")


def _raced(unit: Unit, drafts: list[ReferralDraft], exc: IntegrityError) -> None:
    """After an IntegrityError: if another request recorded one of these source references between the check and
    the insert, say so as the check would have; anything else is not ours to explain and is raised again."""
    _check_source_references(unit, drafts)
    raise exc


def _create_subject(*, referral: Referral, draft: SubjectDraft, actor: Any) -> Subject:
    subject = Subject.objects.create(
        referral=referral,
        unit=referral.unit,
        role=draft.role.value,
        given_names=draft.given_names,
        family_name=draft.family_name,
        date_of_birth=draft.date_of_birth,
        sex=draft.sex.value,
        addresses=list(draft.addresses),
        created_by=actor,
    )
    Identifier.objects.bulk_create(
        Identifier(
            subject=subject,
            unit=referral.unit,
            kind=ident.kind.value,
            value=ident.value,
            normalised=ident.normalised,
            platform=ident.platform,
            observed_at=ident.observed_at,
        )
        for ident in draft.identifiers
    )
    audit_record(
        actor=actor,
        action=AuditAction.SUBJECT_CREATE,
        unit_id=referral.unit_id,
        target=subject,
        detail={"referral": referral.reference, "identifiers": len(draft.identifiers)},
    )
    return subject


def _record_one(
    *, unit: Unit, draft: ReferralDraft, package: RawPackage, actor: Any
) -> Referral:
    referral = Referral(
        unit=unit,
        reference=ReferenceCounter.next_reference(unit, timezone.localtime(draft.received_at).year),
        source=draft.source.value,
        source_reference=draft.source_reference,
        received_at=draft.received_at,
        summary=draft.summary,
        immediate_danger=draft.immediate_danger,
        package=package,
        package_locator=draft.locator,
        created_by=actor,
    )
    referral.reprioritise(band=None, decided_at=None)  # unassessed: the queue columns come from the model
    referral.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_CREATE,
        unit_id=unit.pk,
        target=referral,
        detail={"reference": referral.reference, "package_sha256": package.sha256, "via": package.kind,
                "state": referral.state()},
    )
    for subject_draft in draft.subjects:
        _create_subject(referral=referral, draft=subject_draft, actor=actor)
    _after_recording(referral=referral, actor=actor)
    return referral


def referral_record(
    *,
    actor: Any,
    unit: Unit,
    draft: ReferralDraft,
    raw: bytes,
    media_type: str,
    via: str,
) -> Referral:
    """Record one referral from the web form or the API; `raw` is the request exactly as received."""
    check_drafts(unit, [draft])
    try:
        with transaction.atomic():
            package = _package(unit=unit, actor=actor, kind=via, content=raw, media_type=media_type)
            return _record_one(unit=unit, draft=draft, package=package, actor=actor)
    except IntegrityError as exc:  # two requests with one source reference at once: the loser is told, not a 500
        _raced(unit, [draft], exc)
        raise


def referrals_import(
    *,
    actor: Any,
    unit: Unit,
    filename: str,
    content: bytes,
    max_bytes: int,
    now: datetime | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportResult:
    """Import a CSV or JSON file atomically: every referral in it, or nothing (IntakeError says why).
    `progress(what, done, total)` hears each step (a count inside the transaction would be seen by nobody)."""
    sha256 = hashlib.sha256(content).hexdigest()
    already = ImportBatch.objects.filter(unit=unit, sha256=sha256).first()
    if already is not None:
        return ImportResult(batch=already, created=False)
    if progress is not None:
        progress("Reading the file")
    drafts = parse_referral_file(content, filename=filename, now=now or timezone.now(), max_bytes=max_bytes)
    if progress is not None:
        progress(f"Checking {len(drafts):,} referrals")
    check_drafts(unit, drafts, filename=filename)
    if progress is not None:
        progress(f"Checked; recording {len(drafts):,} referrals (all or nothing)")
    try:
        return _import_batch(actor=actor, unit=unit, filename=filename, content=content, sha256=sha256,
                             drafts=drafts)
    except IntegrityError:
        # The same file finished importing in another request while this one was parsing it.
        batch = ImportBatch.objects.filter(unit=unit, sha256=sha256).first()
        if batch is None:
            # Or a referral with one of the file's source references was recorded meanwhile.
            _check_source_references(unit, drafts)
            raise
        return ImportResult(batch=batch, created=False)


def _import_batch(
    *, actor: Any, unit: Unit, filename: str, content: bytes, sha256: str, drafts: list[ReferralDraft],
) -> ImportResult:
    with transaction.atomic():
        package = _package(
            unit=unit,
            actor=actor,
            kind=RawPackage.Kind.FILE,
            content=content,
            media_type="application/json" if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else "text/csv",
            filename=filename,
        )
        batch = ImportBatch.objects.create(
            unit=unit, package=package, sha256=sha256, referral_count=len(drafts), created_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT_CREATE,
            unit_id=unit.pk,
            target=batch,
            detail={"filename": filename[:255], "sha256": sha256, "referrals": len(drafts)},
        )
        for draft in drafts:
            _record_one(unit=unit, draft=draft, package=package, actor=actor)
    return ImportResult(batch=batch, created=True)


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, default=str).encode()


def check_drafts(unit: Unit, drafts: list[ReferralDraft], *, filename: str = "") -> None:
    """The one gate every channel passes: the text rules on every field, then the unit's source references.
    Raises IntakeError naming each place; nothing has been written."""
    problems = [problem for draft in drafts for problem in draft_problems(draft)]
    if problems:
        raise IntakeError(problems, filename=filename)
    _check_source_references(unit, drafts)


def _after_recording(*, referral: Referral, actor: Any, added: Subject | None = None) -> None:
    """Inside the intake transaction: exact identifier links (and the owners they notify), alerts to the managers
    of linked managed offenders, a safeguarding referral due today when a child is believed to be in immediate
    danger; after it commits: person linkage of the new subjects, on the task worker.

    `added`: a person added to the referral after intake. Then only their identifiers are linked (the earlier
    subjects' links, alerts and deconflictions exist already), and the danger flag, a fact of the referral that
    intake has acted on, is left alone."""
    if added is None:
        concern_for_danger(actor=actor, referral=referral,
                           why="recorded with a child believed to be in immediate danger")
    only = None if added is None else [added]
    links = referral_link_at_intake(referral=referral, actor=actor, subjects=only)
    lead = None if added is None else f"A person added to referral {referral.reference}"
    offenders_notify_linked(referral=referral, links=links.links, actor=actor, lead=lead)
    deconflict_at_intake(referral=referral, matches=links.cross_unit, actor=actor)
    tasks.enqueue_referral_follow_up(referral.pk, None if added is None else [added.pk])


# ----------------------------------------------------------------------------------- a person added after intake

MAX_ADD_REASON = 5000


class ReferralClosed(IntakeError):
    """People are not added to a closed referral (the API answers 409 Conflict)."""


def _same_person(draft: SubjectDraft, subject: Subject) -> bool:
    """A named person already on the referral as recorded: same role, names (ignoring case) and date of birth, as
    intake refuses the same subject twice in one referral."""
    if not (draft.given_names or draft.family_name):
        return False
    return (draft.role.value, draft.given_names.casefold(), draft.family_name.casefold(), draft.date_of_birth) == (
        subject.role, subject.given_names.casefold(), subject.family_name.casefold(), subject.date_of_birth)


def _addition_problems(draft: SubjectDraft, reason: str) -> list[FieldError]:
    problems = subject_problems(draft)
    if not (draft.given_names or draft.family_name or draft.date_of_birth or draft.addresses or draft.identifiers):
        problems.append(FieldError(None, "", "give at least a name, a date of birth, an address or an identifier: "
                                             "a person with nothing known cannot be linked or found"))
    if not reason:
        problems.append(FieldError(None, "reason", "say how this person was identified (for example, a subscriber "
                                                   "check on the IP address)"))
    elif len(reason) > MAX_ADD_REASON:
        problems.append(FieldError(None, "reason", f"is {len(reason):,} characters; the limit is {MAX_ADD_REASON:,}"))
    elif problem := text_problem(reason, multiline=True, formula=False):
        problems.append(FieldError(None, "reason", problem))
    return problems


def subject_add(
    *, actor: Any, referral: Referral, draft: SubjectDraft, reason: str, now: datetime | None = None,
) -> Subject:
    """Add a person to a referral already recorded, with the reason: a new `Subject` with its identifiers and a
    `SubjectAddition` (nothing recorded before is changed), the audit event on the referral, and what intake does
    for a new person, for this one alone: exact links and the notifications they raise, offender-manager alerts,
    cross-unit deconfliction, person linkage on the task worker. One transaction; IntakeError (nothing written)
    naming each problem; ReferralClosed for a closed referral; NotPermitted outside the referral's unit."""
    require(actor, Capability.PROGRESS_REFERRALS, referral.unit_id,
            "Only handlers, investigators and supervisors of the referral's unit add people to it.")
    now = now or timezone.now()
    reason = (reason or "").strip()
    problems = _addition_problems(draft, reason)
    if problems:
        raise IntakeError(problems)
    with transaction.atomic():
        # Locked so that a referral closed, or the same person added, by another request meanwhile is seen here.
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status == Status.CLOSED:
            raise ReferralClosed([FieldError(None, "referral", f"{locked.reference} is closed: people are not added "
                                                               "to a closed referral")])
        for existing in Subject.objects.filter(referral=locked):
            if _same_person(draft, existing):
                raise IntakeError([FieldError(None, "given_names", f"{existing.display_name} is already on "
                                              f"{locked.reference} in that role with that date of birth; correct "
                                              "their details instead of adding them again")])
        subject = _create_subject(referral=locked, draft=draft, actor=actor)
        addition = SubjectAddition(referral=locked, subject=subject, reason=reason, created_at=now, created_by=actor)
        addition.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.REFERRAL_SUBJECT_ADD, unit_id=locked.unit_id, target=locked,
                     now=now, detail={"reference": locked.reference, "subject": subject.pk, "role": subject.role,
                                      "identifiers": len(draft.identifiers), "reason": reason})
        _after_recording(referral=locked, actor=actor, added=subject)
    return subject
