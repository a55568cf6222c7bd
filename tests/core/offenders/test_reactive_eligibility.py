"""Reactive management: low risk, three clean years, no civil orders, no intelligence. Unknown is not Yes."""

from __future__ import annotations

from datetime import date

import pytest

from winnow.core.offenders import forensic_support_needed, reactive_eligibility

TODAY = date(2026, 6, 1)


def _eligibility(**overrides: object):  # type: ignore[no-untyped-def]
    facts: dict[str, object] = {"risk": "low", "clean_since": date(2023, 6, 1), "civil_orders": False,
                                "intelligence_dates": [], "today": TODAY}
    facts.update(overrides)
    return reactive_eligibility(**facts)  # type: ignore[arg-type]


def test_it_allows_a_low_risk_offender_with_three_clean_years() -> None:
    assert _eligibility().eligible


@pytest.mark.parametrize(("overrides", "blocker"), [
    ({"risk": "medium"}, "risk of serious harm is low (now Medium)"),
    ({"clean_since": date(2023, 6, 2)}, "three clean years"),
    ({"clean_since": None}, "no clean-since date recorded"),
    ({"civil_orders": True}, "a civil order is in force"),
    ({"intelligence_dates": [date(2025, 1, 1)]}, "1 intelligence link"),
])
def test_it_names_what_blocks_reactive_management(overrides: dict[str, object], blocker: str) -> None:
    eligibility = _eligibility(**overrides)
    assert not eligibility.eligible
    assert len(eligibility.blockers) == 1 and blocker in eligibility.blockers[0]


def test_it_ignores_intelligence_older_than_three_years() -> None:
    assert _eligibility(intelligence_dates=[date(2023, 5, 31)]).eligible


def test_it_flags_forensic_support_for_any_digital_indicator() -> None:
    assert forensic_support_needed([]) == ()
    assert forensic_support_needed(["encryption", "wiping_tools"]) == (
        "Uses encryption", "Uses wiping or anti-forensic tools")
    with pytest.raises(ValueError, match="encrpytion"):
        forensic_support_needed(["encrpytion"])
