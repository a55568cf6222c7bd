"""Agreement statistics for several raters of the same cases, each small enough to check by hand.

Categorical items start from a count matrix: one row per case, one column per category, each cell the number of
raters who chose that category for that case (cases with fewer than two ratings carry no agreement and are
dropped by the caller). From it:

- Fleiss' kappa (Fleiss 1971, Psychological Bulletin 76(5):378-382), in the form that allows a different number
  of raters per case (P_i = sum_j n_ij(n_ij - 1) / n_i(n_i - 1), chance from the pooled proportions); with the
  same number of raters on every case it is exactly Fleiss' statistic (statsmodels' `fleiss_kappa`).
- Percent agreement: the mean over cases of the share of agreeing rater pairs (Fleiss' P-bar). Shown beside
  kappa because a rare category depresses kappa while raters still agree almost always.
- Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"), from the coincidence
  matrix, nominal or ordinal (for bands: the ordinal distance uses the pooled marginals).
- A percentile bootstrap over cases for each of the three, vectorised: B resamples are B rows of multinomial
  case weights, so 1,000 replicates cost a few matrix products rather than 1,000 recomputations.

Scores use a complete cases x raters matrix and the two-way ANOVA mean squares of Shrout & Fleiss (1979,
Psychological Bulletin 86(2):420-428): ICC(1,1), ICC(2,1) (two-way random, absolute agreement, single rater) and
ICC(3,1), with the F-based intervals of McGraw & Wong (1996, Psychological Methods 1(1):30-46; ICC(2,1) is their
ICC(A,1), whose interval uses Satterthwaite's degrees of freedom).

Bands also get Cohen's kappa with quadratic weights between two raters (Cohen 1968), as scikit-learn's
`cohen_kappa_score(weights="quadratic")`, and its mean over rater pairs, each with a percentile bootstrap over
cases done the same vectorised way (resampled confusion counts are one matrix product per rater pair).

These are written in NumPy rather than called from statsmodels or `krippendorff` because the bootstrap needs the
statistic for a thousand weightings at once; the tests compare every one with those libraries on random data.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Level = Literal["nominal", "ordinal"]


@dataclass(frozen=True)
class Estimate:
    """A statistic with its 95% interval. `value` None: undefined on these data (say, every rating the same)."""

    value: float | None
    low: float | None = None
    high: float | None = None

    def as_list(self) -> list[float | None]:
        return [self.value, self.low, self.high]


# ---- Fleiss' kappa and percent agreement -------------------------------------------------------------------

def _fleiss_parts(counts: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Observed agreement P-bar and chance agreement P_e for each row of `weights` (resamples x cases)."""
    n_i = counts.sum(axis=1)
    p_i = ((counts * counts).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    total = weights.sum(axis=1)
    p_bar = weights @ p_i / total
    pooled = weights @ counts  # resamples x categories
    p_j = pooled / pooled.sum(axis=1, keepdims=True)
    p_e = (p_j * p_j).sum(axis=1)
    return p_bar, p_e


def _kappa_from(p_bar: FloatArray, p_e: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (p_bar - p_e) / (1.0 - p_e)
    kappa[np.isclose(p_e, 1.0)] = np.nan  # every rating in one category: kappa is undefined, not 0 or 1
    return kappa


def _check_counts(counts: npt.ArrayLike) -> FloatArray:
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError("counts must be a non-empty cases x categories matrix")
    if (array.sum(axis=1) < 2).any():
        raise ValueError("every case needs at least two ratings")
    return array


def fleiss_kappa(counts: npt.ArrayLike) -> float | None:
    array = _check_counts(counts)
    p_bar, p_e = _fleiss_parts(array, np.ones((1, array.shape[0])))
    value = float(_kappa_from(p_bar, p_e)[0])
    return None if math.isnan(value) else value


def percent_agreement(counts: npt.ArrayLike) -> float:
    array = _check_counts(counts)
    p_bar, _ = _fleiss_parts(array, np.ones((1, array.shape[0])))
    return float(p_bar[0])


# ---- Krippendorff's alpha ----------------------------------------------------------------------------------

def _unit_coincidences(counts: FloatArray) -> FloatArray:
    """Each case's contribution to the coincidence matrix, flattened: cases x (categories * categories)."""
    m_u = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    k = counts.shape[1]
    outer[:, np.arange(k), np.arange(k)] -= counts
    contributions: FloatArray = (outer / (m_u - 1)[:, None, None]).reshape(counts.shape[0], k * k)
    return contributions


def _alpha_from(coincidence: FloatArray, k: int, level: Level) -> FloatArray:
    """Alpha for each row of `coincidence` (resamples x k*k)."""
    o = coincidence.reshape(-1, k, k)
    n_c = o.sum(axis=2)  # resamples x k
    n = n_c.sum(axis=1)
    if level == "nominal":
        delta = np.broadcast_to(1.0 - np.eye(k), o.shape)
    else:
        # Ordinal distance between ranks c < k: (sum of n_g for g from c to k - (n_c + n_k) / 2) squared.
        cum = np.cumsum(n_c, axis=1)
        between = cum[:, None, :] - cum[:, :, None] + n_c[:, :, None]  # sum_{g=c..k} n_g for c <= k
        between = np.where(np.triu(np.ones((k, k), dtype=bool))[None], between, np.transpose(between, (0, 2, 1)))
        delta = (between - (n_c[:, :, None] + n_c[:, None, :]) / 2.0) ** 2
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha: FloatArray = 1.0 - (n - 1.0) * observed / expected
    alpha[expected == 0] = np.nan  # one value only: no variation to be reliable about
    return alpha


def krippendorff_alpha(counts: npt.ArrayLike, level: Level = "nominal") -> float | None:
    """Alpha from a cases x categories count matrix; for `ordinal` the columns are in rank order."""
    array = _check_counts(counts)
    value = float(_alpha_from(_unit_coincidences(array).sum(axis=0, keepdims=True), array.shape[1], level)[0])
    return None if math.isnan(value) else value


# ---- the bootstrap -----------------------------------------------------------------------------------------

def _percentile(values: FloatArray) -> tuple[float | None, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size < max(10, values.size // 2):  # too many undefined resamples to call it an interval
        return None, None
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


@dataclass(frozen=True)
class CategoricalAgreement:
    cases: int
    ratings: int
    fleiss_kappa: Estimate
    percent_agreement: Estimate
    krippendorff_alpha: Estimate  # nominal
    krippendorff_alpha_ordinal: Estimate | None  # only when the categories have an order


def categorical_agreement(counts: npt.ArrayLike, *, ordinal: bool = False, replicates: int = 1000,
                          seed: int = 0) -> CategoricalAgreement:
    """Kappa, percent agreement and alpha with percentile bootstrap intervals over cases (seeded: the same data
    give the same interval every time)."""
    array = _check_counts(counts)
    n_cases, k = array.shape
    rng = np.random.default_rng(seed)
    weights = np.vstack([np.ones(n_cases), rng.multinomial(n_cases, np.full(n_cases, 1.0 / n_cases),
                                                           size=replicates).astype(np.float64)])
    p_bar, p_e = _fleiss_parts(array, weights)
    kappas = _kappa_from(p_bar, p_e)
    contributions = _unit_coincidences(array)
    coincidence = weights @ contributions

    def estimate(values: FloatArray) -> Estimate:
        point = float(values[0])
        if math.isnan(point):
            return Estimate(None)
        return Estimate(point, *_percentile(values[1:]))

    return CategoricalAgreement(
        cases=n_cases,
        ratings=int(array.sum()),
        fleiss_kappa=estimate(kappas),
        percent_agreement=estimate(p_bar),
        krippendorff_alpha=estimate(_alpha_from(coincidence, k, "nominal")),
        krippendorff_alpha_ordinal=estimate(_alpha_from(coincidence, k, "ordinal")) if ordinal else None,
    )


# ---- intraclass correlation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class IccResult:
    targets: int
    raters: int
    icc1_1: Estimate
    icc2_1: Estimate
    icc3_1: Estimate


def _f(q: float, d1: float, d2: float) -> float:
    return float(sps.f.ppf(q, d1, d2))


def icc(matrix: npt.ArrayLike, *, confidence: float = 0.95) -> IccResult:
    """ICC(1,1), ICC(2,1) and ICC(3,1) from a complete targets x raters matrix (no missing cells)."""
    y = np.asarray(matrix, dtype=np.float64)
    if y.ndim != 2 or y.shape[0] < 2 or y.shape[1] < 2:
        raise ValueError("ICC needs at least two targets rated by the same two or more raters")
    if not np.isfinite(y).all():
        raise ValueError("ICC needs a complete matrix of finite scores")
    n, k = y.shape
    # Every ICC is unchanged by rescaling the scores, and rescaling to at most 1 in size keeps the sums of squares
    # finite for any finite input (scores near 1e300 would otherwise overflow to inf and give NaN).
    largest = float(np.abs(y).max())
    if largest > 0:
        y = y / largest
    grand = y.mean()
    ss_rows = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((y - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_error) / (n * (k - 1))
    q = 1 - (1 - confidence) / 2

    def one_way_like(ms_den: float, df_den: float) -> Estimate:
        denominator = msr + (k - 1) * ms_den
        if denominator == 0:
            return Estimate(None)
        value = (msr - ms_den) / denominator
        if ms_den == 0:
            return Estimate(float(value))
        f_obs = msr / ms_den
        f_low = f_obs / _f(q, n - 1, df_den)
        f_high = f_obs * _f(q, df_den, n - 1)
        return Estimate(float(value), float((f_low - 1) / (f_low + k - 1)), float((f_high - 1) / (f_high + k - 1)))

    return IccResult(n, k, one_way_like(msw, n * (k - 1)), _icc2_1(msr, msc, mse, n, k, q),
                     one_way_like(mse, (n - 1) * (k - 1)))


def _icc2_1(msr: float, msc: float, mse: float, n: int, k: int, q: float) -> Estimate:
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if denominator == 0:
        return Estimate(None)
    value = (msr - mse) / denominator
    if mse == 0 or value >= 1:
        return Estimate(float(value))
    # McGraw & Wong (1996) ICC(A,1): Satterthwaite degrees of freedom for the denominator mean square.
    a = k * value / (n * (1 - value))
    b = 1 + k * value * (n - 1) / (n * (1 - value))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_upper = _f(q, n - 1, v)
    f_lower = _f(q, v, n - 1)
    low = n * (msr - f_upper * mse) / (f_upper * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_lower * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_lower * msr)
    return Estimate(float(value), float(low), float(high))


# ---- weighted kappa for ordered bands ----------------------------------------------------------------------

def weighted_kappa(first: npt.ArrayLike, second: npt.ArrayLike, n_categories: int) -> float | None:
    """Cohen's kappa with quadratic weights between two raters' ranks (0 .. n_categories - 1) on the same cases."""
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("weighted kappa needs two equal, non-empty sequences of ranks")
    observed = np.zeros((n_categories, n_categories))
    np.add.at(observed, (a, b), 1.0)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / a.size
    ranks = np.arange(n_categories)
    w = (ranks[:, None] - ranks[None, :]) ** 2 / max(1, (n_categories - 1) ** 2)
    denominator = float((w * expected).sum())
    if denominator == 0:
        return None
    return 1.0 - float((w * observed).sum()) / denominator


def mean_pairwise_weighted_kappa(matrix: npt.ArrayLike, n_categories: int) -> tuple[float | None, int]:
    """The mean of Cohen's quadratic-weighted kappa over rater pairs, each pair on the cases both rated.
    `matrix` is cases x raters of ranks with -1 for not rated. Returns (mean, pairs that had a kappa)."""
    y = np.asarray(matrix, dtype=np.int64)
    values: list[float] = []
    for i in range(y.shape[1]):
        for j in range(i + 1, y.shape[1]):
            both = (y[:, i] >= 0) & (y[:, j] >= 0)
            if both.sum() >= 2:
                value = weighted_kappa(y[both, i], y[both, j], n_categories)
                if value is not None:
                    values.append(value)
    return (float(np.mean(values)) if values else None), len(values)


# ---- bootstrap intervals for the weighted kappas -------------------------------------------------------------

def _quadratic_weights(k: int) -> FloatArray:
    ranks = np.arange(k, dtype=np.float64)
    weights: FloatArray = (ranks[:, None] - ranks[None, :]) ** 2 / max(1, (k - 1) ** 2)
    return weights


def _weighted_kappa_rows(observed: FloatArray, k: int) -> FloatArray:
    """Quadratic-weighted kappa for each row of `observed` (resamples x k*k weighted confusion counts)."""
    o = observed.reshape(-1, k, k)
    total = o.sum(axis=(1, 2))
    w = _quadratic_weights(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = o.sum(axis=2)[:, :, None] * o.sum(axis=1)[:, None, :] / total[:, None, None]
        denominator = (w * expected).sum(axis=(1, 2))
        kappa: FloatArray = 1.0 - (w * o).sum(axis=(1, 2)) / denominator
    kappa[~(denominator > 0)] = np.nan
    return kappa


@functools.lru_cache(maxsize=16)
def _case_weights(n_cases: int, replicates: int, seed: int) -> FloatArray:
    """Resample weights (replicates x cases), read-only and cached: 50 raters on 40 vignettes share one draw."""
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_cases, np.full(n_cases, 1.0 / n_cases), size=replicates).astype(np.float64)
    draws.setflags(write=False)
    return draws


def _cells(first: IntArray, second: IntArray, k: int) -> FloatArray:
    """One row per case, a one in the confusion cell (first, second) of that case."""
    cells = np.zeros((first.size, k * k))
    cells[np.arange(first.size), first * k + second] = 1.0
    return cells


def weighted_kappa_estimate(first: npt.ArrayLike, second: npt.ArrayLike, n_categories: int, *,
                            replicates: int = 1000, seed: int = 0) -> Estimate:
    """Cohen's quadratic-weighted kappa between two raters with a percentile bootstrap interval over cases."""
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    point = weighted_kappa(a, b, n_categories)
    if point is None:
        return Estimate(None)
    if replicates <= 0:
        return Estimate(point)
    values = _weighted_kappa_rows(_case_weights(a.size, replicates, seed) @ _cells(a, b, n_categories),
                                  n_categories)
    return Estimate(point, *_percentile(values))


def mean_pairwise_weighted_kappa_estimate(matrix: npt.ArrayLike, n_categories: int, *, replicates: int = 1000,
                                          seed: int = 0) -> tuple[Estimate, int]:
    """`mean_pairwise_weighted_kappa` with a percentile bootstrap interval: cases are resampled once per
    replicate for every rater pair together, and each replicate's figure is the mean over the same pairs.

    Vectorised over pairs (50 raters are 1,225 pairs): every sum a pair's kappa needs is a sum over cases of the
    case weights times a per-case quantity, so each is one matrix product of the resample weights with a
    cases x pairs array."""
    y = np.asarray(matrix, dtype=np.int64)
    point, pairs = mean_pairwise_weighted_kappa(y, n_categories)
    if point is None or replicates <= 0:
        return Estimate(point), pairs
    n, r = y.shape
    k = n_categories
    included = [(i, j) for i in range(r) for j in range(i + 1, r)  # the pairs the point estimate counted
                if ((y[:, i] >= 0) & (y[:, j] >= 0)).sum() >= 2
                and weighted_kappa(y[(y[:, i] >= 0) & (y[:, j] >= 0), i], y[(y[:, i] >= 0) & (y[:, j] >= 0), j],
                                   k) is not None]
    first = np.array([i for i, _ in included])
    second = np.array([j for _, j in included])
    # Quadratic weights (c - d)^2 expand, so each pair's weighted sums need only the resampled sums of 1, a, a^2,
    # b and b^2 over the cases both raters rated (a, b the two ranks): a handful of weights @ (cases x pairs).
    both = ((y[:, first] >= 0) & (y[:, second] >= 0)).astype(np.float64)
    a = np.where(both > 0, y[:, first], 0).astype(np.float64)
    b = np.where(both > 0, y[:, second], 0).astype(np.float64)
    weights = _case_weights(n, replicates, seed)
    sums = weights @ np.hstack([both, a, b, a * a, b * b, (a - b) ** 2])  # one product, not six
    total, sum_a, sum_b, sum_a2, sum_b2, observed = np.split(sums, 6, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = sum_a2 + sum_b2 - 2.0 * sum_a * sum_b / total
        kappas = 1.0 - observed / expected
    kappas[~(expected > 1e-12)] = np.nan
    finite = np.isfinite(kappas)
    with np.errstate(divide="ignore", invalid="ignore"):
        means: FloatArray = np.where(finite.any(axis=1),
                                     np.where(finite, kappas, 0.0).sum(axis=1) / finite.sum(axis=1), np.nan)
    return Estimate(point, *_percentile(means)), pairs
