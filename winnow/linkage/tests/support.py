"""Helpers for deconfliction tests: referrals recorded through the intake service."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record


def record(actor: Any, unit: Any, *, reference: str = "", subjects: list[dict[str, Any]],
           received_at: str = "2026-11-02T10:15:00+00:00") -> Any:
    mapping = {
        "source": "force_intelligence", "source_reference": reference, "received_at": received_at,
        "summary": "Fictional test referral.", "immediate_danger": False, "subjects": subjects,
    }
    draft = referral_from_mapping(mapping, now=timezone.now())
    return referral_record(actor=actor, unit=unit, draft=draft, raw=canonical_json(mapping),
                           media_type="application/json", via="form")
