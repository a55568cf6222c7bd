"""`{% referral_safeguarding referral as sg %}`: the safeguarding summary on a referral's page (its own include).

The referral view has already checked visibility and audited the read of the referral."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import Concern, SafeguardingReferral

register = template.Library()


@register.simple_tag
def referral_safeguarding(referral: Any) -> dict[str, Any]:
    now = timezone.now()
    concerns = (Concern.objects.filter(referral=referral).select_related("subject")
                .prefetch_related("coverage__safeguarding_referral__versions",
                                  "coverage__safeguarding_referral__original"))
    return {"rows": [(c, c.standing(now)) for c in concerns],
            "records": SafeguardingReferral.objects.filter(referral=referral, original__isnull=True).count()}
