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

import operator
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from winnow.core.instruments.errors import AnswerError
from winnow.core.instruments.explanation import build_explanation
from winnow.core.instruments.result import Driver, FallbackUse, Result, UndecidedRule
from winnow.core.instruments.schema import (
    NOT_SCORABLE,
    UNKNOWN,
    AllOf,
    AnyOf,
    Band,
    ChoiceIn,
    Condition,
    CountAtLeast,
    Fallback,
    Instrument,
    Item,
    ItemKind,
    Not,
    Ref,
    Rule,
    ScoreBand,
    Threshold,
)

Env = dict[str, Any]  # item id -> value; None is unknown (internally only: faster than a sentinel test)
Fn = Callable[[Env], Any]  # returns True, False or None (undecided)
# A tracer appends the answered items behind a condition's value to `out`: what made it true (want=True), false
# (want=False), or the unknown items that left it undecided (want=None). Used only to explain a result.
Tracer = Callable[[Env, Any, list[str]], None]

_YESNO, _COUNT, _CHOICE, _DATE = ItemKind.YESNO, ItemKind.COUNT, ItemKind.CHOICE, ItemKind.DATE


@dataclass(slots=True)
class _Compiled:
    blank: Env
    specs: dict[str, tuple[ItemKind, int, int | None, frozenset[str]]]
    items: dict[str, Item]
    input_ids: tuple[str, ...]
    derived_ids: frozenset[str]
    derived: tuple[tuple[str, Fn], ...]
    derived_labels: dict[str, str]
    labels: dict[str, str]  # question or label of every answered and derived item
    fallbacks: tuple[tuple[str, Fallback], ...]
    rules: tuple[tuple[Rule, Fn, Band], ...]
    otherwise: tuple[str, Band] | None
    # score: (item, Yes points, No points, lowest and highest when unknown, option points or None)
    components: tuple[tuple[str, int, int, int, int, dict[str, int] | None], ...]
    cutoff_starts: tuple[
        int, ...
    ]  # each cut-off's minimum, ascending (the loader checks they tile the range)
    cutoffs: tuple[tuple[ScoreBand, Band], ...]
    missing_ids: tuple[str, ...]
    missing_all: bool  # the missing-data rule counts every answered item
    rule_tracers: dict[str, Tracer]
    derived_tracers: dict[str, Tracer]
    deciders: dict[str, str]  # rule id -> "Step title, rule id: label"


def compile_instrument(instrument: Instrument) -> _Compiled:
    """Turn the instrument into closures and lookup tables, once; cached on the instrument."""
    compiled = instrument.compiled
    if isinstance(compiled, _Compiled):
        return compiled
    fn_by_id: dict[int, Fn] = {}
    items = {item.id: item for item in instrument.items}
    bands = {band.id: band for band in instrument.bands}
    blank: Env = dict.fromkeys(items)
    blank.update(dict.fromkeys(d.id for d in instrument.derived))
    specs = {
        item.id: (
            item.kind,
            item.minimum or 0,
            item.maximum,
            frozenset(o.id for o in item.options),
        )
        for item in instrument.items
    }
    derived = tuple((d.id, _compile(d.when, fn_by_id)) for d in instrument.derived)
    rule_tracers: dict[str, Tracer] = {}
    derived_tracers: dict[str, Tracer] = {}
    for d in instrument.derived:  # in dependency order, so a derived item's tracer exists before it is used
        derived_tracers[d.id] = _tracer(d.when, fn_by_id, derived_tracers)
    rules: list[tuple[Rule, Fn, Band]] = []
    deciders: dict[str, str] = {}
    otherwise = None
    if instrument.decision is not None:
        for step in instrument.decision.steps:
            for rule in step.rules:
                rules.append((rule, _compile(rule.when, fn_by_id), bands[rule.band]))
                rule_tracers[rule.id] = _tracer(rule.when, fn_by_id, derived_tracers)
                deciders[rule.id] = f"{step.title}, rule {rule.id}: {rule.label}"
        if instrument.decision.otherwise is not None:
            otherwise = (instrument.decision.otherwise.label, bands[instrument.decision.otherwise.band])
    components: list[tuple[str, int, int, int, int, dict[str, int] | None]] = []
    if instrument.score is not None:
        for comp in instrument.score.components:
            if comp.option_points:
                points = dict(comp.option_points)
                components.append((comp.item, 0, 0, min(points.values()), max(points.values()), points))
            else:
                low, high = sorted((comp.points, comp.points_if_no))
                components.append((comp.item, comp.points, comp.points_if_no, low, high, None))
    missing_ids = instrument.missing.items if instrument.missing is not None else ()
    compiled = _Compiled(
        blank=blank,
        specs=specs,
        items=items,
        input_ids=tuple(items),
        derived_ids=frozenset(d.id for d in instrument.derived),
        derived=derived,
        derived_labels={d.id: d.label for d in instrument.derived},
        labels={
            **{i.id: i.question for i in instrument.items},
            **{d.id: d.label for d in instrument.derived},
        },
        fallbacks=tuple((item.id, item.fallback) for item in instrument.items if item.fallback is not None),
        rules=tuple(rules),
        otherwise=otherwise,
        components=tuple(components),
        cutoff_starts=tuple(cut.minimum for cut in instrument.score.bands) if instrument.score else (),
        cutoffs=tuple((cut, bands[cut.band]) for cut in instrument.score.bands) if instrument.score else (),
        missing_ids=missing_ids,
        missing_all=set(missing_ids) == set(items),
        rule_tracers=rule_tracers,
        derived_tracers=derived_tracers,
        deciders=deciders,
    )
    object.__setattr__(instrument, "compiled", compiled)
    return compiled


