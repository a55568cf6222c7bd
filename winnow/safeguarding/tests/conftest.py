from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def make_referral(handler: Any, units: Any) -> Any:
    """Record a fictional referral through the real intake service (so its triggers run)."""
    from winnow.accounts.models import Unit
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    counter = iter(range(1, 10_000))

    def make(*, unit: str = "north", danger: bool = False, actor: Any = None) -> Any:
        n = next(counter)
        now = timezone.now()
        mapping = {
            "source": "nca_ceop", "source_reference": f"NCA-SG-{unit}-{n}", "summary": f"Fictional referral {n}.",
            "received_at": now.isoformat(), "immediate_danger": danger,
            "subjects": [{"role": "reported", "given_names": "Fictional", "family_name": f"Suspect{n}"}],
        }
        return referral_record(actor=actor or handler, unit=Unit.objects.get(code=unit),
                               draft=referral_from_mapping(mapping, now=now), raw=canonical_json(mapping),
                               media_type="application/json", via="api")

    return make


@pytest.fixture
def facts(investigator: Any) -> Any:
    def make(**changes: Any) -> dict[str, Any]:
        return {"made_at": timezone.now(), "local_authority": "Northmoor Borough Council (fictional)",
                "recipient": "MASH duty desk", "made_by": investigator, **changes}

    return make
