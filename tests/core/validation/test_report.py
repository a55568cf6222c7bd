"""The validation report: band rates, hit rates, too-small warnings, calibration, paired comparisons, drift."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from winnow.core.validation import PRIORITY_SCALE, Case, validate
from winnow.core.validation.stats import delong, wilson
from winnow.core.validation.tables import report_tables

BANDS = PRIORITY_SCALE.bands


def kirat_like() -> list[Case]:
    """Long et al. 2016's counts: 166 of 170 higher-risk cases in High/Very High, 127 of 204 lower-risk in Low/Medium
    (spread over the bands here for the test), plus 10 unknown outcomes."""
    cases = ([Case(True, "very_high")] * 120 + [Case(True, "high")] * 46 + [Case(True, "medium")] * 3
             + [Case(True, "low")] * 1 + [Case(False, "very_high")] * 20 + [Case(False, "high")] * 57
             + [Case(False, "medium")] * 70 + [Case(False, "low")] * 57 + [Case(None, "high")] * 10)
    return cases


def test_it_reports_hit_rates_with_wilson_intervals() -> None:
    report = validate(kirat_like())
    s = report.summary
    assert (s.n, s.events, s.excluded_unknown) == (374, 170, 10)
    assert s.sensitivity == wilson(166, 170)
    assert s.specificity == wilson(127, 204)
    assert s.ppv == wilson(166, 166 + 77)
    assert s.npv == wilson(127, 131)
    assert s.flagged == wilson(243, 374)
    assert not s.too_small


def test_its_auc_is_delong_on_band_ranks() -> None:
    cases = kirat_like()
    report = validate(cases)
    known = [c for c in cases if c.outcome is not None]
    expected = delong([BANDS.index(c.band) for c in known], [c.outcome for c in known])
    assert report.summary.auc == expected


def test_the_json_has_the_keys_the_issue_names() -> None:
    data = validate(kirat_like()).as_dict()
    for key in ("n", "events", "excluded_unknown", "auc", "auc_ci", "sensitivity_high_or_very_high",
                "specificity_low_or_medium"):
        assert key in data
    assert len(data["auc_ci"]) == 2
    assert data["sensitivity_high_or_very_high"] == [0.9765, 0.9411, 0.9908]


def test_it_says_when_the_sample_is_too_small_to_judge() -> None:
    report = validate([Case(True, "high")] * 30 + [Case(False, "low")] * 40 + [Case(False, "high")] * 10)
    assert report.summary.too_small
    assert "too small to judge" in report.summary.note
    assert report.as_dict()["auc_ci_width"] > 0


def test_it_gives_per_band_rates_and_cut_offs() -> None:
    report = validate(kirat_like())
    rows = {r.key: r for r in report.rows}
    assert rows["very_high"].n == 140 and rows["very_high"].events == 120
    assert rows["very_high"].rate == wilson(120, 140)
    cutoffs = {c.key: c for c in report.cutoffs}
    assert cutoffs["high"].current and not cutoffs["very_high"].current
    assert cutoffs["very_high"].sensitivity == wilson(120, 170)
    assert cutoffs["very_high"].flagged == wilson(140, 374)
    assert cutoffs["medium"].specificity == wilson(57, 204)


def test_it_gives_observed_rates_per_score() -> None:
    cases = [Case(outcome=bool(i % 3 == 0) if s > 2 else i % 7 == 0, score=float(s)) for i in range(60) for s in range(5)]
    report = validate(cases)
    assert report.kind == "score"
    assert [r.key for r in report.rows] == ["0", "1", "2", "3", "4"]
    assert "sensitivity_high_or_very_high" not in report.as_dict()


def test_it_calibrates_when_expected_rates_are_declared() -> None:
    rng = np.random.default_rng(5)
    rates = {"low": 0.05, "medium": 0.15, "high": 0.4, "very_high": 0.7}
    cases = []
    for band, rate in rates.items():
        for _ in range(400):
            cases.append(Case(bool(rng.random() < rate), band, expected=rate))
    report = validate(cases)
    assert report.expected_over_observed is not None and report.calibration is not None
    assert report.expected_over_observed.low < 1 < report.expected_over_observed.high
    assert report.calibration.slope.low < 1 < report.calibration.slope.high
    assert report.expected_total == pytest.approx(400 * sum(rates.values()))


def test_without_expected_rates_it_says_calibration_is_not_computed() -> None:
    report = validate(kirat_like())
    assert report.calibration is None
    assert "declares no expected rates" in report.calibration_note


def test_it_compares_computed_and_decided_bands_on_the_same_cases() -> None:
    cases = [Case(True, "medium", decided_band="high")] * 30 + [Case(True, "high", decided_band="high")] * 40 + \
        [Case(False, "medium", decided_band="medium")] * 60 + [Case(False, "high", decided_band="medium")] * 20
    report = validate(cases)
    paired = report.computed_vs_decided
    assert paired is not None
    assert paired.first.value > paired.second.value  # overrides improved discrimination here
    assert paired.p is not None and paired.p < 0.05


def test_it_splits_by_subgroup_and_by_quarter() -> None:
    cases = [Case(bool(i % 2), "high" if i % 2 else "low", closed_on=date(2025, 1 + (i % 12), 1),
                  groups={"source": "ncmec" if i % 3 else "public"}) for i in range(240)]
    report = validate(cases)
    assert [v for v, _ in report.subgroups["source"]] == ["ncmec", "public"]
    assert [q for q, _ in report.drift] == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    assert sum(s.n for _, s in report.drift) == 240


def test_a_subgroup_with_one_class_has_no_auc_and_says_so() -> None:
    cases = [Case(True, "high", groups={"sex": "female"})] * 3 + [Case(True, "high", groups={"sex": "male"})] * 50 \
        + [Case(False, "low", groups={"sex": "male"})] * 50
    female = dict(validate(cases).subgroups["sex"])["female"]
    assert female.auc is None and "same outcome" in female.note


def test_it_compares_two_instrument_versions() -> None:
    rng = np.random.default_rng(2)
    y = rng.random(400) < 0.3
    cases = [Case(bool(o), score=float(o + rng.normal()), alternative_score=float(rng.normal())) for o in y]
    paired = validate(cases).versions
    assert paired is not None and paired.first.value < paired.second.value


def test_it_gives_outcome_rates_by_number_of_unknown_answers() -> None:
    cases = [Case(i % 2 == 0, "high", unknown_answers=i % 3) for i in range(90)]
    rows = validate(cases).by_unknown_answers
    assert [r.key for r in rows] == ["0", "1", "2"] and sum(r.n for r in rows) == 90


def test_the_bootstrap_is_an_option() -> None:
    report = validate(kirat_like(), bootstrap_replicates=200)
    assert report.bootstrap is not None and report.bootstrap.low < report.summary.auc.value < report.bootstrap.high


def test_follow_ups_are_counted_per_band_with_wilson_intervals() -> None:
    cases = ([Case(outcome=True, band="high", later_referral=True, later_contact_conviction=True)] * 3
             + [Case(outcome=False, band="high", later_referral=False, later_contact_conviction=False)] * 7
             + [Case(outcome=None, band="low", later_referral=True, later_contact_conviction=False)] * 2
             + [Case(outcome=False, band="low", later_referral=False, later_contact_conviction=False)] * 8)
    report = validate(cases)
    rows = {f.key: f for f in report.follow_ups}
    assert rows["high"].n == 10 and rows["high"].later_contact_conviction == wilson(3, 10)
    assert rows["low"].n == 10 and rows["low"].later_referral == wilson(2, 10)  # unknown outcomes count here
    assert rows["medium"].n == 0 and rows["medium"].later_referral.value is None
    assert report.as_dict()["follow_ups"][2]["later_referral"] == [0.3, 0.1078, 0.6032]


def test_cases_without_follow_up_records_give_no_follow_up_table() -> None:
    report = validate([Case(outcome=True, band="high"), Case(outcome=False, band="low")])
    assert report.follow_ups == [] and "follow_ups" not in report_tables(report)