def whole_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (an age on a date); negative when `end` is earlier."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _compile(cond: Condition, fn_by_id: dict[int, Fn]) -> Fn:
    fn = _compile_one(cond, fn_by_id)
    fn_by_id[id(cond)] = fn
    return fn


def _compile_one(cond: Condition, fn_by_id: dict[int, Fn]) -> Fn:  # noqa: C901 (one case per form)
    if isinstance(cond, Ref):
        key = cond.item
        if not cond.negated:
            return operator.itemgetter(key)  # the stored value is already True, False or None

        def is_no(env: Env) -> Any:
            value = env[key]
            return None if value is None else not value

        return is_no

    if isinstance(cond, AnyOf | AllOf) and all(isinstance(p, Ref) and not p.negated for p in cond.of):
        keys = tuple(p.item for p in cond.of if isinstance(p, Ref))
        for part in cond.of:
            _compile(part, fn_by_id)  # registered for explanations; the fast path reads the keys directly
        stop = isinstance(cond, AnyOf)  # AnyOf stops at the first True, AllOf at the first False

        def flat(env: Env) -> Any:
            undecided = False
            for key in keys:
                value = env[key]
                if value is stop:
                    return stop
                if value is None:
                    undecided = True
            return None if undecided else not stop

        return flat

    if isinstance(cond, AnyOf | AllOf):
        parts = tuple(_compile(p, fn_by_id) for p in cond.of)
        stop = isinstance(cond, AnyOf)

        def nested(env: Env) -> Any:
            undecided = False
            for part in parts:
                value = part(env)
                if value is stop:
                    return stop
                if value is None:
                    undecided = True
            return None if undecided else not stop

        return nested

    if isinstance(cond, Not):
        inner = _compile(cond.of, fn_by_id)

        def negate(env: Env) -> Any:
            value = inner(env)
            return None if value is None else not value

        return negate

    if isinstance(cond, CountAtLeast):
        parts = tuple(_compile(p, fn_by_id) for p in cond.of)
        n = cond.n

        def count(env: Env) -> Any:
            true = undecided = 0
            for part in parts:
                value = part(env)
                if value is True:
                    true += 1
                elif value is None:
                    undecided += 1
            if true >= n:
                return True
            return None if true + undecided >= n else False

        return count

    if isinstance(cond, Threshold):
        low = cond.at_least if cond.at_least is not None else float("-inf")
        high = cond.at_most if cond.at_most is not None else float("inf")
        if cond.item is not None:
            key = cond.item

            def threshold(env: Env) -> Any:
                value = env[key]
                return None if value is None else low <= value <= high

            return threshold
        assert cond.between is not None
        start_key, end_key = cond.between
        years = cond.unit == "years"

        def between(env: Env) -> Any:
            start, end = env[start_key], env[end_key]
            if start is None or end is None:
                return None
            value = whole_years(start, end) if years else (end - start).days
            return low <= value <= high

        return between

    assert isinstance(cond, ChoiceIn)
    key = cond.item
    options = frozenset(cond.options)

    def choice(env: Env) -> Any:
        value = env[key]
        return None if value is None else value in options

    return choice


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
    env = c.blank.copy()
    specs = c.specs
    problems: list[tuple[str, str]] = []
    for key, value in answers.items():
        spec = specs.get(key)
        if spec is None:
            if key in c.derived_ids:
                problems.append((key, "is a derived item: it is computed, not answered"))
            else:
                problems.append(
                    (key if type(key) is str else _describe(key), "is not an item of this instrument")
                )
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
            if type(value) is int:
                bound = f"at least {spec[1]}" + (f" and at most {spec[2]}" if spec[2] is not None else "")
                problems.append((key, f"must be {bound}, found {value}"))
                continue
        elif kind is _CHOICE:
            if type(value) is str and value in spec[3]:
                env[key] = value
                continue
            if type(value) is str:
                problems.append((key, f"must be one of {', '.join(sorted(spec[3]))}, found {value!r}"))
                continue
        elif kind is _DATE and type(value) is date:
            env[key] = value
            continue
        problems.append((key, f"{_EXPECTED[kind]}, found {_describe(value)}"))
    if problems:
        raise AnswerError(problems)

    fallbacks: list[FallbackUse] = []
    for item_id, fallback in c.fallbacks:
        if env[item_id] is None:
            use = _use_fallback(item_id, fallback, other_results)
            fallbacks.append(use)
            env[item_id] = use.value
    for derived_id, fn in c.derived:
        env[derived_id] = fn(env)

    unknown_items = tuple(item_id for item_id in c.input_ids if env[item_id] is None)

    fired: tuple[Rule, Fn, Band] | None = None
    undecided: list[tuple[Rule, Fn, Band]] = []
    for entry in c.rules:
        value = entry[1](env)
        if value is True:
            fired = entry
            break
        if value is None:
            undecided.append(entry)

    total = total_max = None
    if c.components:
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

    not_scorable_reason = None
    missing = instrument.missing
    if missing is not None:
        counted = len(unknown_items) if c.missing_all else sum(1 for i in c.missing_ids if env[i] is None)
        if counted > missing.max_unknown and not (
            missing.exempt_when_decided and not rests and band is not None
        ):
            not_scorable_reason = (
                f"{counted} of the {len(c.missing_ids)} counted items are unknown; "
                f"the missing-data rule allows at most {missing.max_unknown}"
                + (
                    " unless the band is reached on known answers alone"
                    if missing.exempt_when_decided
                    else ""
                )
            )

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


