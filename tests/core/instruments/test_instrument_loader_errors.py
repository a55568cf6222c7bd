"""Each kind of malformed instrument file is rejected with its file, line and reason.

Every case edits a small valid instrument (VALID) and checks the error names the file, the line where the
mistake is (found by a marker in the text, not a hard-coded number) and a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.core.instruments import InstrumentError, instrument_sha256, load_directory, load_instrument, score

VALID = textwrap.dedent(
    """\
    id: test-instrument
    version: "1"
    title: Test instrument
    monotone: true
    provenance:
      status: unvalidated
      sources: [Tests]
      validation: []
      validated_for: Nothing
      not_validated_for: Anything
      notice: Test only.
    applicability:
      population: test subjects
    bands:
      - {id: low, label: Low}
      - {id: high, label: High}
    sections:
      - id: main
        title: Main
        items:
          - {id: a, kind: yesno, question: Is A, help: A help}
          - {id: b, kind: yesno, question: Is B, help: B help}
          - {id: n, kind: count, question: How many, help: N help}
    derived:
      - id: a_or_b
        label: A or B
        when: {any_of: [a, b]}
    decision:
      steps:
        - id: s1
          title: Step 1
          rules:
            - id: r1
              band: high
              label: A or B
              when: a_or_b
      otherwise: {band: low, label: nothing}
    """
)

SCORED = VALID.replace(
    """decision:
  steps:
    - id: s1
      title: Step 1
      rules:
        - id: r1
          band: high
          label: A or B
          when: a_or_b
  otherwise: {band: low, label: nothing}
""",
    """score:
  label: Total
  items:
    - {item: a, points: 1}
    - {item: b, points: 1}
  bands:
    - {band: low, min: 0, max: 1}
    - {band: high, min: 2, max: 2}
