"""An offender manager in Northmoor and one in Eastvale, and a Northmoor managed offender registered through the
service from the shared `referral` fixture's subject (fictional: Testy McFictional)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def offender_manager(make_person: Any) -> Any:
    return make_person("olly.manager", "north", "offender_manager")


@pytest.fixture
def outsider_manager(make_person: Any) -> Any:
    return make_person("eve.eastmanager", "east", "offender_manager")


def plan_data(manager: Any, **overrides: Any) -> dict[str, Any]:
    plan = {"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": manager, "visit_every": 3,
            "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
            "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
            "clean_since": None, "reason": "Fictional test plan."}
    plan.update(overrides)
    return plan


@pytest.fixture
def make_offender(offender_manager: Any) -> Any:
    from winnow.offenders.services import offender_register

    def make(subject: Any, *, created_days_ago: int = 0, **plan: Any) -> Any:
        return offender_register(
            actor=offender_manager, subject=subject, convicted_on=date(2024, 5, 1), disposal="custody",
            custody_months=12, under_18=False, plan=plan_data(offender_manager, **plan),
            now=timezone.now() - timedelta(days=created_days_ago),
        )

    return make


@pytest.fixture
def managed(referral: Any, make_offender: Any) -> Any:
    return make_offender(referral.subjects.get(), digital_indicators=["encryption", "cloud_storage"])


def register_form(source: Any, manager: Any, /, **overrides: Any) -> dict[str, Any]:
    """What the registration page posts."""
    data = {"referral": source.reference, "subject_number": 1, "convicted_on": "2025-03-16", "disposal": "custody",
            "custody_months": 12, "risk": "high", "mappa_category": 1, "mappa_level": 2, "manager": manager.pk,
            "visit_unit": "months", "in_person_unit": "months", "review_every": 12, "review_unit": "months",
            "digital_indicators": ["encryption"], "conditions": "SHPO: declare every device.",
            "reason": "Fictional plan after release."}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
