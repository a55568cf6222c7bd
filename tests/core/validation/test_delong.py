"""DeLong's AUC variance and paired test against published figures, scikit-learn and an O(n^2) second implementation.

The worked example is pROC's `aSAH` data set (Turck et al. 2010, Intensive Care Medicine 36(1):107-115: 113
patients after aneurysmal subarachnoid haemorrhage; outcome Poor vs Good), shipped with the R package pROC (Robin et
al. 2011, BMC Bioinformatics 12:77). The expected numbers are pROC's own, from its documentation and its test suite
(tests/testthat/test-var.R and test-roc.test.R in github.com/xrobin/pROC): e.g. `roc(aSAH$outcome, aSAH$s100b)`
prints "Area under the curve: 0.7314; 95% CI: 0.6301-0.8326 (DeLong)". asah.csv beside this file holds the columns
used, converted from pROC's data/aSAH.RData.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score, roc_curve

from winnow.core.validation.stats import delong, delong_paired, roc_points

ROWS = list(csv.DictReader((Path(__file__).parent / "asah.csv").open(encoding="utf-8")))
POOR = [row["outcome"] == "Poor" for row in ROWS]


def column(name: str) -> list[float]:
    return [float(row[name]) for row in ROWS]


@pytest.mark.parametrize(("marker", "auc", "variance"), [
    ("wfns", 0.823678861788618, 0.00146991470882363),
    ("ndka", 0.611957994579946, 0.0031908105493913),
    ("s100b", 0.731368563685637, 0.00266868245717244),
])
def test_it_matches_proc_on_the_asah_worked_example(marker: str, auc: float, variance: float) -> None:
    result = delong(column(marker), POOR)
    assert result.value == pytest.approx(auc, abs=1e-10)
    assert result.variance == pytest.approx(variance, abs=1e-12)
    assert (result.events, result.non_events) == (41, 72)


def test_it_gives_the_interval_proc_prints_for_s100b() -> None:
    result = delong(column("s100b"), POOR)
    assert (round(result.value, 4), round(result.low, 4), round(result.high, 4)) == (0.7314, 0.6301, 0.8326)


def test_it_matches_proc_roc_test_for_wfns_against_s100b() -> None:
    """pROC: roc.test(r.wfns, r.s100b): Z = 2.20898359144091, p = 0.0271757822291882, CI of the difference
    0.0104061769564846 to 0.174214419249478."""
    result = delong_paired(column("wfns"), column("s100b"), POOR)
    assert result.z == pytest.approx(2.20898359144091, abs=1e-9)
    assert result.p == pytest.approx(0.0271757822291882, abs=1e-9)
    assert result.low == pytest.approx(0.0104061769564846, abs=1e-9)
    assert result.high == pytest.approx(0.174214419249478, abs=1e-9)


@pytest.mark.parametrize(("first", "second", "z", "p"), [
    ("wfns", "ndka", 2.79777591868904, 0.00514557970691098),
    ("ndka", "s100b", -1.39077002573558, 0.164295175223054),
])
def test_it_matches_proc_roc_test_for_the_other_pairs(first: str, second: str, z: float, p: float) -> None:
    result = delong_paired(column(first), column(second), POOR)
    assert result.z == pytest.approx(z, abs=1e-9)
    assert result.p == pytest.approx(p, abs=1e-9)


def test_it_finds_no_difference_between_a_score_and_itself() -> None:
    result = delong_paired(column("wfns"), column("wfns"), POOR)
    assert result.difference == 0 and result.p == 1.0 and result.z == 0.0


def _placements_quadratic(scores: np.ndarray, outcomes: np.ndarray) -> tuple[float, float]:
    """DeLong et al. 1988 as written: psi(X, Y) over every event/non-event pair, then the sample variances of the
    structural components. O(n^2): an independent check of the midrank algorithm."""
    x, y = scores[outcomes], scores[~outcomes]
    psi = (x[:, None] > y[None, :]).astype(float) + 0.5 * (x[:, None] == y[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return float(psi.mean()), float(v10.var(ddof=1) / len(x) + v01.var(ddof=1) / len(y))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 300), levels=st.integers(2, 12))
def test_it_equals_scikit_learn_and_the_quadratic_form_on_random_data_with_ties(seed: int, n: int, levels: int) -> None:
    rng = np.random.default_rng(seed)
    outcomes = rng.random(n) < rng.uniform(0.1, 0.6)
    outcomes[:2], outcomes[2:4] = True, False  # both classes, twice each (a variance needs two)
    scores = rng.integers(0, levels, n) + outcomes * rng.integers(0, 2, n)  # few distinct values: many ties
    result = delong(scores.astype(float), outcomes)
    assert result.value == pytest.approx(roc_auc_score(outcomes, scores), abs=1e-12)
    auc, variance = _placements_quadratic(scores.astype(float), outcomes)
    assert result.value == pytest.approx(auc, abs=1e-12)
    assert result.variance == pytest.approx(variance, abs=1e-12)


def test_its_roc_points_are_scikit_learns() -> None:
    rng = np.random.default_rng(7)
    outcomes = rng.random(500) < 0.3
    scores = rng.integers(0, 8, 500) + outcomes
    fpr, tpr, _ = roc_curve(outcomes, scores, drop_intermediate=False)
    ours = roc_points(scores.astype(float), outcomes)
    assert [p.false_positive_rate for p in ours] == pytest.approx(list(fpr))
    assert [p.true_positive_rate for p in ours] == pytest.approx(list(tpr))
    assert math.isinf(ours[0].threshold)


def test_it_refuses_one_class() -> None:
    with pytest.raises(ValueError, match="at least one case with the outcome and one without"):
        delong([1.0, 2.0], [True, True])