""",
)


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in the text")


def rejected(tmp_path: Path, text: str) -> InstrumentError:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    error = info.value
    assert error.path == str(path)
    assert str(error) == (
        f"{path}:{error.line}: {error.reason}" if error.line is not None else f"{path}: {error.reason}"
    )
    return error


def test_the_valid_files_load(tmp_path: Path) -> None:
    for text in (VALID, SCORED):
        path = tmp_path / "ok.yaml"
        path.write_text(text, encoding="utf-8")
        instrument = load_instrument(path)
        assert instrument.id == "test-instrument"
        assert score(instrument, {"a": True, "b": True, "n": 0}).band.label == "High"  # type: ignore[union-attr]


def test_it_rejects_bad_yaml(tmp_path: Path) -> None:
    text = edit(VALID, "title: Test instrument", "title: [Test instrument")
    error = rejected(tmp_path, text)
    assert error.reason.startswith("bad YAML")
    assert error.line is not None and error.line >= line_of(text, "title: [Test")


def test_it_rejects_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    error = rejected(tmp_path, "- just\n- a list\n")
    assert (error.line, error.reason) == (1, "instrument: must be a mapping, found a list")


def test_it_rejects_an_unknown_item_in_a_step(tmp_path: Path) -> None:
    text = edit(VALID, "          when: a_or_b", "          when: {all_of: [a_or_b, grooming]}")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "grooming")
    assert error.reason == "rule 'r1': unknown item 'grooming'"


def test_it_rejects_an_unknown_item_in_a_derived_item(tmp_path: Path) -> None:
    text = edit(VALID, "when: {any_of: [a, b]}", "when: {any_of: [a, c]}")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "any_of: [a, c]")
    assert error.reason == "derived item 'a_or_b': unknown item 'c'"


def test_it_rejects_a_cycle_in_derived_items(tmp_path: Path) -> None:
    text = edit(
        VALID,
        "    when: {any_of: [a, b]}\n",
        "    when: {any_of: [a, b, c_and_a]}\n"
        "  - id: c_and_a\n"
        "    label: C and A\n"
        "    when: {all_of: [a_or_b, a]}\n",
    )
    error = rejected(tmp_path, text)
    assert "derived items form a cycle" in error.reason
    assert "a_or_b -> c_and_a -> a_or_b" in error.reason
    assert error.line == line_of(text, "- id: a_or_b")


def test_it_rejects_a_derived_item_that_uses_itself(tmp_path: Path) -> None:
    text = edit(VALID, "when: {any_of: [a, b]}", "when: {any_of: [a, a_or_b]}")
    error = rejected(tmp_path, text)
    assert error.reason == "derived items form a cycle: a_or_b -> a_or_b"


def test_it_rejects_overlapping_band_cut_offs(tmp_path: Path) -> None:
    text = edit(SCORED, "{band: high, min: 2, max: 2}", "{band: high, min: 1, max: 2}")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "band: high, min: 1")
    low_line = line_of(text, "band: low")
    assert error.reason == f"score cut-offs overlap: 1-2 (high) overlaps 0-1 (low, line {low_line})"


def test_it_rejects_gapped_band_cut_offs(tmp_path: Path) -> None:
    text = edit(SCORED, "{band: low, min: 0, max: 1}", "{band: low, min: 0, max: 0}")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "band: high, min: 2")
    assert error.reason == "score cut-offs leave a gap: scores 1-1 have no band"


@pytest.mark.parametrize(
    ("old", "new", "marker", "reason"),
    [
        (
            "{band: low, min: 0, max: 1}",
            "{band: low, min: 1, max: 1}",
            "band: low",
            "scores 0-0 have no band",
        ),
        (
            "{band: high, min: 2, max: 2}",
            "{band: high, min: 2, max: 5}",
            "band: high",
            "above the highest possible score 2",
        ),
        (
            "{band: high, min: 2, max: 2}",
            "{band: high, min: 2, max: 1}",
            "band: high",
            "'max' 1 is below 'min' 2",
        ),
    ],
)
def test_it_rejects_cut_offs_that_do_not_cover_the_score_range(
    tmp_path: Path, old: str, new: str, marker: str, reason: str
) -> None:
    text = edit(SCORED, old, new)
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, marker)
    assert reason in error.reason


def test_it_rejects_a_higher_score_with_a_lower_band(tmp_path: Path) -> None:
    text = edit(SCORED, "{band: low, min: 0, max: 1}", "{band: high, min: 0, max: 1}")
    text = edit(text, "{band: high, min: 2, max: 2}", "{band: low, min: 2, max: 2}")
    error = rejected(tmp_path, text)
    assert "a higher score gives a lower band" in error.reason


def test_it_rejects_duplicate_item_ids(tmp_path: Path) -> None:
    text = edit(VALID, "{id: b, kind: yesno", "{id: a, kind: yesno")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "{id: a, kind: yesno, question: Is B")
    assert error.reason == f"duplicate item id 'a' (first on line {line_of(text, 'question: Is A')})"


def test_it_rejects_a_derived_item_with_an_answered_items_id(tmp_path: Path) -> None:
    text = edit(VALID, "  - id: a_or_b\n", "  - id: b\n")
    text = edit(text, "when: a_or_b", "when: b")
    error = rejected(tmp_path, text)
    assert error.reason.startswith("duplicate item id 'b'")


def test_it_rejects_duplicate_yaml_keys(tmp_path: Path) -> None:
    text = edit(VALID, 'version: "1"\n', 'version: "1"\nversion: "2"\n')
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, 'version: "2"')
    assert "duplicate key 'version' (first on line 2)" in error.reason


@pytest.mark.parametrize(
    ("old", "new", "marker", "reason"),
    [
        (
            "kind: yesno, question: Is A",
            "kind: boolean, question: Is A",
            "kind: boolean",
            "item 'a': 'kind' must be one of yesno, count, choice, date, found 'boolean'",
        ),
        (
            'version: "1"',
            "version: 1.0",
            "version: 1.0",
            "instrument: 'version' must be text, found float 1.0 (quote it: version: \"1.0\")",
        ),
        (
            "monotone: true",
            "monotone: yes",
            "monotone: yes",
            "instrument: 'monotone' must be true or false, found str 'yes'",
        ),
        (
            "title: Test instrument",
            "title: 42",
            "title: 42",
            "instrument: 'title' must be text, found int 42",
        ),
        (
            "sources: [Tests]",
            "sources: Tests",
            "sources: Tests",
            "instrument.provenance: 'sources' must be a list, found str 'Tests'",
        ),
        (
            "status: unvalidated",
            "status: approved",
            "status: approved",
            "instrument.provenance: 'status' must be one of published, unvalidated, restricted, found 'approved'",
        ),
        (
            "{id: a, kind: yesno, question: Is A, help: A help}",
            "{id: a, kind: yesno, question: Is A, hlep: A help}",
            "hlep",
            "item 'a': 'help' is missing (is 'hlep' on line 21 a misspelling?)",
        ),
        (
            "{id: a, kind: yesno, question: Is A, help: A help}",
            "{id: a, kind: yesno, question: Is A, help: A help, colour: red}",
            "colour",
            "item 'a': unknown key 'colour' (expected one of: ",
        ),
        (
            "{id: n, kind: count, question: How many, help: N help}",
            "{id: n, kind: count, question: How many, help: N help, options: []}",
            "options: []",
            "item 'n': 'options' does not apply to a count item",
        ),
        ("{id: a, kind: yesno", "{id: Bad-Id, kind: yesno", "Bad-Id", "item"),
        (
            "          band: high\n",
            "          band: urgent\n",
            "band: urgent",
            "rule 'r1': unknown band 'urgent' (bands: low, high)",
        ),
        (
            "          when: a_or_b",
            "          when: n",
            "when: n",
            "rule 'r1': item 'n' is a count item; use 'threshold' or 'choice' to test it",
        ),
        (
            "          when: a_or_b",
            "          when: {some_of: [a]}",
            "some_of",
            "rule 'r1': unknown condition 'some_of'",
        ),
        (
            "          when: a_or_b",
            "          when: {threshold: {item: a, at_least: 1}}",
            "threshold",
            "rule 'r1': item 'a' is a yesno item; 'threshold' with 'item' needs a count item",
        ),
        (
            "          when: a_or_b",
            "          when: {count_at_least: {n: 3, of: [a, b]}}",
            "n: 3",
            "'n' is 3 but only 2 conditions are listed",
        ),
        (
            "          when: a_or_b",
            "          when: 7",
            "when: 7",
            "rule 'r1': a condition is an item id or a one-key mapping, found int 7",
        ),
        ("title: Test instrument\n", "", "id: test-instrument", "instrument: 'title' is missing"),
    ],
    ids=[
        "kind",
        "version-float",
        "monotone-yes",
        "title-int",
        "sources-text",
        "status",
        "misspelt-key",
        "unknown-key",
        "key-for-other-kind",
        "bad-id",
        "unknown-band",
        "count-as-yesno",
        "unknown-operator",
        "threshold-on-yesno",
        "count-at-least-too-high",
        "condition-int",
        "missing-key",
    ],
)
def test_it_rejects_wrong_types_and_shapes(
    tmp_path: Path, old: str, new: str, marker: str, reason: str
) -> None:
    text = edit(VALID, old, new)
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, marker)
    assert reason in error.reason


def test_it_rejects_a_monotone_claim_the_rules_break(tmp_path: Path) -> None:
    text = edit(VALID, "          when: a_or_b", "          when: {no: a}")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "when: {no: a}")
    assert (
        error.reason
        == "declared monotone, but rule 'r1' uses a No answer to 'a' (a Yes could lower the band)"
    )

    # Not monotone, the same rule is fine (and `no` is an operator, not YAML 1.1's False).
    assert (
        load_instrument(_write(tmp_path, edit(text, "monotone: true", "monotone: false"))).monotone is False
    )


def test_it_rejects_monotone_rules_out_of_band_order(tmp_path: Path) -> None:
    text = edit(
        VALID,
        "          when: a_or_b\n",
        "          when: a_or_b\n        - id: r2\n          band: low\n          label: B\n          when: b\n"
        "        - id: r3\n          band: high\n          label: N\n          when: {threshold: {item: n, at_least: 1}}\n",
    )
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "- id: r3")
    assert "rule 'r3' (high) comes after rule 'r2' (low)" in error.reason


def test_it_rejects_anchors_and_aliases(tmp_path: Path) -> None:
    text = edit(VALID, "title: Test instrument", "title: &t Test instrument\ndescription: *t")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "description: *t")
    assert "anchors and aliases" in error.reason


def test_it_rejects_an_instrument_without_a_way_to_band(tmp_path: Path) -> None:
    text = edit(VALID, "  otherwise: {band: low, label: nothing}\n", "")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "decision:")
    assert "when no rule fires there is no band" in error.reason


def test_it_rejects_a_fallback_on_its_own_instrument(tmp_path: Path) -> None:
    text = edit(
        VALID,
        "{id: b, kind: yesno, question: Is B, help: B help}",
        "{id: b, kind: yesno, question: Is B, help: B help, fallback: {instrument: test-instrument, score_at_least: 1, note: x}}",
    )
    error = rejected(tmp_path, text)
    assert error.reason == "item 'b': a fallback cannot refer to its own instrument"


def test_it_rejects_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("Test only.", "Test only \xe9.").encode("latin-1"))
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert info.value.line == line_of(VALID, "Test only.")
    assert info.value.reason == "the file is not UTF-8 text"


def test_it_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as info:
        load_instrument(tmp_path / "nowhere.yaml")
    assert info.value.line is None
    assert info.value.reason.startswith("cannot read the file")


def _write(tmp_path: Path, text: str, name: str = "file.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_directory_stops_at_the_first_broken_file(tmp_path: Path) -> None:
    _write(tmp_path, VALID, "a-good.yaml")
    broken = _write(tmp_path, edit(VALID, "when: a_or_b", "when: nothing"), "b-broken.yaml")
    _write(tmp_path, "{", "c-also-broken.yaml")

    with pytest.raises(InstrumentError) as info:
        load_directory(tmp_path)
    assert info.value.path == str(broken)
    assert info.value.reason == "rule 'r1': unknown item 'nothing'"


def test_load_directory_rejects_two_files_with_one_id(tmp_path: Path) -> None:
    first = _write(tmp_path, VALID, "one.yaml")
    second = _write(tmp_path, VALID, "two.yaml")

    with pytest.raises(InstrumentError) as info:
        load_directory(tmp_path)
    assert info.value.path == str(second)
    assert str(first) in info.value.reason


def test_load_directory_loads_by_id(tmp_path: Path) -> None:
    _write(tmp_path, VALID, "one.yaml")
    _write(tmp_path, edit(SCORED, "id: test-instrument", "id: scored"), "two.yaml")
    (tmp_path / "notes.txt").write_text("not an instrument")

    assert sorted(load_directory(tmp_path)) == ["scored", "test-instrument"]


def test_the_sha256_is_of_the_file_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert instrument_sha256(path) == digest
    instrument = load_instrument(path)
    assert instrument.sha256 == digest
    assert score(instrument, {}).instrument_sha256 == digest


def test_a_loaded_instrument_is_frozen(tmp_path: Path) -> None:
    instrument = load_instrument(_write(tmp_path, VALID))
    with pytest.raises(FrozenInstanceError):
        instrument.version = "2"  # type: ignore[misc]


def test_yaml_1_1_booleans_stay_text(tmp_path: Path) -> None:
    # "no", "yes", "on", "off" are option ids here, not booleans.
    text = edit(
        VALID,
        "{id: n, kind: count, question: How many, help: N help}",
        "{id: n, kind: count, question: How many, help: N help}\n"
        "      - id: c\n        kind: choice\n        question: C?\n        help: C help\n"
        "        options: [{id: yes, label: Yes}, {id: no, label: No}, {id: off, label: Off}]",
    )
    instrument = load_instrument(_write(tmp_path, text))
    assert [o.id for o in instrument.item("c").options] == ["yes", "no", "off"]


SHIPPED_TEXTS = sorted(
    (Path(__file__).resolve().parents[3] / "instruments").glob("*.yaml"), key=lambda p: p.name
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_mangled_file_is_loaded_or_rejected_never_crashes(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    source = data.draw(
        st.sampled_from([VALID, SCORED, *(p.read_text(encoding="utf-8") for p in SHIPPED_TEXTS)])
    )
    lines = source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            token = data.draw(
                st.sampled_from(["a", "no", "true", "7", "-1", "[]", "{}", "~", "{x: y}", "high", "'"])
            )
            line = lines[index]
            cut = data.draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + token + line[cut:]
    path = tmp_path_factory.mktemp("mangled") / "mangled.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    try:
        load_instrument(path)
    except InstrumentError as error:
        assert error.path == str(path) and error.reason


MAPPED = edit(
    VALID,
    "sections:\n",
    "sets_referral_priority:\n  low: low\n  high: very_high\nsections:\n",
)


def test_it_loads_the_mapping_of_bands_to_referral_priority(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(MAPPED, encoding="utf-8")
    instrument = load_instrument(path)
    assert instrument.sets_referral_priority
    assert instrument.priority_band("high") == "very_high" and instrument.priority_band("low") == "low"
    path.write_text(VALID, encoding="utf-8")
    assert not load_instrument(path).sets_referral_priority


def test_it_rejects_an_unknown_band_in_the_priority_mapping(tmp_path: Path) -> None:
    text = edit(MAPPED, "  high: very_high\n", "  high: very_high\n  medium: medium\n")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "  medium: medium")
    assert error.reason == "instrument.sets_referral_priority: unknown band 'medium' (bands: low, high)"


def test_it_rejects_a_band_left_out_of_the_priority_mapping(tmp_path: Path) -> None:
    text = edit(MAPPED, "  low: low\n", "")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "sets_referral_priority:")
    assert error.reason == (
        "instrument.sets_referral_priority: band 'low' is not mapped: map every band to a priority band"
    )


def test_it_rejects_a_priority_that_is_not_a_priority_band(tmp_path: Path) -> None:
    text = edit(MAPPED, "  high: very_high\n", "  high: urgent\n")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "high: urgent")
    assert error.reason == (
        "instrument.sets_referral_priority: 'urgent' is not a priority band (one of very_high, high, medium, low)"
    )


def test_it_rejects_a_priority_mapping_on_an_instrument_without_bands(tmp_path: Path) -> None:
    scored_only = edit(SCORED, "  bands:\n    - {band: low, min: 0, max: 1}\n    - {band: high, min: 2, max: 2}\n", "")
    scored_only = edit(scored_only, "bands:\n  - {id: low, label: Low}\n  - {id: high, label: High}\n", "")
    text = edit(scored_only, "sections:\n", "sets_referral_priority:\n  low: low\nsections:\n")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "sets_referral_priority:")
    assert error.reason == "instrument.sets_referral_priority: the instrument has no bands to map"


def test_it_rejects_a_priority_mapping_that_is_not_a_mapping(tmp_path: Path) -> None:
    text = edit(VALID, "sections:\n", "sets_referral_priority: [low, high]\nsections:\n")
    error = rejected(tmp_path, text)
    assert error.line == line_of(text, "sets_referral_priority:")
    assert error.reason == "instrument: 'sets_referral_priority' must be a mapping, found a list"


RATES = "expected_rates:\n  source: A force's own five-year follow-up (fictional, for tests)\n  by_band: {low: 0.1, high: 0.4}\n"


def test_expected_rates_load_by_band_and_by_score(tmp_path: Path) -> None:
    path = tmp_path / "rates.yaml"
    path.write_text(VALID + RATES, encoding="utf-8")
    rates = load_instrument(path).expected_rates
    assert rates is not None and rates.kind == "band" and rates.rate(band="high") == 0.4
    path.write_text(SCORED + 'expected_rates:\n  source: Test\n  by_score: {"0": 0.05, "1": 0.2, "2": 0.5}\n',
                    encoding="utf-8")
    rates = load_instrument(path).expected_rates
    assert rates is not None and rates.rate(score=1.0) == 0.2 and rates.rate(score=3.0) is None


@pytest.mark.parametrize(
    ("text", "marker", "reason"),
    [
        (RATES.replace("high: 0.4", "highest: 0.4"), "highest", "unknown band 'highest'"),
        (RATES.replace(", high: 0.4", ""), "by_band", "band 'high' has no expected rate"),
        (RATES.replace("0.4", "1.5"), "high: 1.5", "must be a probability between 0 and 1"),
        (RATES.replace("0.4", "yes"), "high: yes", "must be a probability between 0 and 1"),
        (RATES.replace("  source: A force's own five-year follow-up (fictional, for tests)\n", ""), "expected_rates",
         "'source'"),
        (RATES + "  by_score: {\"0\": 0.1}\n", "expected_rates", "exactly one of 'by_band' or 'by_score'"),
        (RATES.replace("by_band: {low: 0.1, high: 0.4}", "by_score: {\"0\": 0.1}"), "by_score",
         "the instrument has no score"),
    ],
)
def test_it_rejects_bad_expected_rates(tmp_path: Path, text: str, marker: str, reason: str) -> None:
    source = VALID + text
    error = rejected(tmp_path, source)
    assert reason in error.reason
    assert error.line == line_of(source, marker)
