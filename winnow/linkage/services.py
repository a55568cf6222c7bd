"""Deconfliction use cases: exact links at intake, person linkage, merges and their undoing.

Each writes its rows and the audit trail in one transaction. `referral_link_at_intake` is called by
`winnow.intake.services` inside the intake transaction, so every new referral (form, API, file, CyberTipline) is
linked as it is recorded: a referral is never stored without its exact links. Notifications go out through
`winnow.notifications`; alerts to offender managers are the intake app's to send (offenders sit above linkage).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.core.identifiers import IdentifierKind, ip_observations_link
from winnow.core.linkage import (
    DEFAULT_THRESHOLD,
    CleanedPeople,
    PersonRecord,
    ScoredPair,
    match_new_people,
    score_people,
    uk_postcode,
    warm_up,
)
from winnow.notifications.models import Notification
from winnow.notifications.services import notification_send
from winnow.referrals.models import Identifier, Referral, Status, Subject

from .models import (
    IdentifierLink,
    KnownElsewhere,
    LinkageRun,
    LinkProposal,
    Merge,
    MergeUndo,
    Person,
    PersonMembership,
    ProposalDecision,
)

_KIND_WORDS = {
    IdentifierKind.EMAIL: "email address",
    IdentifierKind.PHONE: "phone number",
    IdentifierKind.USERNAME: "username/account",
    IdentifierKind.IP: "IP address",
    IdentifierKind.DEVICE: "device id",
}


class LinkageRefused(Exception):
    """A decision or undo the rules do not allow; the message says why."""


# -------------------------------------------------------------------------------------------- exact links at intake


@dataclass(frozen=True)
class CrossUnitMatch:
    """A new referral's identifier and another unit's identifier with the same value (for `winnow.partners`, which
    records the pair and tells both units; linkage itself keeps only the unit names, in `KnownElsewhere`)."""

    identifier: Identifier
    other_identifier: Identifier
    reason: str


@dataclass(frozen=True)
class IntakeLinks:
    links: list[IdentifierLink]
    elsewhere: list[KnownElsewhere]
    notifications: list[Notification]
    cross_unit: tuple[CrossUnitMatch, ...] = ()


def _accounts(subject_id: int) -> set[str]:
    return set(
        Identifier.objects.filter(subject_id=subject_id, kind=IdentifierKind.USERNAME)
        .exclude(normalised="")
        .values_list("normalised", flat=True)
    )


def _why(mine: Identifier, theirs: Identifier) -> tuple[bool, str]:
    """Whether two identifiers with the same normalised value may link, and the sentence that says why."""
    word = _KIND_WORDS.get(IdentifierKind(mine.kind), mine.kind)
    if mine.kind != IdentifierKind.IP:
        return True, f"same {word} {mine.normalised}"
    decision = ip_observations_link(
        mine.normalised,
        mine.observed_at,
        theirs.normalised,
        theirs.observed_at,
        same_account=bool(_accounts(mine.subject_id) & _accounts(theirs.subject_id)),
    )
    return decision.links, f"IP address: {decision.reason}"


def referral_link_at_intake(
    *, referral: Referral, actor: Any, now: datetime | None = None, subjects: Iterable[Subject] | None = None,
) -> IntakeLinks:
    """Link a new referral's subjects to earlier subjects sharing a normalised identifier.

    Same unit: an `IdentifierLink` per (new identifier, earlier identifier), saying why. Another unit: a
    `KnownElsewhere` row on each side (the new referral's unit learns "also known to <unit>", and so does the other
    unit about its own subject); nothing else of the other unit's case is read or shown. IP addresses link only
    through `ip_observations_link` (close in time, or the same account). Must run inside the intake transaction.

    `subjects`: only these (people added to the referral after intake, `winnow.intake.services.subject_add`). The
    referral's earlier subjects were linked when they were recorded; linking them again would repeat their links
    (refused by the database) and their owners' notifications.
    """
    now = now or timezone.now()
    only = None if subjects is None else [s.pk for s in subjects]
    mine_qs = Identifier.objects.filter(subject__referral=referral).exclude(normalised="")
    if only is not None:
        mine_qs = mine_qs.filter(subject_id__in=only)
    mine = list(mine_qs.select_related("subject"))
    links: list[IdentifierLink] = []
    elsewhere: list[KnownElsewhere] = []
    cross_unit: list[CrossUnitMatch] = []
    if not mine:
        return IntakeLinks([], [], [])
    wanted: dict[tuple[str, str], list[Identifier]] = defaultdict(list)
    for ident in mine:
        wanted[(ident.kind, ident.normalised)].append(ident)
    candidates = (
        Identifier.objects.filter(normalised__in={n for _, n in wanted})
        .exclude(subject__referral=referral)
        .select_related("subject", "subject__referral")
        .order_by("id")
    )
    other_units: dict[int, Unit] = {}
    for theirs in candidates:
        for ident in wanted.get((theirs.kind, theirs.normalised), ()):
            may_link, reason = _why(ident, theirs)
            if not may_link:
                continue
            if theirs.unit_id == referral.unit_id:
                links.append(
                    IdentifierLink.objects.create(
                        unit_id=referral.unit_id, referral=referral, subject=ident.subject, identifier=ident,
                        linked_referral=theirs.subject.referral, linked_subject=theirs.subject,
                        linked_identifier=theirs, kind=ident.kind, normalised=ident.normalised, reason=reason,
                        created_at=now,
                    )
                )
                continue
            other_units.setdefault(theirs.unit_id, Unit.objects.get(pk=theirs.unit_id))
            cross_unit.append(CrossUnitMatch(ident, theirs, reason))
            for row in (
                dict(unit_id=referral.unit_id, referral=referral, subject=ident.subject, identifier=ident,
                     other_unit_id=theirs.unit_id),
                dict(unit_id=theirs.unit_id, referral=theirs.subject.referral, subject=theirs.subject,
                     identifier=theirs, other_unit_id=referral.unit_id),
            ):
                if not KnownElsewhere.objects.filter(identifier=row["identifier"], other_unit_id=row["other_unit_id"]).exists():
                    elsewhere.append(KnownElsewhere.objects.create(created_at=now, **row))
    for link in links:
        audit_record(
            actor=actor, action=AuditAction.LINK_CREATE, unit_id=referral.unit_id, target=link,
            detail={"referral": referral.reference, "linked_referral": link.linked_referral.reference,
                    "kind": link.kind, "reason": link.reason},
        )
    for hit in elsewhere:
        # Recorded in the unit whose subject it is about; the detail names units only.
        audit_record(
            actor=actor, action=AuditAction.LINK_KNOWN_ELSEWHERE, unit_id=hit.unit_id, target=hit,
            detail={"referral": hit.referral.reference, "other_unit": other_units.get(hit.other_unit_id, hit.other_unit).name},
        )
    lead = f"A person added to referral {referral.reference}" if only is not None else None
    notifications = notify_linked_owners(referral=referral, links=links, actor=actor, now=now, lead=lead)
    return IntakeLinks(links, elsewhere, notifications, tuple(cross_unit))


# --------------------------------------------------------------------------------------------------- notifications


def owners_of(referral: Referral) -> list[Any]:
    """Who must hear about a new link to this referral: the investigator it is assigned to, else its creator (the
    owner until it is assigned). Issue 7 (managed offenders) extends this with the offender manager of a linked
    managed offender."""
    owner = getattr(referral, "assigned_to", None) or referral.created_by
    return [owner] if owner.is_active else []


def notify_linked_owners(
    *, referral: Referral, links: Iterable[IdentifierLink], actor: Any,
    now: datetime | None = None, lead: str | None = None,
) -> list[Notification]:
    """Tell the owners of open referrals that a new referral links to theirs, once per (owner, linked referral),
    saying which identifiers. The person who recorded the new referral is not told about their own action (they see
    the links on the page). Closed referrals are linked and shown, but their owners are not notified. `lead` begins
    the message ("New referral <reference>" unless given)."""
    lead = lead or f"New referral {referral.reference}"
    by_referral: dict[int, list[IdentifierLink]] = defaultdict(list)
    for link in links:
        by_referral[link.linked_referral_id].append(link)
    sent: list[Notification] = []
    for group in by_referral.values():
        linked = group[0].linked_referral
        if linked.status == Status.CLOSED:
            continue
        reasons = "; ".join(sorted({link.reason for link in group}))
        for owner in owners_of(linked):
            if getattr(actor, "pk", None) == owner.pk:
                continue
            sent.append(
                notification_send(
                    recipient=owner, unit_id=referral.unit_id,
                    message=f"{lead} links to your referral {linked.reference}: {reasons}.",
                    link=reverse("referrals:detail", args=[referral.pk]), referral=referral, actor=actor, now=now,
                )
            )
    return sent


# -------------------------------------------------------------------------------------------------- person linkage


def person_record(subject: Subject) -> PersonRecord:
    return _record(subject.pk, subject.given_names, subject.family_name, subject.date_of_birth, subject.addresses)


def _record(pk: int, given_names: str, family_name: str, date_of_birth: Any, addresses: Any) -> PersonRecord:
    address = next((a for a in addresses or [] if isinstance(a, str) and a.strip()), None)
    postcode = next((p for p in (uk_postcode(a) for a in addresses or [] if isinstance(a, str)) if p), None)
    return PersonRecord(
        record_id=str(pk),
        given_names=given_names or None,
        family_name=family_name or None,
        date_of_birth=date_of_birth,
        postcode=postcode,
        address=address,
    )


def _named_records(subjects: Any) -> list[PersonRecord]:
    """Records for the named subjects of a queryset, read as plain values (a unit may hold 100,000 subjects)."""
    rows = subjects.exclude(given_names="", family_name="").values_list(
        "pk", "given_names", "family_name", "date_of_birth", "addresses")
    return [_record(*row) for row in rows.iterator(chunk_size=5000)]


def current_person_ids(subject_ids: Iterable[int]) -> dict[int, int]:
    """subject id -> person id, from each subject's latest standing membership."""
    found: dict[int, int] = {}
    for membership in PersonMembership.objects.standing().filter(subject_id__in=list(subject_ids)).order_by("id"):
        found[membership.subject_id] = membership.person_id
    return found


