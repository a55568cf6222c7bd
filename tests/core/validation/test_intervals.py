"""Wilson against statsmodels; exact Poisson; calibration against statsmodels' GLM; the stratified bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from winnow.core.validation.stats import (
    bootstrap_auc,
    calibration,
    delong,
    expected_over_observed,
    poisson_exact,
    wilson,
)


@given(n=st.integers(1, 5000), data=st.data())
def test_it_gives_statsmodels_wilson_interval(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    result = wilson(k, n)
    assert result.low == pytest.approx(low, abs=1e-12)
    assert result.high == pytest.approx(high, abs=1e-12)


def test_it_reproduces_the_kirat_v2_hit_rates_in_the_domain_notes() -> None:
    """domain.md §5a: sensitivity 166/170 (Wilson .941-.991), specificity 127/204 (.554-.686)."""
    sens, spec = wilson(166, 170), wilson(127, 204)
    assert (round(sens.value, 3), round(sens.low, 3), round(sens.high, 3)) == (0.976, 0.941, 0.991)
    assert (round(spec.value, 3), round(spec.low, 3), round(spec.high, 3)) == (0.623, 0.554, 0.686)


def test_it_says_there_is_no_proportion_of_nothing() -> None:
    assert wilson(0, 0).value is None


def test_its_poisson_interval_is_garwoods() -> None:
    # Garwood (1936) / the standard table: 0 -> (0, 3.689); 10 -> (4.795, 18.390)
    assert poisson_exact(0)[0] == 0 and poisson_exact(0)[1] == pytest.approx(3.6889, abs=1e-4)
    low, high = poisson_exact(10)
    assert (round(low, 3), round(high, 3)) == (4.795, 18.39)
    # the interval's defining property: P(X >= k | low) = P(X <= k | high) = 2.5%
    assert sps.poisson.sf(9, low) == pytest.approx(0.025)
    assert sps.poisson.cdf(10, high) == pytest.approx(0.025)


def test_e_over_o_uses_the_exact_interval_of_o() -> None:
    result = expected_over_observed(12.0, 10)
    assert result.value == pytest.approx(1.2)
    assert result.low == pytest.approx(12 / 18.390, abs=1e-3)
    assert result.high == pytest.approx(12 / 4.795, abs=1e-3)
    assert expected_over_observed(3.0, 0).value is None


def test_calibration_intercept_and_slope_equal_statsmodels_glm() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.02, 0.6, 2000)
    y = rng.random(2000) < np.clip(1.3 * p, 0, 1)
    lp = np.log(p / (1 - p))
    slope_fit = sm.GLM(y.astype(float), sm.add_constant(lp), family=sm.families.Binomial()).fit()
    intercept_fit = sm.GLM(y.astype(float), np.ones((2000, 1)), family=sm.families.Binomial(), offset=lp).fit()
    result = calibration(p, y)
    assert result.slope.value == pytest.approx(slope_fit.params[1], abs=1e-8)
    assert result.slope.low == pytest.approx(slope_fit.conf_int()[1][0], abs=1e-6)
    assert result.intercept.value == pytest.approx(intercept_fit.params[0], abs=1e-8)
    assert result.intercept.high == pytest.approx(intercept_fit.conf_int()[0][1], abs=1e-6)


def test_calibration_refuses_rates_outside_zero_and_one() -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        calibration([0.0, 0.5], [True, False])


def test_the_stratified_bootstrap_agrees_with_delong_on_a_large_sample() -> None:
    rng = np.random.default_rng(11)
    y = rng.random(3000) < 0.2
    s = rng.normal(size=3000) + y
    boot = bootstrap_auc(s, y, replicates=400, seed=1)
    exact = delong(s, y)
    assert boot.value == pytest.approx(exact.value)
    assert boot.low == pytest.approx(exact.low, abs=0.01)
    assert boot.high == pytest.approx(exact.high, abs=0.01)
    assert bootstrap_auc(s, y, replicates=50, seed=1) == bootstrap_auc(s, y, replicates=50, seed=1)
