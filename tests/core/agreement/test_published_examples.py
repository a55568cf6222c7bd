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


def test_it_reproduces_krippendorff_2011_nominal_and_ordinal_alpha() -> None:
    counts = _counts(KRIPPENDORFF_EXAMPLE, [1, 2, 3, 4, 5])
    assert krippendorff_alpha(counts, "nominal") == pytest.approx(0.743, abs=0.0005)
    assert krippendorff_alpha(counts, "ordinal") == pytest.approx(0.815, abs=0.0005)


def test_it_calls_kappa_undefined_when_every_rating_is_the_same() -> None:
    assert fleiss_kappa([[3, 0], [3, 0]]) is None
    assert krippendorff_alpha([[3, 0], [3, 0]]) is None
    assert percent_agreement([[3, 0], [3, 0]]) == 1.0
