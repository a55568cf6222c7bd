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


def test_the_weighted_kappa_bootstrap_interval_is_a_loop_over_resamples_with_scikit_learn() -> None:
    from winnow.core.agreement import weighted_kappa_estimate
    from winnow.core.agreement.stats import _case_weights

    rng = np.random.default_rng(11)
    a = rng.integers(0, 4, size=30)
    b = np.where(rng.random(30) < 0.6, a, rng.integers(0, 4, size=30))
    estimate = weighted_kappa_estimate(a, b, 4, replicates=300, seed=5)
    weights = _case_weights(30, 300, 5).astype(int)
    loop = []
    for row in weights:  # the same resamples, each as an explicit list of cases for scikit-learn
        index = np.repeat(np.arange(30), row)
        loop.append(cohen_kappa_score(a[index], b[index], weights="quadratic", labels=[0, 1, 2, 3]))
    low, high = np.percentile(loop, [2.5, 97.5])
    assert estimate.value == pytest.approx(cohen_kappa_score(a, b, weights="quadratic"), abs=1e-10)
    assert (estimate.low, estimate.high) == (pytest.approx(low, abs=1e-10), pytest.approx(high, abs=1e-10))


def test_the_mean_pairwise_weighted_kappa_interval_contains_it_and_narrows_with_more_cases() -> None:
    from winnow.core.agreement import mean_pairwise_weighted_kappa_estimate

    def panel(cases: int) -> np.ndarray:
        rng = np.random.default_rng(cases)
        truth = rng.integers(0, 4, size=(cases, 1))
        return np.where(rng.random((cases, 6)) < 0.7, truth, rng.integers(0, 4, size=(cases, 6)))

    small, pairs = mean_pairwise_weighted_kappa_estimate(panel(15), 4, replicates=400)
    large, _ = mean_pairwise_weighted_kappa_estimate(panel(240), 4, replicates=400)
    assert pairs == 15 and small.low < small.value < small.high and large.low < large.value < large.high
    assert large.high - large.low < (small.high - small.low) / 2


def test_the_mean_pairwise_interval_is_the_same_as_a_loop_over_resamples_pairs_and_scikit_learn() -> None:
    from winnow.core.agreement import mean_pairwise_weighted_kappa_estimate
    from winnow.core.agreement.stats import _case_weights, _percentile

    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, size=(20, 1))
    ranks = np.where(rng.random((20, 5)) < 0.7, truth, rng.integers(0, 4, size=(20, 5)))
    ranks[rng.random((20, 5)) < 0.2] = -1  # not every rater rated every case
    estimate, _ = mean_pairwise_weighted_kappa_estimate(ranks, 4, replicates=60, seed=9)
    means = []
    for row in _case_weights(20, 60, 9).astype(int):
        index = np.repeat(np.arange(20), row)
        values = []
        for i in range(5):
            for j in range(i + 1, 5):
                full = (ranks[:, i] >= 0) & (ranks[:, j] >= 0)
                if full.sum() < 2:
                    continue
                a, b = ranks[index, i], ranks[index, j]
                keep = (a >= 0) & (b >= 0)
                if keep.any() and len(set(a[keep]) | set(b[keep])) > 1:
                    values.append(cohen_kappa_score(a[keep], b[keep], weights="quadratic", labels=[0, 1, 2, 3]))
        means.append(np.mean(values) if values else np.nan)
    low, high = _percentile(np.array(means))
    assert (estimate.low, estimate.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
