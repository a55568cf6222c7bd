"""Deconfliction in the JSON API (/api/v1/linkage/...): a referral's links with their reasons.
Errors use the API's one shape (handlers in winnow.api.api)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from winnow.audit.reads import get_for_read
from winnow.errors import ErrorOut
from winnow.referrals.models import Referral

from .models import IdentifierLink, KnownElsewhere, LinkProposal

router = Router(tags=["deconfliction"])


class LinkOut(Schema):
    referral: str
    linked_referral: str
    subject_id: int
    linked_subject_id: int
    kind: str
    why: str


class ProposalOut(Schema):
    id: int
    left_subject_id: int
    right_subject_id: int
    match_probability: float
    match_weight: float
    fields: list[dict[str, Any]]
    decision: str | None


class ReferralLinksOut(Schema):
    reference: str
    links: list[LinkOut]
    also_known_to: list[str]
    proposals: list[ProposalOut]


@router.get("/referrals/{referral_id}/links", response={200: ReferralLinksOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="A referral's links: shared identifiers (with why), other units, person-linkage proposals")
def referral_links(request: HttpRequest, referral_id: int) -> Any:
    referral = get_for_read(request, Referral, detail={"via": "api", "what": "links"}, pk=referral_id)
    links = IdentifierLink.objects.visible_to(request.user).touching(referral).select_related("referral", "linked_referral")
    subject_ids = list(referral.subjects.values_list("pk", flat=True))
    proposals = LinkProposal.objects.visible_to(request.user).touching_subjects(subject_ids).select_related("decision")
    return {
        "reference": referral.reference,
        "links": [
            {"referral": link.referral.reference, "linked_referral": link.linked_referral.reference,
             "subject_id": link.subject_id, "linked_subject_id": link.linked_subject_id, "kind": link.kind,
             "why": link.reason}
            for link in links
        ],
        "also_known_to": sorted({
            hit.other_unit.name
            for hit in KnownElsewhere.objects.visible_to(request.user).filter(referral=referral).select_related("other_unit")
        }),
        "proposals": [
            {"id": p.pk, "left_subject_id": p.left_subject_id, "right_subject_id": p.right_subject_id,
             "match_probability": p.match_probability, "match_weight": p.match_weight, "fields": p.fields,
             "decision": p.decision.outcome if p.decided else None}
            for p in proposals
        ],
    }
