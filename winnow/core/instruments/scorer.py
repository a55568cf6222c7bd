"""Score one set of answers against an instrument: `score(instrument, answers, *, other_results=None)`.

Answers map item ids to values: True/False for yes/no items, an int for counts, an option id for choices, a
`datetime.date` for dates, and `UNKNOWN` (or None) for unknown. An item left out is unknown. Anything else raises
`AnswerError` listing every bad answer; the scorer does not crash on any mapping of answers.

Unknown answers (policy, repeated in every explanation):
- Unknown is never No. Conditions are evaluated in three-valued logic: a condition that the known answers cannot
  settle is "undecided" (for example "A or B" with A = No and B unknown).
- A decision rule whose condition is undecided does NOT fire, and scoring passes on to the next rule. The result
  records every such rule, the unknown items that blocked it and the band it would have given
  (`result.undecided`). When one of them would have given another band, `result.rests_on_unknowns` is set and
  `result.highest_possible_band` names the highest band the unknown answers could lead to.
- An additive score counts known answers only (`result.score`, the lowest the full score can be) and gives the
  highest it could reach (`result.score_max`); score bands follow the lower figure, and the band is marked as
  resting on unknowns when the higher figure would fall in another band.
- The instrument's missing-data rule then decides whether there is a result at all: NOT_SCORABLE when more
  items are unknown than it allows (optionally unless the band was reached on known answers alone).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from winnow.core.instruments.compiler import Env, Fn, _Compiled, compile_instrument
from winnow.core.instruments.compiler import whole_years as whole_years  # re-exported: assessments use it
from winnow.core.instruments.errors import AnswerError
from winnow.core.instruments.explanation import build_explanation
from winnow.core.instruments.result import Driver, FallbackUse, Result, UndecidedRule
from winnow.core.instruments.schema import (
    NOT_SCORABLE,
    UNKNOWN,
    Band,
    Fallback,
    Instrument,
    Item,
    ItemKind,
    Rule,
    ScoreBand,
)

_YESNO, _COUNT, _CHOICE, _DATE = ItemKind.YESNO, ItemKind.COUNT, ItemKind.CHOICE, ItemKind.DATE


def _describe(value: Any) -> str:
    try:
        shown = repr(value)
    except Exception:  # noqa: BLE001 (a hostile __repr__ must not crash validation)
        shown = "?"
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"


_EXPECTED = {
    _YESNO: "must be True (Yes), False (No) or UNKNOWN",
    _COUNT: "must be a whole number",
    _CHOICE: "must be one of the item's options",
    _DATE: "must be a date",
}


def score(
    instrument: Instrument, answers: Mapping[Any, Any], *, other_results: Mapping[str, Any] | None = None
) -> Result:
    """Score `answers`; `other_results` maps instrument ids to their `Result` (or an int score) for fallbacks."""
    c = compile_instrument(instrument)
    _check_arguments(answers, other_results)
    env = _read_answers(c, answers)
    fallbacks = _apply_fallbacks(c, env, other_results)
    for derived_id, fn in c.derived:
        env[derived_id] = fn(env)
    unknown_items = tuple(item_id for item_id in c.input_ids if env[item_id] is None)
    fired, undecided = _run_rules(c, env)
    total, total_max = _add_score(c, env)
    band, cutoff, highest, decided_by, rests = _decide(c, fired, undecided, total, total_max)
    not_scorable_reason = _not_scorable_reason(instrument, c, env, unknown_items, rests, band)

    if not_scorable_reason is not None:
        band, highest, cutoff, total, total_max, fired = NOT_SCORABLE, None, None, None, None, None
        decided_by = "missing-data rule"
        drivers: tuple[Driver, ...] = ()
        undecided_out: tuple[UndecidedRule, ...] = ()
    else:
        drivers = _drivers(c, env, fired)
        undecided_out = tuple(
            UndecidedRule(rule.id, rule.step, rule_band, _undecided_items(c, env, rule))
            for rule, _, rule_band in undecided
        )

    answered = {item_id: (UNKNOWN if env[item_id] is None else env[item_id]) for item_id in c.input_ids}
    derived_values = {derived_id: env[derived_id] for derived_id, _ in c.derived}
    parts = dict(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_title=instrument.title,
        instrument_sha256=instrument.sha256,
        band=band,
        score=total,
        score_max=total_max,
        decided_by=decided_by,
        step_id=fired[0].step if fired is not None else None,
        rule_id=fired[0].id if fired is not None else None,
        cutoff=cutoff,
        drivers=drivers,
        unknown_count=len(unknown_items),
        unknown_items=unknown_items,
        rests_on_unknowns=rests and not_scorable_reason is None,
        undecided=undecided_out,
        highest_possible_band=highest,
        fallbacks=tuple(fallbacks),
        answers=MappingProxyType(answered),
        derived=MappingProxyType(derived_values),
        not_scorable_reason=not_scorable_reason,
    )
    return Result(**parts, explanation=build_explanation(instrument, parts))  # type: ignore[arg-type]


def _check_arguments(answers: object, other_results: object) -> None:
    if not isinstance(answers, Mapping):
        raise AnswerError(
            [("answers", f"must be a mapping of item id to answer, found {type(answers).__name__}")]
        )
    if other_results is not None and not isinstance(other_results, Mapping):
        raise AnswerError(
            [
                (
                    "other_results",
                    f"must be a mapping of instrument id to result, found {type(other_results).__name__}",
                )
            ]
        )


def _read_answers(c: _Compiled, answers: Mapping[Any, Any]) -> Env:
    """The working table of answers, or AnswerError listing every bad one. The accepting paths stay inline (this
    loop runs for every answer of every assessment); the messages for bad answers are built apart."""
    env = c.blank.copy()
    specs = c.specs
    problems: list[tuple[str, str]] = []
    for key, value in answers.items():
        spec = specs.get(key)
        if spec is None:
            problems.append(_unknown_item(c, key))
            continue
        kind = spec[0]
        if value is True or value is False:
            if kind is _YESNO:
                env[key] = value
                continue
        elif value is None or value is UNKNOWN:
            continue
        elif kind is _COUNT:
            if type(value) is int and value >= spec[1] and (spec[2] is None or value <= spec[2]):
                env[key] = value
                continue
        elif kind is _CHOICE:
            if type(value) is str and value in spec[3]:
                env[key] = value
                continue
        elif kind is _DATE and type(value) is date:
            env[key] = value
            continue
        problems.append((key, _answer_problem(spec, value)))
    if problems:
        raise AnswerError(problems)
    return env


def _unknown_item(c: _Compiled, key: Any) -> tuple[str, str]:
    if key in c.derived_ids:
        return key, "is a derived item: it is computed, not answered"
    return (key if type(key) is str else _describe(key)), "is not an item of this instrument"


def _answer_problem(spec: tuple[ItemKind, int, int | None, frozenset[str]], value: Any) -> str:
    kind = spec[0]
    if kind is _COUNT and type(value) is int:
        bound = f"at least {spec[1]}" + (f" and at most {spec[2]}" if spec[2] is not None else "")
        return f"must be {bound}, found {value}"
    if kind is _CHOICE and type(value) is str:
        return f"must be one of {', '.join(sorted(spec[3]))}, found {value!r}"
    return f"{_EXPECTED[kind]}, found {_describe(value)}"


def _apply_fallbacks(c: _Compiled, env: Env, other_results: Mapping[str, Any] | None) -> list[FallbackUse]:
    fallbacks: list[FallbackUse] = []
    for item_id, fallback in c.fallbacks:
        if env[item_id] is None:
            use = _use_fallback(item_id, fallback, other_results)
            fallbacks.append(use)
            env[item_id] = use.value
    return fallbacks


def _run_rules(c: _Compiled, env: Env) -> tuple[tuple[Rule, Fn, Band] | None, list[tuple[Rule, Fn, Band]]]:
    """The first rule that fires, and the undecided rules before it."""
    undecided: list[tuple[Rule, Fn, Band]] = []
    for entry in c.rules:
        value = entry[1](env)
        if value is True:
            return entry, undecided
        if value is None:
            undecided.append(entry)
    return None, undecided


def _add_score(c: _Compiled, env: Env) -> tuple[int | None, int | None]:
    """The additive score on known answers, and the highest the unknown answers could make it."""
    if not c.components:
        return None, None
    total = total_max = 0
    for item_id, yes, no, low, high, option_points in c.components:
        value = env[item_id]
        if value is None:
            total += low
            total_max += high
        elif option_points is not None:
            points = option_points[value]
            total += points
            total_max += points
        else:
            total += yes if value else no
            total_max += yes if value else no
    return total, total_max


def _decide(
    c: _Compiled,
    fired: tuple[Rule, Fn, Band] | None,
    undecided: list[tuple[Rule, Fn, Band]],
    total: int | None,
    total_max: int | None,
) -> tuple[Band | None, ScoreBand | None, Band | None, str, bool]:
    """(band, score cut-off, highest possible band, what decided, whether the band rests on unknowns)."""
    band: Band | None = None
    cutoff: ScoreBand | None = None
    highest: Band | None = None
    if fired is not None:
        band = fired[2]
        decided_by = f"rule {fired[0].id}"
    elif c.otherwise is not None:
        band = c.otherwise[1]
        decided_by = "otherwise (no rule fired)"
    elif c.cutoffs and total is not None and total_max is not None:
        cutoff, band = c.cutoffs[bisect_right(c.cutoff_starts, total) - 1]
        decided_by = f"score cut-off {cutoff.minimum}-{cutoff.maximum}"
        top_band = c.cutoffs[bisect_right(c.cutoff_starts, total_max) - 1][1]
        if top_band.rank > band.rank:
            highest = top_band  # the unknowns could lift the score into a higher band
    else:
        decided_by = "score"
    # An undecided rule matters only if firing it would give another band than the one reached.
    rests = any(rule_band is not band for _, _, rule_band in undecided) or highest is not None
    if band is not None:
        for _, _, rule_band in undecided:
            if highest is None or rule_band.rank > highest.rank:
                highest = rule_band
        if highest is None or highest.rank < band.rank:
            highest = band
    if total is not None and total != total_max:
        rests = rests or band is None  # a bare score with unknowns always rests on them
    return band, cutoff, highest, decided_by, rests


def _not_scorable_reason(
    instrument: Instrument,
    c: _Compiled,
    env: Env,
    unknown_items: tuple[str, ...],
    rests: bool,
    band: Band | None,
) -> str | None:
    """Why the missing-data rule withholds a result, or None."""
    missing = instrument.missing
    if missing is None:
        return None
    counted = len(unknown_items) if c.missing_all else sum(1 for i in c.missing_ids if env[i] is None)
    if counted <= missing.max_unknown or (missing.exempt_when_decided and not rests and band is not None):
        return None
    return (
        f"{counted} of the {len(c.missing_ids)} counted items are unknown; "
        f"the missing-data rule allows at most {missing.max_unknown}"
        + (" unless the band is reached on known answers alone" if missing.exempt_when_decided else "")
    )


def _use_fallback(item_id: str, fallback: Fallback, other_results: Mapping[str, Any] | None) -> FallbackUse:
    other = other_results.get(fallback.instrument) if other_results is not None else None
    if other is None:
        return FallbackUse(item_id, fallback.instrument, "not given", None, fallback.note)
    if type(other) is int:
        low = high = other
    elif isinstance(other, Result):
        if other.instrument_id != fallback.instrument:
            raise AnswerError(
                [(f"other_results[{fallback.instrument!r}]", f"is a result of {other.instrument_id!r}")]
            )
        if other.score is None or other.score_max is None or not other.scorable:
            return FallbackUse(item_id, fallback.instrument, "not scorable", None, fallback.note)
        low, high = other.score, other.score_max
    else:
        raise AnswerError(
            [
                (
                    f"other_results[{fallback.instrument!r}]",
                    f"must be a Result or an int score, found {_describe(other)}",
                )
            ]
        )
    shown = str(low) if low == high else f"{low}-{high}"
    if low >= fallback.score_at_least:
        value: bool | None = True
    elif high < fallback.score_at_least:
        value = False
    else:
        value = None
    return FallbackUse(item_id, fallback.instrument, shown, value, fallback.note)


def answer_text(item: Item, value: Any) -> str:
    if value is None or value is UNKNOWN:
        return "Unknown"
    if item.kind is _YESNO:
        return "Yes" if value else "No"
    if item.kind is _CHOICE:
        return item.option_label(value)
    if item.kind is _DATE:
        return str(value.isoformat())
    return str(value)


def _drivers(c: _Compiled, env: Env, fired: tuple[Rule, Fn, Band] | None) -> tuple[Driver, ...]:
    ids: list[str] = []
    if fired is not None:
        c.rule_tracers[fired[0].id](env, True, ids)
    else:
        # Nothing fired: the answers that kept each rule from firing decided the band.
        for rule, fn, _ in c.rules:
            if fn(env) is False:
                c.rule_tracers[rule.id](env, False, ids)
        for item_id, *_ in c.components:
            ids.append(item_id)
            value = env[item_id]
            if value is not None and item_id in c.derived_tracers:
                c.derived_tracers[item_id](env, value, ids)  # the answers a scored derived item came from
    out: list[Driver] = []
    seen: set[str] = set()
    items = c.items
    for item_id in ids:
        value = env[item_id]
        if item_id in seen or value is None:
            continue
        seen.add(item_id)
        item = items.get(item_id)
        if item is not None:
            out.append(Driver(item_id, item.question, answer_text(item, value)))
        else:  # a scored derived item
            out.append(Driver(item_id, c.derived_labels[item_id], "Yes" if value else "No"))
    return tuple(out)


def _undecided_items(c: _Compiled, env: Env, rule: Rule) -> tuple[str, ...]:
    ids: list[str] = []
    c.rule_tracers[rule.id](env, None, ids)
    return tuple(dict.fromkeys(ids))
