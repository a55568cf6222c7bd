"""From long ratings to agreement per item and per rater, and the items whose guidance needs review."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from winnow.core.agreement import AgreementInputError, Rating, analyse, report_dict

BANDS = ["low", "medium", "high", "very_high"]


def _ratings(rows: list[tuple[str, str, str, str]]) -> list[Rating]:
    return [Rating(*row) for row in rows]


def _random_panel(seed: int, raters: int = 8, cases: int = 20) -> list[Rating]:
    rng = np.random.default_rng(seed)
    out = []
    for c in range(cases):
        truth = rng.integers(0, 2)
        score = rng.normal(10, 3)
        for r in range(raters):
            value = truth if rng.random() < 0.8 else 1 - truth
            out.append(Rating(f"v{c}", f"r{r}", "grooming", ["no", "yes"][value]))
            out.append(Rating(f"v{c}", f"r{r}", "total", f"{score + rng.normal(0, 1):.2f}"))
            out.append(Rating(f"v{c}", f"r{r}", "band", BANDS[min(3, max(0, int(score // 4) + rng.integers(-1, 2)))]))
    return out


def test_numbers_are_scores_and_anything_else_is_categorical() -> None:
    report = analyse(_random_panel(1), ordered={"band": BANDS}, replicates=200)
    assert report.items["total"].kind == "score" and report.items["total"].icc is not None
    assert report.items["grooming"].kind == "categorical"
    assert report.items["band"].categorical.krippendorff_alpha_ordinal is not None


def test_the_kappa_it_reports_is_statsmodels_fleiss_kappa_on_the_same_table() -> None:
    ratings = _random_panel(2)
    counts: dict[str, list[int]] = {}
    for r in ratings:
        if r.item == "grooming":
            counts.setdefault(r.case, [0, 0])[r.value == "yes"] += 1
    report = analyse(ratings, replicates=200)
    assert report.items["grooming"].categorical.fleiss_kappa.value == pytest.approx(
        sm_fleiss_kappa(np.array(list(counts.values()))))


def test_every_figure_has_an_interval_that_contains_it() -> None:
    item = analyse(_random_panel(3), replicates=500).items["grooming"].categorical
    for estimate in (item.fleiss_kappa, item.krippendorff_alpha, item.percent_agreement):
        assert estimate.low <= estimate.value <= estimate.high
    assert item.cases == 20 and item.ratings == 160


def test_the_bootstrap_is_seeded_so_the_same_data_give_the_same_interval() -> None:
    first = analyse(_random_panel(4), replicates=300).items["grooming"].categorical.fleiss_kappa
    second = analyse(_random_panel(4), replicates=300).items["grooming"].categorical.fleiss_kappa
    assert first == second


def test_it_flags_an_item_raters_disagree_on_and_not_one_they_agree_on() -> None:
    rows = []
    for c in range(12):
        for r in range(5):
            rows.append((f"v{c}", f"r{r}", "clear", "yes" if c % 2 else "no"))
            rows.append((f"v{c}", f"r{r}", "muddled", "yes" if (c + r) % 2 else "no"))
    report = analyse(_ratings(rows), replicates=100)
    assert report.review_items == ["muddled"]
    assert report.items["clear"].categorical.krippendorff_alpha.value == pytest.approx(1.0)


def test_it_says_when_low_prevalence_depresses_kappa() -> None:
    rows = [(f"v{c}", f"r{r}", "rare", "no") for c in range(40) for r in range(4)]
    rows[0] = ("v0", "r0", "rare", "yes")
    rows[5] = ("v1", "r1", "rare", "yes")
    item = analyse(_ratings(rows), replicates=100).items["rare"]
    assert item.categorical.percent_agreement.value > 0.95
    assert any("low prevalence" in note for note in item.notes)


def test_each_rater_is_compared_with_the_reference() -> None:
    rows = [("v1", "ann", "grooming", "yes"), ("v1", "ann", "band", "high"),
            ("v2", "ann", "grooming", "no"), ("v2", "ann", "band", "low"),
            ("v1", "bo", "grooming", "no"), ("v1", "bo", "band", "medium"),
            ("v2", "bo", "grooming", "no"), ("v2", "bo", "band", "low")]
    reference = {("v1", "grooming"): "yes", ("v1", "band"): "high", ("v2", "grooming"): "no", ("v2", "band"): "low"}
    report = analyse(_ratings(rows), ordered={"band": BANDS}, reference=reference, band_item="band",
                     replicates=50)
    assert report.raters["ann"].item_agreement == 1.0 and report.raters["ann"].band_exact == 1.0
    assert report.raters["bo"].item_agreement == 0.5 and report.raters["bo"].band_exact == 0.5


def test_a_score_item_reports_icc_for_complete_cases_and_says_what_it_left_out() -> None:
    rows = [(f"v{c}", f"r{r}", "total", str(c * 2 + (r == 1))) for c in range(6) for r in range(3)]
    rows.append(("v9", "r0", "total", "4"))
    item = analyse(_ratings(rows)).items["total"]
    assert item.cases == 6 and item.dropped_cases == 1
    assert item.icc.icc2_1.value > 0.9


def test_json_has_the_keys_the_issue_names() -> None:
    data = report_dict(analyse(_random_panel(5), ordered={"band": BANDS}, replicates=100))
    assert {"fleiss_kappa", "krippendorff_alpha", "percent_agreement"} <= set(data["items"]["grooming"])
    assert {"icc2_1", "icc2_1_ci"} <= set(data["items"]["total"])
    assert {"exact_agreement", "quadratic_weighted_kappa", "krippendorff_alpha_ordinal"} <= set(data["items"]["band"])


def test_a_value_outside_an_ordered_items_scale_is_an_error_naming_it() -> None:
    with pytest.raises(AgreementInputError, match="'severe' is not one of low, medium, high, very_high"):
        analyse(_ratings([("v1", "a", "band", "severe"), ("v1", "b", "band", "low")]), ordered={"band": BANDS})
