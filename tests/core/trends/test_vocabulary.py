"""The case-facts vocabulary: one file, extensible by a force, Unknown always distinct, errors that name the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from winnow.core.offenders import DIGITAL_INDICATORS
from winnow.core.trends import base_vocabulary, load_vocabulary
from winnow.core.trends.vocabulary import VocabularyError


def test_every_measure_has_unknown_apart_from_no() -> None:
    for measure in base_vocabulary().measures:
        assert "unknown" in measure.codes
        assert measure.codes[-1] == "unknown"


def test_the_digital_risk_indicators_are_the_concealment_options() -> None:
    concealment = base_vocabulary()["concealment"]
    assert set(DIGITAL_INDICATORS) == set(concealment.codes) - {"none", "unknown"}
    assert DIGITAL_INDICATORS["encryption"] == concealment.labels["encryption"]


def test_a_force_file_adds_options_and_measures(tmp_path: Path) -> None:
    extra = tmp_path / "force.yaml"
    extra.write_text(
        "measures:\n"
        "  - code: methods\n    options: {gaming_platforms: Gaming platforms}\n"
        "  - code: housing\n    section: profile\n    label: Housing\n    kind: one\n"
        "    options: {owner: Owner, renting: Renting, unknown: Unknown}\n"
    )
    vocabulary = load_vocabulary([extra])
    assert vocabulary["methods"].codes[-2:] == ("gaming_platforms", "unknown")
    assert vocabulary["housing"].section == "profile"


@pytest.mark.parametrize(("text", "reason"), [
    ("measures: [{code: sex, options: {male: Man}}]", "already labelled"),
    ("measures: [{code: x, section: profile, label: X, kind: one, options: {a: A}}]", "needs an 'unknown'"),
    ("measures: [{code: x, section: nowhere, label: X, kind: one, options: {unknown: U}}]", "section must be"),
    ("measures: [{code: x, section: profile, label: X, kind: two, options: {unknown: U}}]", "kind must be"),
    ("measures: [{code: x, section: profile, label: X, kind: one, options: {yes: Y, unknown: U}}]", "quote yes/no"),
    ("nothing: here", "top-level 'measures'"),
    ("measures: [: bad", "cannot be read"),
])
def test_a_bad_force_file_is_refused_with_file_measure_and_reason(tmp_path: Path, text: str, reason: str) -> None:
    extra = tmp_path / "force.yaml"
    extra.write_text(text)
    with pytest.raises(VocabularyError, match=reason) as caught:
        load_vocabulary([extra])
    assert str(extra) in str(caught.value)


def test_values_are_checked_against_the_measure() -> None:
    concealment = base_vocabulary()["concealment"]
    assert concealment.check(["cloud_storage", "encryption"]) == ("encryption", "cloud_storage")
    with pytest.raises(ValueError, match="cannot be recorded with other options"):
        concealment.check(["unknown", "encryption"])
    with pytest.raises(ValueError, match="not one of"):
        concealment.check(["telepathy"])
    with pytest.raises(ValueError, match="only one"):
        base_vocabulary()["sex"].check(["male", "female"])
    with pytest.raises(ValueError, match="at least one"):
        base_vocabulary()["sex"].check([])