def person_members(person: Person) -> list[Subject]:
    ids = PersonMembership.objects.standing().filter(person=person).values_list("subject_id", flat=True)
    current = current_person_ids(ids)
    return list(Subject.objects.filter(pk__in=[s for s, p in current.items() if p == person.pk]).select_related("referral"))


def people_link(
    *, unit: Unit, actor: Any = None, threshold: float = DEFAULT_THRESHOLD, only_subjects: Iterable[int] | None = None, now: datetime | None = None,
) -> LinkageRun:
    """Run person linkage (splink, prior model) over the unit's named subjects and store new proposals.

    A pair is proposed at most once, ever: pairs already proposed (pending, accepted or rejected) and pairs already
    in the same person are skipped, so a rejected pair is never proposed again."""
    started = time.perf_counter()
    records = _named_records(Subject.objects.filter(unit=unit))
    only = None if only_subjects is None else {str(pk) for pk in only_subjects}
    pairs = score_people(records, threshold=threshold, only_involving=only)
    return _store_proposals(unit=unit, pairs=pairs, subjects=len(records), threshold=threshold, model="prior",
                            started=started, actor=actor, now=now)


def people_link_new(
    *, unit: Unit, subject_ids: Iterable[int], actor: Any = None, threshold: float = DEFAULT_THRESHOLD, now: datetime | None = None,
) -> LinkageRun:
    """Incremental person linkage after intake: the given (new) subjects against the unit's other subjects and each
    other, never the unit's subjects against each other again (`match_new_people`). Same model, threshold,
    explanations and rules as `people_link`: a pair already proposed (pending, accepted or rejected) or already one
    person is skipped, so running it twice for the same subjects proposes nothing the second time."""
    started = time.perf_counter()
    wanted = set(subject_ids)
    in_unit = Subject.objects.filter(unit=unit)
    new = _named_records(in_unit.filter(pk__in=wanted))
    pairs = match_new_people(new, _held_people(unit, exclude=wanted), threshold=threshold) if new else []
    return _store_proposals(unit=unit, pairs=pairs, subjects=len(new), threshold=threshold,
                            model="prior, incremental", started=started, actor=actor, now=now)


