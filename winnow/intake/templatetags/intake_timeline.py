"""{% referral_timeline referral %}: the one timeline on the referral page (winnow.intake.timeline)."""

from __future__ import annotations

from typing import Any

from django import template

from winnow.intake.timeline import referral_timeline as build

register = template.Library()


@register.inclusion_tag("intake/_timeline.html")
def referral_timeline(referral: Any) -> dict[str, Any]:
    return {"events": build(referral)}
