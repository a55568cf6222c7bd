"""A Northmoor managed offender (from the shared `referral` fixture's subject, fictional Testy McFictional), its
manager, and Eastvale people; helpers to record referrals through the intake service."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record


def mapping(reference: str, email: str, *, given: str = "Alfie", family: str = "Fictitious",
            summary: str = "Fictional Eastvale summary: an upload from a home address.") -> dict[str, Any]:
    return {
        "source": "nca_ceop", "source_reference": reference, "received_at": "2026-11-10T09:00:00+00:00",
        "summary": summary, "immediate_danger": False,
        "subjects": [{"role": "reported", "given_names": given, "family_name": family,
                      "date_of_birth": "1980-04-01",
                      "identifiers": [{"kind": "email", "value": email}, {"kind": "phone", "value": "07700 900777"}]}],
    }


def record(actor: Any, unit: Any, data: dict[str, Any], now: Any = None) -> Any:
    return referral_record(actor=actor, unit=unit, draft=referral_from_mapping(data, now=now or timezone.now()),
                           raw=canonical_json(data), media_type="application/json", via="api")


@pytest.fixture
def offender_manager(make_person: Any) -> Any:
    return make_person("olly.manager", "north", "offender_manager")


@pytest.fixture
def east_handler(make_person: Any) -> Any:
    return make_person("edna.easthandler", "east", "handler")


@pytest.fixture
def east_analyst(make_person: Any) -> Any:
    return make_person("erin.eastanalyst", "east", "analyst")


@pytest.fixture
def managed(referral: Any, offender_manager: Any) -> Any:
    from winnow.offenders.services import offender_register

    plan = {"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": offender_manager, "visit_every": 3,
            "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
            "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
            "clean_since": None, "reason": "Fictional test plan."}
    return offender_register(actor=offender_manager, subject=referral.subjects.get(), convicted_on=date(2024, 5, 1),
                             disposal="custody", custody_months=12, under_18=False, plan=plan)


@pytest.fixture
def linked(managed: Any, east_handler: Any, units: Any) -> Any:
    """An Eastvale referral sharing the Northmoor offender's email: a cross-unit link."""
    from winnow.partners.models import Deconfliction

    east = record(east_handler, units["east"], mapping("EAST-1", "testy.mcfictional@example.com"))
    return Deconfliction.objects.get(referral=east)
