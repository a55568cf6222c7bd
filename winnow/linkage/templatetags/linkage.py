"""`{% referral_links referral %}`: the deconfliction panel on a referral's page (links and why, people, files)."""

from __future__ import annotations

from typing import Any

from django import template

from winnow.linkage import services
from winnow.linkage.models import IdentifierLink, KnownElsewhere, LinkProposal, Person, ReferralDocument

register = template.Library()

# The panel names each side of a proposal and its referral: the proposal's own columns, not two whole subjects and
# two whole referrals (building that join's SQL cost more than running it).
_PROPOSAL_FIELDS = tuple(f.attname for f in LinkProposal._meta.concrete_fields)


@register.inclusion_tag("linkage/_links_panel.html", takes_context=True)
def referral_links(context: dict[str, Any], referral: Any) -> dict[str, Any]:
    user = context["request"].user
    links = (
        IdentifierLink.objects.visible_to(user).touching(referral)
        .select_related("referral", "linked_referral", "subject", "linked_subject")
        .only("referral_id", "linked_referral_id", "subject_id", "linked_subject_id", "reason",
              *(f"{side}__{f}" for side in ("referral", "linked_referral") for f in ("reference", "status")),
              *(f"{side}__{f}" for side in ("subject", "linked_subject") for f in ("given_names", "family_name")))
    )
    grouped: dict[tuple[int, int, int], dict[str, Any]] = {}
    for link in links:  # one row per (other referral, person here, person there), every reason listed
        outgoing = link.referral_id == referral.pk
        other = link.linked_referral if outgoing else link.referral
        here = link.subject if outgoing else link.linked_subject
        there = link.linked_subject if outgoing else link.subject
        row = grouped.setdefault((other.pk, here.pk, there.pk),
                                 {"other": other, "here": here, "there": there, "reasons": []})
        if link.reason not in row["reasons"]:
            row["reasons"].append(link.reason)
    rows = list(grouped.values())
    elsewhere = KnownElsewhere.objects.visible_to(user).filter(referral=referral).select_related("other_unit", "identifier")
    subject_ids = [s.pk for s in referral.subjects.all()]  # the page's prefetched subjects when it has them
    proposals = (
        LinkProposal.objects.visible_to(user).touching_subjects(subject_ids)
        .select_related("left_subject__referral", "right_subject__referral", "decision")
        .only(*_PROPOSAL_FIELDS, "decision__id",
              *(f"{side}_subject__{f}" for side in ("left", "right")
                for f in ("given_names", "family_name", "referral__reference")))
    )
    persons = services.current_person_ids(subject_ids)
    people = {p.pk: p for p in Person.objects.visible_to(user).filter(pk__in=set(persons.values()))}
    cybertipline = getattr(referral, "cybertipline", None)
    return {
        "referral": referral,
        "links": rows,
        "elsewhere": elsewhere,
        "proposals": proposals,
        "memberships": [(s, people.get(persons[s.pk])) for s in referral.subjects.all() if s.pk in persons],
        "cybertipline": cybertipline,
        "files": referral.reported_files.all() if cybertipline else [],
        "documents": ReferralDocument.objects.filter(referral=referral).select_related("package").defer("package__content"),
    }


@register.filter
def yes_no_unknown(value: Any) -> str:
    return "Unknown" if value is None else ("Yes" if value else "No")