# In a worker process, per unit: the unit's subjects, cleaned for linkage. Subjects are append-only (never edited)
# and their ids never reused, so a cleaned record never goes stale; each run reads only the ids of the unit's named
# subjects and fetches and cleans those not seen before (recorded since, in whatever order their transactions
# committed). Off unless `worker_start()` has run (the worker command calls it): a test database reuses ids.
_CLEANED: dict[int, CleanedPeople] = {}
_KEEP = {"on": False}


def worker_start() -> None:
    """`winnow worker` calls this before its first task (settings.WINNOW_WORKER_STARTUP): load splink (tens of
    seconds cold on a loaded machine, not to be paid by the first referral) and keep cleaned subjects between tasks,
    starting with every unit's subjects now."""
    warm_up()
    _KEEP["on"] = True
    # Clean every unit's subjects now, before the first claim, rather than in the first referral's follow-up (25 s
    # at 100,000 subjects on a loaded 2-core machine). Memory: roughly 0.5 KB per subject.
    for unit in Unit.objects.filter(pk__in=Subject.objects.values("unit_id")):
        _held_people(unit, exclude=set())


def _held_people(unit: Unit, *, exclude: set[int]) -> tuple[CleanedPeople, list[str]]:
    named = Subject.objects.filter(unit=unit).exclude(given_names="", family_name="")
    ids = [str(pk) for pk in named.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20000)
           if pk not in exclude]
    cache = _CLEANED.setdefault(unit.pk, CleanedPeople()) if _KEEP["on"] else CleanedPeople()
    missing = sorted(cache.missing(ids), key=int)
    for i in range(0, len(missing), 5000):  # SQLite allows a limited number of query parameters
        cache.add(_named_records(Subject.objects.filter(pk__in=[int(x) for x in missing[i:i + 5000]])))
    return cache, ids