def _tracer(cond: Condition, fns: dict[int, Fn], derived: dict[str, Tracer]) -> Tracer:
    """Compile the explanation of a condition: which answered items are behind its value."""
    if isinstance(cond, Ref):
        key = cond.item
        if key in derived:
            inner = derived[key]
            if not cond.negated:
                return inner

            def negated_derived(env: Env, want: Any, out: list[str]) -> None:
                inner(env, None if want is None else not want, out)

            return negated_derived

        def answered(env: Env, want: Any, out: list[str]) -> None:
            if want is not None or env[key] is None:
                out.append(key)

        return answered

    if isinstance(cond, Not):
        inner_not = _tracer(cond.of, fns, derived)

        def negation(env: Env, want: Any, out: list[str]) -> None:
            inner_not(env, None if want is None else not want, out)

        return negation

    if isinstance(cond, AnyOf | AllOf | CountAtLeast):
        # Follow the parts that share the whole's value: for "any of" that is true, its true parts; and so on.
        parts = tuple((fns[id(part)], _tracer(part, fns, derived)) for part in cond.of)

        def composite(env: Env, want: Any, out: list[str]) -> None:
            for fn, trace in parts:
                if fn(env) is want:
                    trace(env, want, out)

        return composite

    if isinstance(cond, Threshold):
        keys: tuple[str, ...] = (cond.item,) if cond.item is not None else cond.between or ()
    else:
        keys = (cond.item,)

    def operands(env: Env, want: Any, out: list[str]) -> None:
        out.extend(k for k in keys if want is not None or env[k] is None)

    return operands
