"""Properties of the scorer over random answers (hypothesis).

- Any answers give a Result or a typed AnswerError: never a crash.
- For instruments declared monotone, turning one answer from No to Yes (or from unknown to Yes) never lowers the
  band, and never lowers the score.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winnow.core.instruments import (
    NOT_SCORABLE,
    UNKNOWN,
    AnswerError,
    Instrument,
    ItemKind,
    Result,
    format_result,
    score,
)
from winnow.core.instruments.loader import load_directory

SHIPPED = load_directory(Path(__file__).resolve().parents[3] / "instruments")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_strategy(instrument: Instrument, item_id: str) -> st.SearchStrategy[Any]:
    item = instrument.item(item_id)
    unknown = st.sampled_from([UNKNOWN, None])
    if item.kind is ItemKind.YESNO:
        return st.one_of(st.booleans(), unknown)
    if item.kind is ItemKind.COUNT:
        return st.one_of(
            st.integers(item.minimum or 0, item.maximum if item.maximum is not None else 1000), unknown
        )
    if item.kind is ItemKind.CHOICE:
        return st.one_of(st.sampled_from([o.id for o in item.options]), unknown)
    return st.one_of(st.dates(), unknown)


def answers_strategy(instrument: Instrument) -> st.SearchStrategy[dict[str, Any]]:
    """Any valid answers: each item answered, unknown, None or left out."""
    return st.fixed_dictionaries(
        {}, optional={i.id: value_strategy(instrument, i.id) for i in instrument.items}
    )


@st.composite
def biased_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, Any]:
    """Valid answers from a drawn mix of Yes, No and unknown: mostly-No and mostly-Yes subjects, few or many
    unknowns, so the rules' narrow corners (one Yes among many Noes) come up often."""
    yes_in_20 = draw(st.sampled_from([1, 4, 10, 16]))
    unknown_in_20 = draw(st.sampled_from([0, 1, 4, 12]))
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if draw(st.integers(0, 19)) < unknown_in_20:
            answers[item.id] = draw(st.sampled_from([UNKNOWN, None]))
        elif item.kind is ItemKind.YESNO:
            answers[item.id] = draw(st.integers(0, 19)) < yes_in_20
        elif item.kind is ItemKind.COUNT:
            low = item.minimum or 0
            answers[item.id] = draw(st.one_of(st.integers(low, low + 3), value_strategy(instrument, item.id)))
        else:
            answers[item.id] = draw(value_strategy(instrument, item.id))
    return answers


def any_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(answers_strategy(instrument), biased_answers(instrument))


def other_results_strategy() -> st.SearchStrategy[dict[str, Any] | None]:
    return st.one_of(st.none(), st.fixed_dictionaries({"casic": st.integers(0, 6)}))


def check_result(instrument: Instrument, answers: dict[str, Any], result: Result) -> None:
    unknown = [i.id for i in instrument.items if answers.get(i.id) in (None, UNKNOWN) or i.id not in answers]
    assert result.unknown_count == len(result.unknown_items)
    assert set(result.unknown_items) <= set(unknown)  # a fallback may answer one
    assert result.explanation and all(isinstance(line, str) and line for line in result.explanation)
    assert instrument.provenance.notice in result.explanation
    if result.scorable:
        if instrument.score is not None:
            assert result.score is not None and result.score_max is not None
            assert instrument.score.minimum <= result.score <= result.score_max <= instrument.score.maximum
        if instrument.decision is not None:
            assert result.band is not None and result.band in instrument.bands
            assert result.highest_possible_band is not None
            assert result.highest_possible_band.rank >= result.band.rank
            assert result.rests_on_unknowns == (result.highest_possible_band.rank > result.band.rank)
    else:
        assert result.band is NOT_SCORABLE and result.not_scorable_reason
    format_result(result)


def rank(result: Result) -> int:
    return result.band.rank if result.band is not None else 0


def score_key(result: Result) -> tuple[int, int]:
    if not result.scorable or result.score is None:
        return (-1, -1)
    return (result.score, result.score_max or 0)


@pytest.mark.parametrize("instrument_id", sorted(SHIPPED))
def test_it_never_crashes_on_valid_answers(instrument_id: str) -> None:
    instrument = SHIPPED[instrument_id]

    @SETTINGS
    @given(answers=any_answers(instrument), other=other_results_strategy())
    def check(answers: dict[str, Any], other: dict[str, Any] | None) -> None:
        check_result(instrument, answers, score(instrument, answers, other_results=other))

    check()


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(UNKNOWN),
    st.just(float("inf")),
)


