"""Compile an instrument once into closures and lookup tables for the scorer (`compile_instrument`, cached on the
instrument), and into tracers that say which answered items are behind a condition's value (for explanations).

Three-valued logic throughout: a compiled condition returns True, False or None (undecided by the known answers).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from winnow.core.instruments.schema import (
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


def _compile_one(cond: Condition, fn_by_id: dict[int, Fn]) -> Fn:
    if isinstance(cond, Ref):
        return _compile_ref(cond)
    if isinstance(cond, AnyOf | AllOf):
        return _compile_any_all(cond, fn_by_id)
    if isinstance(cond, Not):
        return _compile_not(cond, fn_by_id)
    if isinstance(cond, CountAtLeast):
        return _compile_count(cond, fn_by_id)
    if isinstance(cond, Threshold):
        return _compile_threshold(cond)
    assert isinstance(cond, ChoiceIn)
    return _compile_choice(cond)


def _compile_ref(cond: Ref) -> Fn:
    key = cond.item
    if not cond.negated:
        return operator.itemgetter(key)  # the stored value is already True, False or None

    def is_no(env: Env) -> Any:
        value = env[key]
        return None if value is None else not value

    return is_no


def _compile_any_all(cond: AnyOf | AllOf, fn_by_id: dict[int, Fn]) -> Fn:
    stop = isinstance(cond, AnyOf)  # AnyOf stops at the first True, AllOf at the first False
    if all(isinstance(p, Ref) and not p.negated for p in cond.of):
        keys = tuple(p.item for p in cond.of if isinstance(p, Ref))
        for part in cond.of:
            _compile(part, fn_by_id)  # registered for explanations; the fast path reads the keys directly

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

    parts = tuple(_compile(p, fn_by_id) for p in cond.of)

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


def _compile_not(cond: Not, fn_by_id: dict[int, Fn]) -> Fn:
    inner = _compile(cond.of, fn_by_id)

    def negate(env: Env) -> Any:
        value = inner(env)
        return None if value is None else not value

    return negate


def _compile_count(cond: CountAtLeast, fn_by_id: dict[int, Fn]) -> Fn:
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


def _compile_threshold(cond: Threshold) -> Fn:
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


def _compile_choice(cond: ChoiceIn) -> Fn:
    key = cond.item
    options = frozenset(cond.options)

    def choice(env: Env) -> Any:
        value = env[key]
        return None if value is None else value in options

    return choice


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
