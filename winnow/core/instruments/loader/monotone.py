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


class _MonotoneChecker(_DecisionParser):
    def check_monotone(self, instrument: Instrument, top: _Map) -> None:
        """`monotone: true` must follow from the file's structure: Yes can then never lower a band.

        Sufficient conditions, checked here: every condition uses yes/no answers only positively (no `no:`, no
        `not` around them); decision rules run from the highest band down, and `otherwise` (or any score band)
        is no higher than the last rule; a Yes is worth at least as many points as a No.
        """
        derived = {d.id: d for d in instrument.derived}
        yesno = {i.id for i in instrument.items if i.kind is ItemKind.YESNO}
        reason = "declared monotone, but "

        def positive(cond: Condition, sign: bool, where: str) -> None:
            if isinstance(cond, Ref):
                effective = sign != cond.negated
                if cond.item in derived:
                    positive(derived[cond.item].when, effective, where)
                elif cond.item in yesno and not effective:
                    self.fail(
                        cond.line,
                        f"{reason}{where} uses a No answer to {cond.item!r} (a Yes could lower the band)",
                    )
            elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
                for part in cond.of:
                    positive(part, sign, where)
            elif isinstance(cond, Not):
                positive(cond.of, not sign, where)

        rank = {band.id: band.rank for band in instrument.bands}
        if instrument.decision is not None:
            previous: Rule | None = None
            for step in instrument.decision.steps:
                for rule in step.rules:
                    positive(rule.when, True, f"rule {rule.id!r}")
                    if previous is not None and rank[rule.band] > rank[previous.band]:
                        self.fail(
                            rule.line,
                            f"{reason}rule {rule.id!r} ({rule.band}) comes after rule {previous.id!r} "
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
                        f"{reason}band {band!r} here is higher than the last rule's ({lowest_rule.band})",
                    )
        if instrument.score is not None:
            for component in instrument.score.components:
                if component.option_points:
                    continue
                sign = component.points >= component.points_if_no
                if component.item in derived:
                    positive(derived[component.item].when, sign, f"score item {component.item!r}")
                elif not sign:
                    self.fail(
                        component.line,
                        f"{reason}score item {component.item!r} gives fewer points for Yes than No",
                    )