@pytest.mark.parametrize("instrument_id", sorted(SHIPPED))
def test_it_never_crashes_on_garbage(instrument_id: str) -> None:
    instrument = SHIPPED[instrument_id]
    keys = st.one_of(
        st.sampled_from([i.id for i in instrument.items] + [d.id for d in instrument.derived]),
        st.text(max_size=10),
        st.integers(),
        st.none(),
        st.tuples(st.integers()),
    )

    @SETTINGS
    @given(
        answers=st.one_of(st.dictionaries(keys, ANYTHING, max_size=20), ANYTHING),
        other=st.one_of(
            st.none(), ANYTHING, st.dictionaries(st.sampled_from(["casic", "cport", "x"]), ANYTHING)
        ),
    )
    def check(answers: Any, other: Any) -> None:
        try:
            result = score(instrument, answers, other_results=other)
        except AnswerError as exc:
            assert exc.problems and all(isinstance(reason, str) for _, reason in exc.problems)
            str(exc)
        else:
            check_result(instrument, answers, result)

    check()


MONOTONE = sorted(name for name, instrument in SHIPPED.items() if instrument.monotone)


def test_the_shipped_instruments_are_declared_monotone() -> None:
    assert MONOTONE == ["casic", "cport", "phased-prioritisation"]


@pytest.mark.parametrize("instrument_id", MONOTONE)
def test_a_yes_never_lowers_the_band_or_the_score(instrument_id: str) -> None:
    instrument = SHIPPED[instrument_id]
    yesno = [i.id for i in instrument.items if i.kind is ItemKind.YESNO]

    @SETTINGS
    @given(answers=any_answers(instrument), other=other_results_strategy(), data=st.data())
    def check(answers: dict[str, Any], other: dict[str, Any] | None, data: st.DataObject) -> None:
        flippable = [i for i in yesno if answers.get(i) in (False, None, UNKNOWN) or i not in answers]
        if not flippable:
            return
        item = data.draw(st.sampled_from(flippable))
        before = score(instrument, answers, other_results=other)
        after = score(instrument, {**answers, item: True}, other_results=other)
        was_no = answers.get(item) is False
        if before.scorable:
            # From No, the number of unknowns is the same; from unknown it falls: either way still scorable.
            assert after.scorable
        assert rank(after) >= rank(before), (item, before.band, after.band)
        if was_no and before.scorable:
            assert score_key(after) >= score_key(before)
        if before.scorable and after.scorable and before.score is not None and after.score is not None:
            assert after.score >= before.score

    check()


@pytest.mark.parametrize("instrument_id", MONOTONE)
def test_a_yes_never_lowers_the_band_exhaustively(instrument_id: str) -> None:
    """Every combination of Yes and No (and unknown, for the small instruments), each flipped one item at a time."""
    instrument = SHIPPED[instrument_id]
    yesno = [i.id for i in instrument.items if i.kind is ItemKind.YESNO]
    values: list[Any] = [False, True] if len(yesno) > 8 else [False, True, UNKNOWN]
    counts = [i for i in instrument.items if i.kind is ItemKind.COUNT]
    assert all(i.kind in (ItemKind.YESNO, ItemKind.COUNT) for i in instrument.items)
    count_values = [
        [
            v
            for v in {(i.minimum or 0), (i.minimum or 0) + 1, (i.minimum or 0) + 2, 35, 36}
            if i.maximum is None or v <= i.maximum
        ]
        for i in counts
    ]
    for fixed in itertools.product(*count_values):
        base = {item.id: value for item, value in zip(counts, fixed, strict=True)}
        outcome: dict[tuple[Any, ...], tuple[int, int]] = {}
        for combo in itertools.product(values, repeat=len(yesno)):
            result = score(instrument, {**base, **dict(zip(yesno, combo, strict=True))})
            outcome[combo] = (
                rank(result),
                result.score if result.scorable and result.score is not None else -1,
            )
        for combo, (band_rank, total) in outcome.items():
            for index, value in enumerate(combo):
                if value is True:
                    continue
                flipped = outcome[(*combo[:index], True, *combo[index + 1 :])]
                assert flipped[0] >= band_rank, (base, combo, yesno[index])
                if value is False and total >= 0:
                    assert flipped[1] >= total, (base, combo, yesno[index])
