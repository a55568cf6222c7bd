"""`{% referral_assessments referral as rows %}`: the assessments shown on a referral's page (its own include).

The referral view has already checked visibility and audited the read of the referral; this only gathers, per
subject, the current version of each assessment with its latest decision, and the current youth pathway decision.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import Assessment, YouthPathwayDecision
from ..services import is_under_18

register = template.Library()


@register.simple_tag
def referral_assessments(referral: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    latest = (Assessment.objects.filter(referral=referral).latest_versions()
              .select_related("created_by").prefetch_related("decisions__supervisor").order_by("subject_id", "id"))
    youth = {d.subject_id: d for d in YouthPathwayDecision.objects.filter(referral=referral, superseded_by__isnull=True)}
    by_subject: dict[int, list[Assessment]] = {}
    for assessment in latest:
        by_subject.setdefault(assessment.subject_id, []).append(assessment)
    rows = []
    for subject in referral.subjects.all():
        assessments = by_subject.get(subject.pk, [])
        rows.append({
            "subject": subject,
            "under_18": is_under_18(subject, today=today),
            "assessments": [(a, max(a.decisions.all(), key=lambda d: (d.created_at, d.pk), default=None))
                            for a in assessments],
            "youth": youth.get(subject.pk),
        })
    return rows
