"""The vignette bank: the shipped files load, reach every rule and band, and a bad file is refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from winnow.core.instruments import load_directory
from winnow.core.training.vignettes import VignetteError, load_bank, load_vignette, parse_vignette

ROOT = Path(__file__).resolve().parents[3]
INSTRUMENTS = {(i.id, i.version): i for i in load_directory(ROOT / "instruments").values()}
PP = INSTRUMENTS[("phased-prioritisation", "0.2.0")]


def bank() -> dict:
    return load_bank(ROOT / "vignettes", INSTRUMENTS)


def test_the_shipped_bank_has_twelve_phased_prioritisation_vignettes_and_six_for_cport() -> None:
    by_instrument = [v.instrument_id for v in bank().values()]
    assert by_instrument.count("phased-prioritisation") >= 12
    assert by_instrument.count("cport") >= 6


def test_the_phased_prioritisation_vignettes_reach_every_rule_and_every_band() -> None:
    vignettes = [v for v in bank().values() if v.instrument_id == "phased-prioritisation"]
    rules = {rule.id for step in PP.decision.steps for rule in step.rules} | {"otherwise"}
    assert {v.rule for v in vignettes} == rules
    assert {v.band for v in vignettes} == {b.id for b in PP.bands}


def test_every_shipped_vignette_is_marked_fictional_and_answers_every_item() -> None:
    for vignette in bank().values():
        instrument = INSTRUMENTS[(vignette.instrument_id, vignette.instrument_version)]
        assert [a.item for a in vignette.answers] == [i.id for i in instrument.items]
        assert all(a.rationale for a in vignette.answers) and vignette.rationale


GOOD = (ROOT / "vignettes" / "phased-prioritisation" / "pp-03-access-and-grooming.yaml").read_text()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "needle", "reason"), [
    ("band: very_high", "band: high", "band: high", "the reference answers give very_high (rule 2a"),
    ('rule: "2a"', 'rule: "2b"', 'rule: "2b"', "reach rule 2a, not 2b"),
    ("fictional: true", "fictional: false", "fictional: false", "'fictional: true' is required"),
    ('version: "0.2.0"', 'version: "9.9"', 'version: "9.9"', "version '9.9' is not loaded"),
    ("  grooming: {answer: \"yes\"", "  groming: {answer: \"yes\"", "groming", "'groming' is not an item"),
    ('sexual_convictions: {answer: "0"', 'sexual_convictions: {answer: "lots"', "lots", "'lots' is not a whole number"),
    ('sexual_convictions: {answer: "0"', 'sexual_convictions: {answer: "999"', '"999"', "999 is outside 0-200"),
    ('grooming: {answer: "yes"', "grooming: {answer: yes", "grooming: {answer: yes,", None),
    ("title:", "titel:", "titel:", "unknown key 'titel'"),
    ("id: pp-03", "id: PP 03", "id: PP 03", "lower-case letters"),
])
def test_a_bad_vignette_is_refused_naming_the_line_and_the_reason(old: str, new: str, needle: str,
                                                                   reason: str | None) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    if reason is None:  # unquoted yes is text in Winnow's YAML (no YAML 1.1 booleans), so this one loads
        assert parse_vignette(text, INSTRUMENTS).answer("grooming").answer == "yes"
        return
    with pytest.raises(VignetteError) as caught:
        parse_vignette(text, INSTRUMENTS, path="bad.yaml")
    assert reason in caught.value.reason
    assert caught.value.line == _line_of(text, needle)
    assert str(caught.value).startswith(f"bad.yaml:{caught.value.line}: ")


def test_a_missing_answer_is_refused_with_the_items_named() -> None:
    text = "\n".join(line for line in GOOD.splitlines() if "substance_misuse:" not in line)
    with pytest.raises(VignetteError, match="no reference answer for substance_misuse"):
        parse_vignette(text, INSTRUMENTS)


def test_a_cport_vignette_must_give_the_score_the_engine_gives() -> None:
    text = (ROOT / "vignettes" / "cport" / "cport-03-history-and-breach.yaml").read_text().replace("score: 3", "score: 4")
    with pytest.raises(VignetteError, match="the reference answers score 3, not 4"):
        parse_vignette(text, INSTRUMENTS)


@pytest.mark.parametrize("text", ["", "- a list\n", "id: [\n", "a: 1\na: 2\n", "x: &a 1\ny: *a\n"])
def test_broken_yaml_is_refused_not_a_traceback(text: str) -> None:
    with pytest.raises(VignetteError):
        parse_vignette(text, INSTRUMENTS)


def test_a_file_that_is_not_utf8_or_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"id: caf\xe9\n")
    with pytest.raises(VignetteError, match="not UTF-8"):
        load_vignette(tmp_path / "a.yaml", INSTRUMENTS)
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(VignetteError, match="already used"):
        load_bank(tmp_path, INSTRUMENTS)


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("title:", "title: \x00", "the control character #x0000 is not allowed"),
    ("title:", "title: \x1b", "the control character #x001b is not allowed"),
    ('sexual_convictions: {answer: "0"', "sexual_convictions: {answer: " + "9" * 5000,
     "a whole number of more than 100 digits"),
])
def test_hostile_bytes_in_a_vignette_are_refused_with_the_line_not_a_traceback(old: str, new: str,
                                                                              reason: str) -> None:
    text = GOOD.replace(old, new, 1)
    with pytest.raises(VignetteError) as caught:
        parse_vignette(text, INSTRUMENTS, path="bad.yaml")
    assert reason in caught.value.reason and caught.value.line == _line_of(text, new[:12])


def test_a_vignette_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_vignette(tmp_path / "bom.yaml", INSTRUMENTS).id == "pp-03-access-and-grooming"
