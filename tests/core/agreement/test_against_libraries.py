"""On random data the agreement statistics match well-kept libraries: statsmodels (Fleiss' kappa, two-way ANOVA
for the ICC's mean squares), `krippendorff` (alpha, nominal and ordinal) and scikit-learn (weighted kappa)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from winnow.core.agreement import fleiss_kappa, icc, krippendorff_alpha, weighted_kappa

SEEDS = range(12)


def _reliability(rng: np.random.Generator, raters: int, cases: int, k: int, missing: float) -> np.ndarray:
    truth = rng.integers(0, k, size=cases)
    noisy = np.where(rng.random((raters, cases)) < 0.6, truth, rng.integers(0, k, size=(raters, cases)))
    data = noisy.astype(float)
    data[rng.random((raters, cases)) < missing] = np.nan
    return data


def _counts(data: np.ndarray, k: int) -> np.ndarray:
    rows = []
    for unit in data.T:
        values = unit[~np.isnan(unit)].astype(int)
        if values.size >= 2:
            rows.append(np.bincount(values, minlength=k))
    return np.array(rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_it_matches_statsmodels_fleiss_kappa(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    counts = _counts(_reliability(rng, int(rng.integers(2, 15)), int(rng.integers(5, 60)), k, 0.0), k)
    assert fleiss_kappa(counts) == pytest.approx(sm_fleiss_kappa(counts, method="fleiss"), abs=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_it_matches_the_krippendorff_package_with_missing_ratings(seed: int, level: str) -> None:
    rng = np.random.default_rng(100 + seed)
    k = int(rng.integers(2, 6))
    data = _reliability(rng, int(rng.integers(2, 12)), int(rng.integers(5, 50)), k, 0.25)
    counts = _counts(data, k)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                  value_domain=list(range(k)))
    assert krippendorff_alpha(counts, level) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_it_matches_scikit_learn_quadratic_weighted_kappa(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    a = rng.integers(0, 4, size=40)
    b = np.where(rng.random(40) < 0.5, a, rng.integers(0, 4, size=40))
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2, 3])
    assert weighted_kappa(a, b, 4) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_it_matches_the_mean_squares_of_a_statsmodels_two_way_anova(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    n, k = int(rng.integers(4, 30)), int(rng.integers(2, 8))
    y = rng.normal(size=(n, 1)) * 2 + rng.normal(size=(1, k)) + rng.normal(size=(n, k))
    frame = pd.DataFrame([(i, j, y[i, j]) for i in range(n) for j in range(k)], columns=["target", "rater", "y"])
    table = anova_lm(smf.ols("y ~ C(target) + C(rater)", data=frame).fit())
    msr, msc, mse = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1], table["mean_sq"].iloc[2]
    expected = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    assert icc(y).icc2_1.value == pytest.approx(expected, abs=1e-10)
    assert icc(y).icc3_1.value == pytest.approx((msr - mse) / (msr + (k - 1) * mse), abs=1e-10)


def test_the_icc2_1_interval_covers_the_true_value_about_95_percent_of_the_time() -> None:
    # Two-way random model with target variance 4, rater variance 1, error variance 1: ICC(2,1) = 4 / 6.
    rng = np.random.default_rng(7)
    true_icc, n, k, reps = 4 / 6, 20, 4, 400
    covered = 0
    for _ in range(reps):
        y = rng.normal(0, 2, size=(n, 1)) + rng.normal(0, 1, size=(1, k)) + rng.normal(0, 1, size=(n, k))
        estimate = icc(y).icc2_1
        covered += estimate.low <= true_icc <= estimate.high
    assert 0.91 <= covered / reps <= 0.99
