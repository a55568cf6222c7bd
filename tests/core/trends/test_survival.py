"""Kaplan-Meier against Freireich's 6-MP leukaemia data (the textbook worked example) and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from winnow.core.trends import kaplan_meier

# 6-MP arm of Freireich et al. (1963), weeks of remission; False = censored. Klein & Moeschberger (2003) Table 4.1A
# gives S(t) and Greenwood's standard error at each event time.
SIX_MP = [(6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True), (10, False), (11, False),
          (13, True), (16, True), (17, False), (19, False), (20, False), (22, True), (23, True), (25, False),
          (32, False), (32, False), (34, False), (35, False)]
PUBLISHED = {6: (0.857, 0.076), 7: (0.807, 0.087), 10: (0.753, 0.096), 13: (0.690, 0.107), 16: (0.627, 0.114),
             22: (0.538, 0.128), 23: (0.448, 0.135)}


def test_it_matches_the_published_six_mp_estimates() -> None:
    km = kaplan_meier([d for d, _ in SIX_MP], [e for _, e in SIX_MP])
    by_time = {row.time: row for row in km.rows if row.events}
    assert set(by_time) == set(PUBLISHED)
    for time, (survival, se) in PUBLISHED.items():
        assert by_time[time].survival == pytest.approx(survival, abs=0.0005)
        assert by_time[time].se == pytest.approx(se, abs=0.0005)
    assert (km.n, km.events, km.censored) == (21, 9, 12)
    assert by_time[6].at_risk == 21 and by_time[23].at_risk == 6


def test_it_gives_the_log_log_interval_lifelines_reports() -> None:
    # lifelines 0.30.3, KaplanMeierFitter().fit(...).confidence_interval_ for the 6-MP arm (run once by hand;
    # lifelines is not a Winnow dependency).
    km = kaplan_meier([d for d, _ in SIX_MP], [e for _, e in SIX_MP])
    by_time = {row.time: row for row in km.rows}
    assert (by_time[6].low, by_time[6].high) == pytest.approx((0.619718, 0.951552), abs=1e-6)
    assert (by_time[7].low, by_time[7].high) == pytest.approx((0.563147, 0.922809), abs=1e-6)
    assert (by_time[23].low, by_time[23].high) == pytest.approx((0.188052, 0.680143), abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_it_agrees_with_statsmodels_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    durations = rng.integers(1, 60, n).astype(float)  # ties on purpose
    events = rng.random(n) < 0.4
    ours = kaplan_meier(list(durations), list(events))
    ref = SurvfuncRight(durations, events.astype(int))
    rows = {row.time: row for row in ours.rows if row.events}
    assert sorted(rows) == list(ref.surv_times)
    for t, s, se, at_risk in zip(ref.surv_times, ref.surv_prob, ref.surv_prob_se, ref.n_risk, strict=True):
        assert rows[t].survival == pytest.approx(s, rel=1e-10)
        if s > 0:  # statsmodels gives nan for the standard error once the curve reaches 0
            assert rows[t].se == pytest.approx(se, rel=1e-8)
        assert rows[t].at_risk == at_risk


def test_grouped_counts_give_the_same_curve_as_one_row_each() -> None:
    rng = np.random.default_rng(7)
    durations = list(rng.integers(0, 30, 300).astype(float))
    events = list(rng.random(300) < 0.5)
    single = kaplan_meier(durations, events)
    groups: dict[tuple[float, bool], int] = {}
    for d, e in zip(durations, events, strict=True):
        groups[(d, e)] = groups.get((d, e), 0) + 1
    grouped = kaplan_meier([d for d, _ in groups], [e for _, e in groups], list(groups.values()))
    assert grouped == single


def test_it_refuses_mismatched_or_negative_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier([-1.0], [True])
