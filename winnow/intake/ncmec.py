"""NCMEC report handling: CyberTipline reports the reporter marked informational, and reports about the same viral
file grouped so a unit works them once.

Nothing here is deleted or edited: an informational report is closed with the disposition "informational" and a
reason (a `StatusChange`, like any closure); working a group closes its other open reports as duplicates of the one
the unit works, each with a reason naming the file's hash and that referral. Groups are computed at read time from
the reported files' MD5/SHA-1 (`ReportedFile`) and their `<viral/>` annotations; nothing stores a group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, When
from django.db.models.functions import Lower

from winnow.audit.services import AuditAction, audit_record
from winnow.linkage.models import CyberTiplineReport, ReportedFile
from winnow.referrals.models import Disposition, Referral, Status
from winnow.referrals.services import referral_transition


class NcmecRefused(ValueError):
    """`problems` are (field, reason) pairs; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {r}" for f, r in problems))


@dataclass
class ViralGroup:
    unit_id: int
    digest: str  # the file's MD5, else SHA-1, lower case
    referrals: list[Referral] = field(default_factory=list)
    viral: bool = False  # at least one report annotated the file <viral/>

    @property
    def open(self) -> list[Referral]:
        return [r for r in self.referrals if r.status != Status.CLOSED]

    @property
    def worked(self) -> bool:
        return len(self.open) <= 1


def informational_reports(unit_ids: set[int]) -> Any:
    """Open referrals from CyberTipline reports marked informational, oldest first."""
    marked = CyberTiplineReport.objects.filter(unit_id__in=unit_ids, annotations__informational=True)
    return Referral.objects.filter(pk__in=marked.values("referral_id")).exclude(status=Status.CLOSED).select_related(
        "unit").order_by("received_at", "pk")


def viral_groups(unit_ids: set[int], *, digest: str | None = None) -> list[ViralGroup]:
    """Reports in each unit that carry a file with the same hash (MD5, else SHA-1), two or more reports to a group;
    viral first, then those still to work, then the largest. The grouping is one aggregate query; only the
    reports of the groups found are read."""
    files = ReportedFile.objects.filter(referral__unit_id__in=unit_ids, referral__cybertipline__isnull=False).annotate(
        key=Lower(Case(When(md5="", then=F("sha1")), default=F("md5"), output_field=CharField()))).exclude(key="")
    if digest is not None:
        files = files.filter(key=digest)
    counted = (files.values("referral__unit_id", "key")
               .annotate(reports=Count("referral_id", distinct=True),
                         viral=Count("pk", filter=Q(annotations__viral=True)))
               .filter(reports__gt=1).order_by())
    heads = {(row["referral__unit_id"], row["key"]): row["viral"] > 0 for row in counted}
    if not heads:
        return []
    members: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = files.filter(key__in={key for _, key in heads}).values_list("referral__unit_id", "key", "referral_id")
    for unit_id, key, referral_id in rows.iterator(chunk_size=5000):
        if (unit_id, key) in heads:
            members[(unit_id, key)].add(referral_id)
    referrals = {r.pk: r for r in Referral.objects.filter(pk__in={i for ids in members.values() for i in ids})
                 .select_related("unit")}
    groups = [ViralGroup(unit_id, key, sorted((referrals[i] for i in ids), key=lambda r: (r.received_at, r.pk)),
                         heads[(unit_id, key)])
              for (unit_id, key), ids in members.items()]
    return sorted(groups, key=lambda g: (not g.viral, g.worked, -len(g.referrals), g.digest))


def informational_close(*, actor: Any, referral: Referral, reason: str, now: datetime | None = None) -> None:
    """Close an informational report with a reason (the lifecycle refuses any other referral)."""
    if not reason.strip():
        raise NcmecRefused([("reason", "say why no action is needed")])
    referral_transition(actor=actor, referral=referral, to_status=Status.CLOSED,
                        disposition=Disposition.INFORMATIONAL, reason=reason, now=now)


def viral_group_work(
    *, actor: Any, group: ViralGroup, lead: Referral, reason: str, now: datetime | None = None,
) -> list[Referral]:
    """Work a group once: `lead` stays open (the unit works it), every other open report in the group closes as a
    duplicate of it, with a reason naming the file's hash and the lead. One transaction; returns those closed."""
    problems = []
    if lead.pk not in {r.pk for r in group.referrals}:
        problems.append(("lead", "is not a report in this group"))
    elif lead.status == Status.CLOSED:
        problems.append(("lead", f"{lead.reference} is closed: choose an open report to work"))
    if not reason.strip():
        problems.append(("reason", "say why these reports are one piece of work"))
    if problems:
        raise NcmecRefused(problems)
    closing = [r for r in group.open if r.pk != lead.pk]
    why = (f"Same file ({group.digest}){' annotated viral' if group.viral else ''} as {len(group.referrals)} "
           f"CyberTipline reports: worked once under {lead.reference}. {reason.strip()}")
    with transaction.atomic():
        for referral in closing:
            referral_transition(actor=actor, referral=referral, to_status=Status.CLOSED,
                                disposition=Disposition.DUPLICATE, reason=why, now=now)
        audit_record(actor=actor, action=AuditAction.VIRAL_GROUP_WORK, unit_id=group.unit_id, target=lead, now=now,
                     detail={"digest": group.digest, "viral": group.viral, "lead": lead.reference,
                             "closed": [r.reference for r in closing]})
    return closing
