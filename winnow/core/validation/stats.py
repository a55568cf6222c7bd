"""The statistics a local validation needs, each small enough to check by hand.

- AUC and its variance by DeLong, DeLong & Clarke-Pearson (1988), computed with the fast midrank algorithm of
  Sun & Xu (2014, IEEE Signal Processing Letters 21(11)): O(n log n) rather than the O(n^2) placement sums.
  No maintained Python library exposes DeLong's covariance; scikit-learn gives the AUC but no variance.
- The paired DeLong test for two scores on the same cases (computed against decided band; two versions).
- Wilson score intervals for proportions (what statsmodels' proportion_confint(method="wilson") returns).
- The exact (Garwood) Poisson interval for an observed count, for E/O.
- Calibration intercept (calibration-in-the-large, slope fixed at 1) and slope by logistic regression on the
  logit of the expected rate: two parameters, so a few Newton steps in NumPy rather than a GLM library at run time.
- A stratified bootstrap of the AUC, as an option beside DeLong's interval.

Every function takes plain sequences and returns frozen dataclasses or floats; none reads a file or a clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

Z95 = float(sps.norm.ppf(0.975))
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95% interval. `value` is None when there is nothing to estimate from (n = 0)."""

    value: float | None
    low: float | None
    high: float | None

    def as_list(self) -> list[float | None]:
        return [self.value, self.low, self.high]

    @property
    def width(self) -> float | None:
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class Proportion(Interval):
    numerator: int = 0
    denominator: int = 0


def wilson(successes: int, n: int, *, z: float = Z95) -> Proportion:
    """Wilson score interval; with n = 0 there is no proportion, and the result says so (value None)."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"cannot take {successes} of {n}")
    if n == 0:
        return Proportion(None, None, None, successes, n)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Proportion(p, max(0.0, centre - half), min(1.0, centre + half), successes, n)


def _as_arrays(scores: Sequence[float] | FloatArray, outcomes: Sequence[bool] | npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(outcomes, dtype=bool)
    if s.ndim != 1 or s.shape != y.shape:
        raise ValueError("scores and outcomes must be one-dimensional and the same length")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite numbers")
    return s[y], s[~y]


def _placements(positives: FloatArray, negatives: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """AUC and DeLong's structural components V10 (one per event) and V01 (one per non-event), by midranks.

    V10[i] is the share of non-events an event outscores (ties count a half); V01[j] the share of events that
    outscore non-event j. Sun & Xu: both come from the midranks within each class and in the pooled sample."""
    m, n = len(positives), len(negatives)
    pooled = sps.rankdata(np.concatenate([positives, negatives]))
    within_pos = sps.rankdata(positives)
    within_neg = sps.rankdata(negatives)
    v10 = (pooled[:m] - within_pos) / n
    v01 = 1.0 - (pooled[m:] - within_neg) / m
    auc = float((pooled[:m].sum() - m * (m + 1) / 2) / (m * n))
    return auc, v10, v01


@dataclass(frozen=True)
class Auc(Interval):
    variance: float = 0.0
    events: int = 0
    non_events: int = 0

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)


def _need_both(m: int, n: int) -> None:
    if m == 0 or n == 0:
        raise ValueError("an AUC needs at least one case with the outcome and one without")


def delong(scores: Sequence[float] | FloatArray, outcomes: Sequence[bool] | npt.NDArray[np.bool_]) -> Auc:
    """AUC (higher score = more likely to have the outcome) with DeLong's variance and a 95% Wald interval clipped
    to [0, 1], as pROC's ci.auc(method = "delong") reports it."""
    positives, negatives = _as_arrays(scores, outcomes)
    m, n = len(positives), len(negatives)
    _need_both(m, n)
    auc, v10, v01 = _placements(positives, negatives)
    variance = _var(v10) / m + _var(v01) / n
    half = Z95 * math.sqrt(variance)
    return Auc(auc, max(0.0, auc - half), min(1.0, auc + half), variance, m, n)


def _var(values: FloatArray) -> float:
    return float(np.var(values, ddof=1)) if len(values) > 1 else 0.0


