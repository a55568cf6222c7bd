"""What follows a referral's intake, run by the task worker so that nobody is missed and no request waits for it.

`enqueue_referral_follow_up(referral_id)` is what intake calls (with `subject_ids` for a person added later);
`referral_follow_up` runs incremental person linkage for the referral's subjects (`people_link_new`) and then the
alerts that follow from it: a "same person?" proposal about a managed offender's person tells that offender's
manager (`offenders_notify_linked`, the same alert exact identifier links raise at intake, at most once per
offender and referral).

This module sits above referrals, linkage and offenders, so it may import all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django_tasks_db.backend import DatabaseBackend

from winnow.context import acting
from winnow.linkage.models import LinkProposal
from winnow.linkage.services import people_link_new
from winnow.offenders.services import offenders_notify_linked
from winnow.referrals.models import Referral, Subject
from winnow.worker.retry import GiveUp, retrying_task


@dataclass(frozen=True)
class ProposedLink:
    """A pending proposal seen from the new referral's side, in the shape `offenders_notify_linked` reads."""

    linked_subject_id: int
    reason: str


def _proposed_links(subject_ids: set[int], unit_id: int) -> list[ProposedLink]:
    found = []
    for p in LinkProposal.objects.filter(unit_id=unit_id).pending().touching_subjects(subject_ids):
        other = p.right_subject_id if p.left_subject_id in subject_ids else p.left_subject_id
        if other in subject_ids:
            continue
        strongest = sorted((f for f in p.fields if f["match_weight"]), key=lambda f: -abs(f["match_weight"]))[:3]
        why = ", ".join(f"{f['label']} {f['level'].lower()}" for f in strongest)
        found.append(ProposedLink(linked_subject_id=other, reason=(
            f"possibly the same person (person linkage, match probability {p.match_probability:.1%}: {why}); "
            f"confirm or reject at proposal {p.pk}")))
    return found


@retrying_task()
def referral_follow_up(*, referral_id: int, subject_ids: list[int] | None = None) -> dict[str, Any]:
    """Idempotent: a second run finds the pairs already proposed and the managers already told. `subject_ids`: link
    only these of the referral's people (a person added after intake); None, all of them (a new referral)."""
    try:
        referral = Referral.objects.select_related("unit").get(pk=referral_id)
    except ObjectDoesNotExist:
        raise GiveUp(f"referral {referral_id} does not exist") from None
    all_ids = set(Subject.objects.filter(referral=referral).values_list("pk", flat=True))
    new_ids = all_ids if subject_ids is None else all_ids & set(subject_ids)
    # The audit events this task writes carry one id that names it, as a request's do.
    with acting(request_id=f"follow-up-{referral.reference}", via="task"):
        run = people_link_new(unit=referral.unit, subject_ids=new_ids)
        with transaction.atomic():
            # Every pending proposal touching the referral, not only this run's: an earlier attempt may have
            # proposed and then failed before the alerts went out.
            lead = None if subject_ids is None else f"A person added to referral {referral.reference}"
            sent = offenders_notify_linked(referral=referral, links=_proposed_links(all_ids, referral.unit_id),
                                           actor=None, lead=lead)
    return {"referral": referral.reference, "run": run.pk, "proposals": run.proposals_created,
            "notifications": len(sent)}


def enqueue_referral_follow_up(referral_id: int, subject_ids: list[int] | None = None) -> None:
    """Call from intake for every new referral (and for every person added to one, naming them). With the database
    backend the task row is written in the caller's transaction, so it commits (and becomes visible to workers)
    exactly when the referral does: never a task for a rolled-back referral, never a committed referral without its
    task. Any other backend enqueues on commit."""
    kwargs: dict[str, Any] = {"referral_id": referral_id}
    if subject_ids is not None:
        kwargs["subject_ids"] = sorted(subject_ids)
    if isinstance(referral_follow_up.get_backend(), DatabaseBackend):
        referral_follow_up.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: referral_follow_up.enqueue(**kwargs), robust=True)
