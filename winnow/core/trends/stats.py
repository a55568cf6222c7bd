"""Statistics for the trends pages, each small enough to check by hand and tested against a library.

- Kaplan-Meier survival with Greenwood's variance and the log(-log) ("exponential Greenwood") 95% interval, the
  interval lifelines reports by default; tested against statsmodels' SurvfuncRight and Freireich's 6-MP data.
- The chi-squared test for a linear trend in a proportion across ordered periods: Mantel's linear-by-linear
  M^2 = (N - 1) r^2 (Agresti, An Introduction to Categorical Data Analysis, 2nd ed. 2007, section 2.5.1), which for
  a 2 x k table is the Cochran-Armitage test up to the factor (N - 1)/N.
- Wilson intervals for shares come from winnow.core.validation.stats.
- Ages, five-year age bands, periods and keyed pseudonyms for the research export.

Nothing here reads a clock or a file.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scipy import stats as sps

from winnow.core.validation.stats import Z95, Proportion, wilson

__all__ = ["KaplanMeier", "KmRow", "Proportion", "age_band", "age_on", "kaplan_meier", "pseudonym",
           "trend_test", "wilson"]


@dataclass(frozen=True)
class KmRow:
    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    se: float  # Greenwood standard error of the survival estimate
    low: float
    high: float


@dataclass(frozen=True)
class KaplanMeier:
    rows: tuple[KmRow, ...]
    n: int
    events: int
    censored: int

    def survival_at(self, time: float) -> float:
        value = 1.0
        for row in self.rows:
            if row.time > time:
                break
            value = row.survival
        return value


def kaplan_meier(durations: Sequence[float], events: Sequence[bool], weights: Sequence[int] | None = None) -> KaplanMeier:
    """Product-limit estimate. `weights` counts identical observations (grouped data), so a million cases can be
    passed as a few thousand (duration, event, count) rows. Events at a time come before censorings at it."""
    if len(durations) != len(events) or (weights is not None and len(weights) != len(durations)):
        raise ValueError("durations, events and weights must have the same length")
    counts = list(weights) if weights is not None else [1] * len(durations)
    if any(d < 0 for d in durations) or any(w < 0 for w in counts):
        raise ValueError("durations and weights cannot be negative")
    table: dict[float, list[int]] = {}
    for duration, event, count in zip(durations, events, counts, strict=True):
        cell = table.setdefault(float(duration), [0, 0])
        cell[0 if event else 1] += count
    n = sum(counts)
    at_risk, survival, greenwood = n, 1.0, 0.0
    rows = []
    for time in sorted(table):
        died, lost = table[time]
        if died:
            survival *= 1 - died / at_risk
            greenwood += died / (at_risk * (at_risk - died)) if at_risk > died else math.inf
        se = survival * math.sqrt(greenwood) if survival > 0 and math.isfinite(greenwood) else 0.0
        low, high = _loglog(survival, greenwood)
        rows.append(KmRow(time, at_risk, died, lost, survival, se, low, high))
        at_risk -= died + lost
    events_total = sum(r.events for r in rows)
    return KaplanMeier(tuple(rows), n, events_total, n - events_total)


def _loglog(survival: float, greenwood: float) -> tuple[float, float]:
    if survival <= 0:
        return 0.0, 0.0
    if survival >= 1 or greenwood == 0:
        return survival, survival
    if not math.isfinite(greenwood):
        return 0.0, 1.0
    log_s = math.log(survival)
    v = math.sqrt(greenwood) / abs(log_s)
    return survival ** math.exp(Z95 * v), survival ** math.exp(-Z95 * v)


@dataclass(frozen=True)
class Trend:
    statistic: float  # M^2, chi-squared on 1 degree of freedom
    p: float
    n: int


def trend_test(scores: Sequence[float], successes: Sequence[int], totals: Sequence[int]) -> Trend | None:
    """Linear-by-linear association for a share across ordered groups (None when it cannot be computed: fewer than
    two groups with cases, or no variation in the share or the scores)."""
    if not (len(scores) == len(successes) == len(totals)):
        raise ValueError("scores, successes and totals must have the same length")
    n = sum(totals)
    k = sum(successes)
    if n < 2 or k in (0, n) or sum(1 for t in totals if t) < 2:
        return None
    mean_x = sum(s * t for s, t in zip(scores, totals, strict=True)) / n
    mean_y = k / n
    sxy = sum((s - mean_x) * (y - mean_y * t) for s, y, t in zip(scores, successes, totals, strict=True))
    sxx = sum(t * (s - mean_x) ** 2 for s, t in zip(scores, totals, strict=True))
    syy = n * mean_y * (1 - mean_y)
    if sxx == 0:
        return None
    r = sxy / math.sqrt(sxx * syy)
    m2 = (n - 1) * r * r
    return Trend(m2, float(sps.chi2.sf(m2, 1)), n)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(age: int | None) -> str:
    """Five-year band ("35-39"); under 10 and 90 and over are open bands; None is "unknown"."""
    if age is None:
        return "unknown"
    if age < 10:
        return "under 10"
    if age >= 90:
        return "90+"
    low = age - age % 5
    return f"{low}-{low + 4}"


def pseudonym(key: bytes, value: str) -> str:
    """A keyed hash (HMAC-SHA256) of a person key: stable across exports under one key, not reversible without it,
    and not computable from a reference number by anyone who lacks the key."""
    if not key:
        raise ValueError("a pseudonymisation key is needed")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def share(count: int | None, n: int | None) -> Proportion | None:
    if count is None or n is None or n == 0:
        return None
    return wilson(count, n)