@dataclass(frozen=True)
class PairedComparison:
    """Two scores on the same cases: AUC of each, their difference (first minus second) with its 95% interval,
    DeLong's z and the two-sided p value."""

    first: Auc
    second: Auc
    difference: float
    low: float
    high: float
    z: float | None
    p: float | None
    covariance: float


def delong_paired(
    first: Sequence[float] | FloatArray, second: Sequence[float] | FloatArray,
    outcomes: Sequence[bool] | npt.NDArray[np.bool_],
) -> PairedComparison:
    """DeLong's test for correlated ROC curves (pROC's roc.test(method = "delong", paired = TRUE))."""
    p1, n1 = _as_arrays(first, outcomes)
    p2, n2 = _as_arrays(second, outcomes)
    m, n = len(p1), len(n1)
    _need_both(m, n)
    auc1, v10a, v01a = _placements(p1, n1)
    auc2, v10b, v01b = _placements(p2, n2)
    s10 = np.cov(np.vstack([v10a, v10b])) if m > 1 else np.zeros((2, 2))
    s01 = np.cov(np.vstack([v01a, v01b])) if n > 1 else np.zeros((2, 2))
    s = s10 / m + s01 / n
    var1, var2, cov = float(s[0, 0]), float(s[1, 1]), float(s[0, 1])
    diff = auc1 - auc2
    var_diff = max(var1 + var2 - 2 * cov, 0.0)
    se = math.sqrt(var_diff)
    z = diff / se if se > 0 else None
    p = float(2 * sps.norm.sf(abs(z))) if z is not None else (1.0 if diff == 0 else None)
    half = Z95 * se

    def auc(value: float, variance: float) -> Auc:
        h = Z95 * math.sqrt(variance)
        return Auc(value, max(0.0, value - h), min(1.0, value + h), variance, m, n)

    return PairedComparison(auc(auc1, var1), auc(auc2, var2), diff, diff - half, diff + half,
                            0.0 if diff == 0 and se == 0 else z, p, cov)


def poisson_exact(count: int) -> tuple[float, float]:
    """Exact (Garwood) 95% interval for a Poisson count."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    low = 0.0 if count == 0 else float(sps.chi2.ppf(0.025, 2 * count)) / 2
    high = float(sps.chi2.ppf(0.975, 2 * (count + 1))) / 2
    return low, high


def expected_over_observed(expected: float, observed: int) -> Interval:
    """E/O with the exact Poisson interval of O (E taken as fixed). Above 1: the instrument expected more events
    than happened (it over-predicts); below 1: under-predicts. No events observed: no ratio."""
    if observed == 0:
        return Interval(None, None, None)
    low_o, high_o = poisson_exact(observed)
    return Interval(expected / observed, expected / high_o, expected / low_o)


@dataclass(frozen=True)
class Calibration:
    intercept: Interval  # calibration-in-the-large: 0 is perfect; above 0, more events than expected
    slope: Interval  # 1 is perfect; below 1, the expected rates are too extreme
    n: int


def _logit(p: FloatArray) -> FloatArray:
    clipped = np.clip(p, 1e-9, 1 - 1e-9)
    result: FloatArray = np.log(clipped / (1 - clipped))
    return result


def _logistic_fit(x: FloatArray, y: FloatArray, offset: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Maximum likelihood logistic regression by Newton-Raphson: coefficients and their covariance matrix."""
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        eta = x @ beta + offset
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        information = x.T @ (x * w[:, None])
        step = np.linalg.solve(information, x.T @ (y - mu))
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    eta = x @ beta + offset
    mu = 1 / (1 + np.exp(-eta))
    covariance = np.asarray(np.linalg.inv(x.T @ (x * (mu * (1 - mu))[:, None])), dtype=np.float64)
    return beta, covariance


