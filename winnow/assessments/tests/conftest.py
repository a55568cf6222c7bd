"""Fixtures for assessment tests, on top of the shared personas (handler, supervisor, outsider, ...)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

# A fictional subject with access to children and evidence of grooming: phased rule 2a gives Very High.
GROOMING_WITH_ACCESS = {"lives_with_children": "yes", "grooming": "yes", "prior_contact_offence": "no"}


@pytest.fixture
def subject(referral: Any) -> Any:
    return referral.subjects.get(given_names="Testy")


@pytest.fixture
def child(referral: Any, handler: Any) -> Any:
    """A fictional 15-year-old on the same referral."""
    from winnow.referrals.models import Subject

    today = date.today()
    return Subject.objects.create(
        referral=referral, unit=referral.unit, role="reported", given_names="Junior", family_name="Fictitious",
        date_of_birth=date(today.year - 15, 1, 1), sex="female", created_by=handler,
    )


@pytest.fixture
def assessed(subject: Any, handler: Any) -> Any:
    from winnow.assessments.services import assessment_record

    return assessment_record(
        actor=handler, subject=subject, instrument_id="phased-prioritisation", answers=GROOMING_WITH_ACCESS,
        evidence={"grooming": "Chat logs in the CyberTipline package, fictional."},
    )


OVERRIDE_WHY = "Intelligence received after the assessment shows the access to children ended last month."
