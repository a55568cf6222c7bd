"""`{% recent_uploads "KIND" %}`: on an upload page, the signed-in person's own latest uploads of that kind and
how each import went, so someone who left a job's page can find it again."""

from __future__ import annotations

from typing import Any

from django import template

from winnow.worker.models import Job

register = template.Library()

SHOWN = 10


@register.inclusion_tag("worker/_recent_uploads.html", takes_context=True)
def recent_uploads(context: dict[str, Any], kind: str) -> dict[str, Any]:
    user = context["request"].user
    Job.Kind(kind)  # a template naming a kind that does not exist is a programming error, not an empty list
    jobs = list(Job.objects.visible_to(user).filter(created_by=user, kind=kind).order_by("-created_at")[:SHOWN])
    return {"jobs": jobs}
