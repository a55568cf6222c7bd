"""Time to re-referral: a later referral of a person linkage has merged is an event, the rest are censored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from winnow.core.trends import kaplan_meier
from winnow.research.gather import km_intervals, rereferral
from winnow.research.services import case_facts_record

from .factories import fictional_referral
from .linking import link


def test_it_counts_the_days_to_the_next_linked_referral_and_censors_the_rest(units: Any, supervisor: Any) -> None:
    north = units["north"]
    first = fictional_referral(north, supervisor, 1, "2021-01-10T12:00:00+00:00")
    again = fictional_referral(north, supervisor, 2, "2021-04-20T12:00:00+00:00")  # 100 days later
    alone = fictional_referral(north, supervisor, 3, "2022-01-01T12:00:00+00:00")
    fictional_referral(north, supervisor, 4, "2022-02-01T12:00:00+00:00")  # no case facts: not followed
    for referral in (first, again, alone):
        case_facts_record(actor=supervisor, subject=referral.subjects.get(), facts={"sex": ["male"]})
    link(supervisor, first.subjects.get(), again.subjects.get())
    today = date(2023, 1, 1)
    result = rereferral(north.pk, today=today)
    # The event is exact; censored follow-up runs from the middle of the quarter received (15 May 2021 for the
    # second referral, 15 February 2022 for the third).
    expected = kaplan_meier([100.0, (today - date(2021, 5, 15)).days, (today - date(2022, 2, 15)).days],
                            [True, False, False])
    assert result.km == expected
    assert (result.referrals, result.linked, result.km.events) == (3, 2, 1)
    assert result.km.survival_at(100) == pytest.approx(2 / 3)
    intervals = km_intervals(result.km)
    assert intervals[1]["events"] == 1 and intervals[0]["at_risk"] == 3
