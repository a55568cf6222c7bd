from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def make_referral(handler: Any, units: Any) -> Any:
    """Record a fictional referral through the real service; optionally decide a band `decided_days_ago`."""
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record
    from winnow.referrals.services import referral_apply_band

    counter = iter(range(1, 10_000))

    def make(*, unit: str = "north", days_ago: float = 1, danger: bool = False, band: str | None = None,
             decided_days_ago: float | None = None) -> Any:
        n = next(counter)
        now = timezone.now()
        mapping = {
            "source": "nca_ceop", "source_reference": f"NCA-W-{unit}-{n}", "summary": f"Fictional referral {n}.",
            "received_at": (now - timedelta(days=days_ago)).isoformat(), "immediate_danger": danger, "subjects": [],
        }
        from winnow.accounts.models import Unit

        referral = referral_record(actor=handler, unit=Unit.objects.get(code=unit),
                                   draft=referral_from_mapping(mapping, now=now), raw=canonical_json(mapping),
                                   media_type="application/json", via="api")
        if band:
            ago = decided_days_ago if decided_days_ago is not None else days_ago
            referral_apply_band(actor=handler, referral=referral, band=band, decided_at=now - timedelta(days=ago), why="test")
        return referral

    return make
