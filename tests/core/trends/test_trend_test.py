"""The linear-by-linear trend test against Agresti's worked example and against scipy on random tables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from winnow.core.trends import trend_test


def test_it_reproduces_agrestis_alcohol_and_malformation_example() -> None:
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.7 and section 2.5.3:
    # scores 0, 0.5, 1.5, 4, 7; M^2 = 6.57, P = 0.010.
    absent = [17066, 14464, 788, 126, 37]
    present = [48, 38, 5, 1, 1]
    result = trend_test([0, 0.5, 1.5, 4.0, 7.0], present, [a + p for a, p in zip(absent, present, strict=True)])
    assert result is not None
    assert result.statistic == pytest.approx(6.57, abs=0.005)
    assert result.p == pytest.approx(0.0104, abs=0.0005)
    assert result.n == 32574


@pytest.mark.parametrize("seed", range(6))
def test_it_is_n_minus_one_times_pearsons_r_squared(seed: int) -> None:
    rng = np.random.default_rng(seed)
    totals = list(rng.integers(5, 200, 8))
    successes = [int(rng.integers(0, t + 1)) for t in totals]
    result = trend_test(list(range(8)), successes, totals)
    x = np.concatenate([[i] * t for i, t in enumerate(totals)])
    y = np.concatenate([[1] * s + [0] * (t - s) for s, t in zip(successes, totals, strict=True)])
    r = sps.pearsonr(x, y).statistic
    assert result is not None
    assert result.statistic == pytest.approx((len(x) - 1) * r * r, rel=1e-9)
    assert result.p == pytest.approx(sps.chi2.sf((len(x) - 1) * r * r, 1), rel=1e-9)


def test_it_declines_when_there_is_nothing_to_test() -> None:
    assert trend_test([0, 1], [0, 0], [10, 10]) is None  # no variation in the share
    assert trend_test([0, 1], [3, 0], [10, 0]) is None  # one group with cases
    with pytest.raises(ValueError, match="same length"):
        trend_test([0, 1], [1], [2, 2])
