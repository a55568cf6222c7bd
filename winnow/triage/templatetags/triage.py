"""`{% referral_exhibits referral %}`: the exhibits panel on a referral's page (labels and counts only)."""

from __future__ import annotations

from typing import Any

from django import template

from winnow.permissions import Capability, can
from winnow.triage.models import Exhibit

register = template.Library()


@register.inclusion_tag("triage/_exhibits_panel.html", takes_context=True)
def referral_exhibits(context: dict[str, Any], referral: Any) -> dict[str, Any]:
    user = context["request"].user
    exhibits = Exhibit.objects.visible_to(user).filter(referral=referral).prefetch_related("summaries")
    rows = []
    for exhibit in exhibits:
        summary = max(exhibit.summaries.all(), key=lambda s: (s.computed_at, s.pk), default=None)
        rows.append({"exhibit": exhibit, "totals": summary.data.get("totals", {}) if summary else None})
    return {"referral": referral, "rows": rows, "can_work": can(user, Capability.WORK_EXHIBITS, referral.unit_id)}
