"""The check behind `monotone: true`: it must follow from the file's structure that a Yes can never lower a band."""

from __future__ import annotations

from winnow.core.instruments.loader.decision import _DecisionParser
from winnow.core.instruments.loader.fields import _Map
from winnow.core.instruments.schema import (
    AllOf,
    AnyOf,
    Condition,
    CountAtLeast,
    Instrument,
    ItemKind,
    Not,
    Ref,
    Rule,
)

_REASON = "declared monotone, but "


class _MonotoneChecker(_DecisionParser):
    def check_monotone(self, instrument: Instrument, top: _Map) -> None:
        """`monotone: true` must follow from the file's structure: Yes can then never lower a band.

        Sufficient conditions, checked here: every condition uses yes/no answers only positively (no `no:`, no
        `not` around them); decision rules run from the highest band down, and `otherwise` (or any score band)
        is no higher than the last rule; a Yes is worth at least as many points as a No.
        """
        derived = {d.id: d.when for d in instrument.derived}
        yesno = {i.id for i in instrument.items if i.kind is ItemKind.YESNO}
        if instrument.decision is not None:
            self._check_rule_order(instrument, derived, yesno)
        if instrument.score is not None:
            for component in instrument.score.components:
                if component.option_points:
                    continue
                sign = component.points >= component.points_if_no
                if component.item in derived:
                    self._positive(
                        derived[component.item], sign, f"score item {component.item!r}", derived, yesno
                    )
                elif not sign:
                    self.fail(
                        component.line,
                        f"{_REASON}score item {component.item!r} gives fewer points for Yes than No",
                    )

    def _check_rule_order(
        self, instrument: Instrument, derived: dict[str, Condition], yesno: set[str]
    ) -> None:
        assert instrument.decision is not None
        rank = {band.id: band.rank for band in instrument.bands}
        previous: Rule | None = None
        for step in instrument.decision.steps:
            for rule in step.rules:
                self._positive(rule.when, True, f"rule {rule.id!r}", derived, yesno)
                if previous is not None and rank[rule.band] > rank[previous.band]:
                    self.fail(
                        rule.line,
                        f"{_REASON}rule {rule.id!r} ({rule.band}) comes after rule {previous.id!r} "
                        f"({previous.band}): rules must run from the highest band down",
                    )
                previous = rule
        lowest_rule = previous
        later: list[tuple[str, int]] = []
        if instrument.decision.otherwise is not None:
            later.append((instrument.decision.otherwise.band, instrument.decision.otherwise.line))
        if instrument.score is not None:
            later.extend((c.band, c.line) for c in instrument.score.bands)
        for band, line in later:
            if lowest_rule is not None and rank[band] > rank[lowest_rule.band]:
                self.fail(
                    line,
                    f"{_REASON}band {band!r} here is higher than the last rule's ({lowest_rule.band})",
                )

    def _positive(
        self, cond: Condition, sign: bool, where: str, derived: dict[str, Condition], yesno: set[str]
    ) -> None:
        """Fail where the condition uses a No answer (a Yes that could lower the band), following derived items."""
        if isinstance(cond, Ref):
            effective = sign != cond.negated
            if cond.item in derived:
                self._positive(derived[cond.item], effective, where, derived, yesno)
            elif cond.item in yesno and not effective:
                self.fail(
                    cond.line,
                    f"{_REASON}{where} uses a No answer to {cond.item!r} (a Yes could lower the band)",
                )
        elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
            for part in cond.of:
                self._positive(part, sign, where, derived, yesno)
        elif isinstance(cond, Not):
            self._positive(cond.of, not sign, where, derived, yesno)
