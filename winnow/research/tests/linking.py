"""Merging two fictional subjects into one person, as a supervisor accepting a linkage proposal does."""

from __future__ import annotations

from typing import Any

from winnow.linkage.models import LinkageRun, LinkProposal
from winnow.linkage.services import proposal_decide


def link(actor: Any, first: Any, second: Any) -> Any:
    unit = first.referral.unit
    run = LinkageRun.objects.create(unit=unit, seconds=0.1, subjects=2, pairs_scored=1, proposals_created=1,
                                    threshold=0.9, by=actor)
    left, right = sorted((first, second), key=lambda s: s.pk)
    proposal = LinkProposal.objects.create(unit=unit, run=run, left_subject=left, right_subject=right,
                                           match_probability=0.97, match_weight=8.1, fields=[])
    proposal_decide(proposal=proposal, accept=True, actor=actor, reason="Fictional: same email and birth date.")
    return proposal.merge.person
