"""Conditions: parsing `yes`/`no`/`any_of`/`all_of`/`not`/`count_at_least`/`threshold`/`choice`, checking
their item references and kinds, and ordering derived items by dependency (a cycle is an error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from winnow.core.instruments.loader.fields import MAX_CONDITION_DEPTH, _describe, _Map, _ParserBase
from winnow.core.instruments.marked_yaml import MarkedDict, MarkedList
from winnow.core.instruments.schema import (
    AllOf,
    AnyOf,
    ChoiceIn,
    Condition,
    CountAtLeast,
    DerivedItem,
    Item,
    ItemKind,
    Not,
    Ref,
    Threshold,
)


class _ConditionParser(_ParserBase):
    """Parses and checks conditions."""

    OPERATORS = ("yes", "no", "any_of", "all_of", "not", "count_at_least", "threshold", "choice")

    def condition(self, value: Any, line: int, where: str, depth: int) -> Condition:
        if depth > MAX_CONDITION_DEPTH:
            self.fail(line, f"{where}: conditions nest more than {MAX_CONDITION_DEPTH} deep")
        if isinstance(value, str):
            return Ref(value.strip(), False, line)
        if not isinstance(value, MarkedDict):
            self.fail(
                line, f"{where}: a condition is an item id or a one-key mapping, found {_describe(value)}"
            )
        if len(value) != 1:
            keys = ", ".join(value) or "none"
            self.fail(
                value.line,
                f"{where}: a condition mapping has exactly one key, one of "
                f"{', '.join(self.OPERATORS)} (found {keys})",
            )
        ((op, arg),) = value.items()
        arg_line = value.value_lines[op]
        if op in ("yes", "no"):
            if not isinstance(arg, str):
                self.fail(arg_line, f"{where}: '{op}' takes an item id, found {_describe(arg)}")
            return Ref(arg.strip(), op == "no", arg_line)
        if op in ("any_of", "all_of"):
            parts = self.condition_list(arg, arg_line, f"{where}.{op}", depth)
            return AnyOf(parts, value.line) if op == "any_of" else AllOf(parts, value.line)
        if op == "not":
            return Not(self.condition(arg, arg_line, f"{where}.not", depth + 1), value.line)
        if op == "count_at_least":
            m = self.as_map(arg, arg_line, f"{where}.count_at_least")
            n = m.integer("n", minimum=1)
            assert n is not None
            parts = self.condition_list(m.raw("of", required=True), m.line("of"), f"{m.where}.of", depth)
            if n > len(parts):
                m.fail("n", f"'n' is {n} but only {len(parts)} conditions are listed: it can never be met")
            m.done()
            return CountAtLeast(n, parts, value.line)
        if op == "threshold":
            return self.threshold(self.as_map(arg, arg_line, f"{where}.threshold"), value.line)
        if op == "choice":
            m = self.as_map(arg, arg_line, f"{where}.choice")
            item = m.text("item")
            options = m.texts("in")
            if not options:
                m.fail("in", "'in' must list at least one option")
            m.done()
            return ChoiceIn(item, options, value.line)
        self.fail(
            value.key_lines[op],
            f"{where}: unknown condition {op!r} (expected one of {', '.join(self.OPERATORS)})",
        )

    def condition_list(self, value: Any, line: int, where: str, depth: int) -> tuple[Condition, ...]:
        if not isinstance(value, MarkedList) or not value:
            self.fail(line, f"{where}: must be a non-empty list of conditions, found {_describe(value)}")
        return tuple(
            self.condition(part, part_line, where, depth + 1)
            for part, part_line in zip(value, value.item_lines, strict=True)
        )

    def threshold(self, m: _Map, line: int) -> Threshold:
        sources = [key for key in ("item", "years_between", "days_between") if m.has(key)]
        if len(sources) != 1:
            m.fail(None, "give exactly one of 'item', 'years_between' or 'days_between'")
        item = between = None
        unit = "value"
        if sources[0] == "item":
            item = m.text("item")
        else:
            unit = "years" if sources[0] == "years_between" else "days"
            dates = m.texts(sources[0])
            if len(dates) != 2:
                m.fail(sources[0], f"{sources[0]!r} takes two date items: [from, to]")
            between = (dates[0], dates[1])
        at_least = m.integer("at_least", required=False)
        at_most = m.integer("at_most", required=False)
        if at_least is None and at_most is None:
            m.fail(None, "give 'at_least', 'at_most' or both")
        if at_least is not None and at_most is not None and at_least > at_most:
            m.fail("at_most", f"'at_least' {at_least} is above 'at_most' {at_most}: it can never be met")
        m.done()
        return Threshold(item, between, unit, at_least, at_most, line)

    def check_condition(
        self, cond: Condition, items: dict[str, Item], derived: dict[str, DerivedItem], where: str
    ) -> None:
        if isinstance(cond, Ref):
            self._check_ref(cond, items, derived, where)
        elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
            for part in cond.of:
                self.check_condition(part, items, derived, where)
        elif isinstance(cond, Not):
            self.check_condition(cond.of, items, derived, where)
        elif isinstance(cond, Threshold):
            if cond.item is not None:
                self._need(
                    items, derived, where, cond.item, ItemKind.COUNT, cond.line, "'threshold' with 'item'"
                )
            else:
                assert cond.between is not None
                for date_id in cond.between:
                    self._need(
                        items, derived, where, date_id, ItemKind.DATE, cond.line, f"'{cond.unit}_between'"
                    )
        elif isinstance(cond, ChoiceIn):
            choice = self._need(items, derived, where, cond.item, ItemKind.CHOICE, cond.line, "'choice'")
            known = {o.id for o in choice.options}
            for option in cond.options:
                if option not in known:
                    self.fail(cond.line, f"{where}: item {cond.item!r} has no option {option!r}")

    def _check_ref(
        self, cond: Ref, items: dict[str, Item], derived: dict[str, DerivedItem], where: str
    ) -> None:
        item = items.get(cond.item)
        if item is None and cond.item not in derived:
            self.fail(cond.line, f"{where}: unknown item {cond.item!r}")
        if item is not None and item.kind is not ItemKind.YESNO:
            self.fail(
                cond.line,
                f"{where}: item {cond.item!r} is a {item.kind.value} item; use 'threshold' or 'choice' to test it",
            )

    def _need(
        self,
        items: dict[str, Item],
        derived: dict[str, DerivedItem],
        where: str,
        item_id: str,
        kind: ItemKind,
        line: int,
        what: str,
    ) -> Item:
        """The item a threshold or choice tests, which must exist and be of `kind`."""
        item = items.get(item_id)
        if item is None:
            extra = " (a derived item is yes/no)" if item_id in derived else ""
            self.fail(line, f"{where}: unknown item {item_id!r}{extra}")
        if item.kind is not kind:
            self.fail(
                line,
                f"{where}: item {item_id!r} is a {item.kind.value} item; {what} needs a {kind.value} item",
            )
        return item

    def order_derived(self, derived: tuple[DerivedItem, ...]) -> tuple[DerivedItem, ...]:
        """Derived items in dependency order; a cycle is an error naming it."""
        by_id = {d.id: d for d in derived}
        state: dict[str, int] = {}  # 1 visiting, 2 done
        ordered: list[DerivedItem] = []

        def visit(d: DerivedItem, trail: list[str]) -> None:
            state[d.id] = 1
            for ref in _refs(d.when):
                if ref not in by_id:
                    continue
                if state.get(ref) == 1:
                    cycle = [*trail[trail.index(ref) :], ref]
                    self.fail(by_id[ref].line, f"derived items form a cycle: {' -> '.join(cycle)}")
                if state.get(ref) is None:
                    visit(by_id[ref], [*trail, ref])
            state[d.id] = 2
            ordered.append(d)

        for d in derived:
            if d.id not in state:
                visit(d, [d.id])
        return tuple(ordered)


def _refs(cond: Condition) -> Iterator[str]:
    if isinstance(cond, Ref):
        yield cond.item
    elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
        for part in cond.of:
            yield from _refs(part)
    elif isinstance(cond, Not):
        yield from _refs(cond.of)
