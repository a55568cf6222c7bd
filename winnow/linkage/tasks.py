"""Linkage work for the task worker (`winnow worker`)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from winnow.accounts.models import Unit
from winnow.worker.retry import GiveUp, retrying_task

from .services import people_link_new


@retrying_task()
def link_new_subjects(*, unit_id: int, subject_ids: list[int]) -> dict[str, int]:
    """Incremental person linkage for subjects just recorded (idempotent: a second run proposes nothing new)."""
    try:
        unit = Unit.objects.get(pk=unit_id)
    except ObjectDoesNotExist:
        raise GiveUp(f"unit {unit_id} does not exist") from None
    run = people_link_new(unit=unit, subject_ids=subject_ids)
    return {"run": run.pk, "proposals": run.proposals_created}