def calibration(expected: Sequence[float] | FloatArray, outcomes: Sequence[bool] | npt.NDArray[np.bool_]) -> Calibration:
    """Calibration intercept (logit(P(y)) = a + logit(p), the offset model) and slope (logit(P(y)) = a + b logit(p)),
    each with a 95% Wald interval (Van Calster et al. 2016's 'weak' calibration)."""
    p = np.asarray(expected, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError("expected rates and outcomes must be one-dimensional and the same length")
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("expected rates must lie strictly between 0 and 1")
    if y.min() == y.max():
        raise ValueError("calibration needs cases with the outcome and cases without")
    lp = _logit(p)
    ones = np.ones((len(p), 1))
    (a,), cov_a = _logistic_fit(ones, y, lp)
    se_a = math.sqrt(float(cov_a[0, 0]))
    beta, cov = _logistic_fit(np.hstack([ones, lp[:, None]]), y, np.zeros(len(p)))
    se_b = math.sqrt(float(cov[1, 1]))
    b = float(beta[1])
    return Calibration(
        Interval(float(a), float(a) - Z95 * se_a, float(a) + Z95 * se_a),
        Interval(b, b - Z95 * se_b, b + Z95 * se_b),
        len(p),
    )


@dataclass(frozen=True)
class RocPoint:
    threshold: float  # cases scoring at or above this are called positive
    false_positive_rate: float
    true_positive_rate: float


def roc_points(scores: Sequence[float] | FloatArray, outcomes: Sequence[bool] | npt.NDArray[np.bool_]) -> list[RocPoint]:
    """The empirical ROC curve from (0, 0) to (1, 1): one point per distinct score, highest first (the same
    points as scikit-learn's roc_curve with drop_intermediate=False, less its +inf threshold)."""
    positives, negatives = _as_arrays(scores, outcomes)
    m, n = len(positives), len(negatives)
    _need_both(m, n)
    thresholds = np.unique(np.concatenate([positives, negatives]))[::-1]
    pos_sorted, neg_sorted = np.sort(positives), np.sort(negatives)
    tp = m - np.searchsorted(pos_sorted, thresholds, side="left")
    fp = n - np.searchsorted(neg_sorted, thresholds, side="left")
    points = [RocPoint(math.inf, 0.0, 0.0)]
    points += [RocPoint(float(t), float(f) / n, float(p) / m) for t, f, p in zip(thresholds, fp, tp, strict=True)]
    return points


def bootstrap_auc(
    scores: Sequence[float] | FloatArray, outcomes: Sequence[bool] | npt.NDArray[np.bool_],
    *, replicates: int = 2000, seed: int = 0,
) -> Interval:
    """Stratified bootstrap percentile interval: events and non-events are resampled separately, so every replicate
    keeps the sample's base rate (pROC's boot.stratified = TRUE). Vectorised in blocks of replicates, so 2,000
    replicates of 10,000 cases take seconds."""
    positives, negatives = _as_arrays(scores, outcomes)
    m, n = len(positives), len(negatives)
    _need_both(m, n)
    rng = np.random.default_rng(seed)
    estimate, _, _ = _placements(positives, negatives)
    # A replicate only changes how often each distinct score occurs among events and non-events, so each replicate
    # is two histograms over the distinct scores (bincount, no sorting): AUC = sum over scores of events there times
    # (non-events below + half the non-events there), over m * n.
    distinct, codes = np.unique(np.concatenate([positives, negatives]), return_inverse=True)
    u = len(distinct)
    pos_codes, neg_codes = codes[:m], codes[m:]
    aucs = np.empty(replicates)
    block = max(1, min(replicates, 8_000_000 // (m + n + u)))
    for start in range(0, replicates, block):
        k = min(block, replicates - start)
        offsets = (np.arange(k) * u)[:, None]
        pos_hist = np.bincount((pos_codes[rng.integers(0, m, size=(k, m))] + offsets).ravel(), minlength=k * u)
        neg_hist = np.bincount((neg_codes[rng.integers(0, n, size=(k, n))] + offsets).ravel(), minlength=k * u)
        pos_hist, neg_hist = pos_hist.reshape(k, u), neg_hist.reshape(k, u)
        below = np.cumsum(neg_hist, axis=1) - neg_hist
        aucs[start : start + k] = (pos_hist * (below + 0.5 * neg_hist)).sum(axis=1) / (m * n)
    low, high = np.percentile(aucs, [2.5, 97.5])
    return Interval(estimate, float(low), float(high))