def _store_proposals(
    *, unit: Unit, pairs: list[ScoredPair], subjects: int, threshold: float, model: str, started: float, actor: Any, now: datetime | None,
) -> LinkageRun:
    """One LinkageRun and a LinkProposal per pair not proposed before and not already one person, with the audit
    event, in one transaction. If another run proposes one of the pairs at the same moment, the unique pair
    constraint makes this transaction fail and roll back (IntegrityError); run again (the task worker retries), it
    then skips that pair. So repeated or concurrent runs never propose a pair twice."""
    known = set(LinkProposal.objects.filter(unit=unit).values_list("left_subject_id", "right_subject_id"))
    persons = current_person_ids({int(i) for p in pairs for i in (p.left_id, p.right_id)})
    fresh = []
    for pair in pairs:
        left, right = sorted((int(pair.left_id), int(pair.right_id)))
        if (left, right) in known:
            continue
        if persons.get(left) is not None and persons.get(left) == persons.get(right):
            continue
        fresh.append((left, right, pair))
    with transaction.atomic():
        run = LinkageRun.objects.create(
            unit=unit, ran_at=now or timezone.now(), seconds=round(time.perf_counter() - started, 3),
            subjects=subjects, pairs_scored=len(pairs), proposals_created=len(fresh), threshold=threshold, model=model,
            by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for left, right, pair in fresh:
            LinkProposal.objects.create(
                unit=unit, run=run, left_subject_id=left, right_subject_id=right,
                match_probability=pair.match_probability, match_weight=pair.match_weight,
                fields=[{"field": f.field, "label": f.label, "level": f.level, "match_weight": f.match_weight,
                         "left": f.left, "right": f.right} for f in pair.fields],
            )
        audit_record(
            actor=actor, action=AuditAction.LINKAGE_RUN, unit_id=unit.pk, target=run,
            detail={"subjects": subjects, "pairs": len(pairs), "proposals": len(fresh), "model": model},
        )
    return run


def proposal_decide(
    *, proposal: LinkProposal, accept: bool, actor: Any, reason: str = "",
    now: datetime | None = None,
) -> ProposalDecision:
    """Accept (merge the two subjects into one person) or reject (never proposed again)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            decision = ProposalDecision.objects.create(
                proposal=proposal, outcome=ProposalDecision.Outcome.ACCEPT if accept else ProposalDecision.Outcome.REJECT,
                reason=reason.strip(), by=actor, at=now,
            )
            detail: dict[str, Any] = {"outcome": decision.outcome, "left": proposal.left_subject_id,
                                      "right": proposal.right_subject_id}
            if accept:
                merge = _merge(proposal=proposal, actor=actor, now=now)
                detail.update(person=merge.person_id, merge=merge.pk)
            audit_record(actor=actor, action=AuditAction.PROPOSAL_DECIDE, unit_id=proposal.unit_id,
                         target=proposal, detail=detail)
            if accept:
                _after_merge(merge=merge, actor=actor, now=now)
    except IntegrityError:
        raise LinkageRefused("This proposal has already been decided.") from None
    return decision


def _after_merge(*, merge: Merge, actor: Any, now: datetime) -> None:
    """What follows an accepted merge in the apps above linkage (settings.WINNOW_AFTER_MERGE: dotted paths, called
    in the decision's transaction, e.g. alerting the manager of an offender the merge makes a referral link to).
    Linkage may not import those apps (layers), so they are named in settings, as the worker's start-up is."""
    for path in settings.WINNOW_AFTER_MERGE:
        import_string(path)(merge=merge, actor=actor, now=now)


def _merge(*, proposal: LinkProposal, actor: Any, now: datetime) -> Merge:
    left, right = proposal.left_subject_id, proposal.right_subject_id
    persons = current_person_ids([left, right])
    p_left, p_right = persons.get(left), persons.get(right)
    if p_left is not None and p_left == p_right:
        raise LinkageRefused("These subjects are already the same person.")
    target_id = p_left or p_right
    person = Person.objects.get(pk=target_id) if target_id else Person.objects.create(
        unit_id=proposal.unit_id, created_by=actor, created_at=now)
    merge = Merge.objects.create(unit_id=proposal.unit_id, person=person, proposal=proposal, by=actor, at=now)
    joining: list[int] = []
    for subject_id, current in ((left, p_left), (right, p_right)):
        if current is None:
            joining.append(subject_id)
        elif current != person.pk:  # two people become one: every member of the other moves over
            joining.extend(s.pk for s in person_members(Person.objects.get(pk=current)))
    for subject_id in joining:
        PersonMembership.objects.create(person=person, subject_id=subject_id, merge=merge, created_at=now)
    return merge


def merge_undo(*, merge: Merge, actor: Any, reason: str, now: datetime | None = None) -> MergeUndo:
    """Undo a merge (a new MergeUndo row): its memberships stop counting, so each subject falls back to the person
    it belonged to before. Only the latest standing merge touching those subjects or that person can be undone,
    so undoing never leaves a later merge resting on a withdrawn one."""
    if not reason.strip():
        raise LinkageRefused("Undoing a merge needs a reason.")
    with transaction.atomic():
        if MergeUndo.objects.filter(merge=merge).exists():
            raise LinkageRefused("This merge has already been undone.")
        subject_ids = list(merge.memberships.values_list("subject_id", flat=True))
        later = (
            Merge.objects.filter(pk__gt=merge.pk, undo__isnull=True)
            .filter(models_q_person_or_subjects(merge.person_id, subject_ids))
            .order_by("pk")
            .first()
        )
        if later is not None:
            raise LinkageRefused(f"Undo the later merge {later.pk} first: it builds on this one.")
        undo = MergeUndo.objects.create(merge=merge, reason=reason.strip(), by=actor, at=now or timezone.now())
        audit_record(actor=actor, action=AuditAction.MERGE_UNDO, unit_id=merge.unit_id, target=merge,
                     detail={"person": merge.person_id, "subjects": subject_ids, "reason": reason.strip()})
    return undo


def models_q_person_or_subjects(person_id: int, subject_ids: list[int]) -> Any:
    from django.db.models import Q

    return Q(person_id=person_id) | Q(memberships__subject_id__in=subject_ids) | Q(
        proposal__left_subject_id__in=subject_ids) | Q(proposal__right_subject_id__in=subject_ids)
