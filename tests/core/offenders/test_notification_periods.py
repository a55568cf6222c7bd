"""Notification periods from the sentence (domain.md section 5), halved for under-18s."""

from __future__ import annotations

from datetime import date

import pytest

from winnow.core.offenders import Disposal, add_months_to_date, notification_period

CONVICTED = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("disposal", "custody", "discharge", "under_18", "ends"),
    [
        ("custody", 29, None, False, date(2036, 3, 16)),  # over 6, under 30 months: 10 years
        ("custody", 7, None, False, date(2036, 3, 16)),
        ("custody", 6, None, False, date(2033, 3, 16)),  # 6 months or less: 7 years
        ("custody", 1, None, False, date(2033, 3, 16)),
        ("caution", None, None, False, date(2028, 3, 16)),
        ("conditional_discharge", None, 18, False, date(2027, 9, 16)),
        ("other", None, None, False, date(2031, 3, 16)),
        ("custody", 29, None, True, date(2031, 3, 16)),  # halved: 5 years
        ("custody", 6, None, True, date(2029, 9, 16)),  # halved: 3 years 6 months
        ("caution", None, None, True, date(2027, 3, 16)),
        ("other", None, None, True, date(2028, 9, 16)),
    ],
)
def test_it_computes_finite_periods(disposal: str, custody: int | None, discharge: int | None, under_18: bool,
                                    ends: date) -> None:
    period = notification_period(disposal=disposal, starts_on=CONVICTED, under_18=under_18,
                                 custody_months=custody, discharge_months=discharge)
    assert not period.indefinite
    assert period.ends_on == ends
    assert ("halved by s.82(2)" in period.reason) is under_18


@pytest.mark.parametrize(("under_18", "review"), [(False, date(2041, 3, 16)), (True, date(2034, 3, 16))])
def test_it_makes_30_months_or_more_indefinite_with_a_review(under_18: bool, review: date) -> None:
    period = notification_period(disposal=Disposal.CUSTODY, starts_on=CONVICTED, under_18=under_18, custody_months=30)
    assert period.indefinite and period.ends_on is None
    assert period.review_from == review


@pytest.mark.parametrize("months", [1, 9, 12, 36])
def test_a_conditional_discharge_is_not_halved_for_an_under_18(months: int) -> None:
    """s.82(2) halves "any reference to a period of 10 years, 7 years, 5 years or 2 years"; the period of a
    conditional discharge is none of them, so it stands for a person under 18 as for an adult."""
    young = notification_period(disposal="conditional_discharge", starts_on=CONVICTED, under_18=True,
                                discharge_months=months)
    adult = notification_period(disposal="conditional_discharge", starts_on=CONVICTED, under_18=False,
                                discharge_months=months)
    assert young.ends_on == adult.ends_on == add_months_to_date(CONVICTED, months)
    assert "not halved" in young.reason and "halved" not in adult.reason


def test_it_keeps_a_leap_day_conviction_in_february() -> None:
    assert add_months_to_date(date(2028, 2, 29), 12 * 7) == date(2035, 2, 28)
    assert add_months_to_date(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"disposal": "custody"}, "custody_months"),
    ({"disposal": "custody", "custody_months": 0}, "custody_months"),
    ({"disposal": "conditional_discharge"}, "discharge_months"),
])
def test_it_names_the_missing_part_of_the_sentence(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        notification_period(starts_on=CONVICTED, under_18=False, **kwargs)  # type: ignore[arg-type]


def test_it_refuses_an_unknown_disposal() -> None:
    with pytest.raises(ValueError):
        notification_period(disposal="fine", starts_on=CONVICTED, under_18=False)
