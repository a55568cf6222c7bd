"""The agreement statistics reproduce the worked examples their authors published."""

from __future__ import annotations

import numpy as np
import pytest

from winnow.core.agreement import fleiss_kappa, icc, krippendorff_alpha, percent_agreement

# Fleiss (1971)'s kappa, the worked example of 10 subjects, 14 raters and 5 categories (as tabulated in most
# textbook accounts, e.g. Wikipedia "Fleiss' kappa"): P-bar 0.378, P_e 0.213, kappa 0.210.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges. Their Table 4 gives ICC(1,1) = .17,
# ICC(2,1) = .29 and ICC(3,1) = .71.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four observers, twelve units,
# values 1-5 with missing data. Nominal alpha .743, ordinal .815.
_NA = None
KRIPPENDORFF_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _NA, _NA, _NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _NA, 3],
    [_NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _NA],
]


def _counts(reliability: list[list[int | None]], categories: list[int]) -> np.ndarray:
    rows = []
    for unit in zip(*reliability, strict=True):
        values = [v for v in unit if v is not None]
        if len(values) >= 2:
            rows.append([values.count(c) for c in categories])
    return np.array(rows)


def test_it_reproduces_fleiss_1971_kappa() -> None:
    assert fleiss_kappa(FLEISS_EXAMPLE) == pytest.approx(0.210, abs=0.0005)
    assert percent_agreement(FLEISS_EXAMPLE) == pytest.approx(0.378, abs=0.0005)


def test_it_reproduces_shrout_and_fleiss_1979_table_4() -> None:
    result = icc(SHROUT_FLEISS)
    assert round(result.icc1_1.value, 2) == 0.17
    assert round(result.icc2_1.value, 2) == 0.29
    assert round(result.icc3_1.value, 2) == 0.71


def test_it_puts_each_icc_inside_its_own_interval() -> None:
    result = icc(SHROUT_FLEISS)
    for estimate in (result.icc1_1, result.icc2_1, result.icc3_1):
        assert estimate.low < estimate.value < estimate.high


def test_its_intervals_on_shrout_and_fleiss_match_the_psych_packages_published_output() -> None:
    # The 95% intervals Revelle's R package psych prints for ICC() on these data (its `sf` example): ICC1 -0.13
    # to 0.72, ICC2 0.019 to 0.76 (McGraw & Wong's ICC(A,1)), ICC3 0.34 to 0.95. (Quoted from psych's output as
    # widely reproduced; there is no R on the build machine to re-run it.)
    result = icc(SHROUT_FLEISS)
    assert (round(result.icc1_1.low, 2), round(result.icc1_1.high, 2)) == (-0.13, 0.72)
    assert (round(result.icc2_1.low, 3), round(result.icc2_1.high, 2)) == (0.019, 0.76)
    assert (round(result.icc3_1.low, 2), round(result.icc3_1.high, 2)) == (0.34, 0.95)


def test_icc_is_unchanged_by_the_scale_of_the_scores_even_near_the_largest_float() -> None:
    base = icc(SHROUT_FLEISS).icc2_1
    for scale in (1e-300, 1e150, 1e300):
        scaled = icc([[v * scale for v in row] for row in SHROUT_FLEISS]).icc2_1
        assert scaled.value == pytest.approx(base.value, rel=1e-9)
        assert scaled.low == pytest.approx(base.low, rel=1e-9) and scaled.high == pytest.approx(base.high, rel=1e-9)


def test_it_reproduces_krippendorff_2011_nominal_and_ordinal_alpha() -> None:
    counts = _counts(KRIPPENDORFF_EXAMPLE, [1, 2, 3, 4, 5])
    assert krippendorff_alpha(counts, "nominal") == pytest.approx(0.743, abs=0.0005)
    assert krippendorff_alpha(counts, "ordinal") == pytest.approx(0.815, abs=0.0005)


def test_it_calls_kappa_undefined_when_every_rating_is_the_same() -> None:
    assert fleiss_kappa([[3, 0], [3, 0]]) is None
    assert krippendorff_alpha([[3, 0], [3, 0]]) is None
    assert percent_agreement([[3, 0], [3, 0]]) == 1.0
