"""Trend tables: counts of cases per option and period, with n, share and its Wilson interval, suppressed.

Input is what the database gives: {(option, period): count} and {period: n} (cases with the measure recorded).
The output rows are what the page, the CSV and the research export all show, so none can disclose more than the
others. A hidden cell shows as "[c]" (ONS's marker for a confidential cell), and so does its share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .disclosure import suppress
from .stats import Proportion, Trend, trend_test, wilson

HIDDEN = "[c]"


@dataclass(frozen=True)
class Cell:
    count: int | None  # None: suppressed
    share: Proportion | None

    def text(self) -> str:
        return HIDDEN if self.count is None else str(self.count)


@dataclass(frozen=True)
class TrendTable:
    measure: str
    label: str
    periods: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    n: tuple[int | None, ...]  # per period; None when suppressed
    cells: dict[tuple[str, str], Cell]
    trends: dict[str, Trend | None]  # per option, only when none of its cells is hidden
    threshold: int

    @property
    def total_n(self) -> int:
        return sum(n for n in self.n if n)

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        header = ["measure", "option", "period", "cases", "n", "share", "share_low_95", "share_high_95"]
        rows: list[list[Any]] = []
        for code, label in self.options:
            for p, period in enumerate(self.periods):
                cell = self.cells[(code, period)]
                n = self.n[p]
                s = cell.share
                if cell.count is None:
                    shares = [HIDDEN] * 3
                elif s is None or s.value is None or s.low is None or s.high is None:
                    shares = ["", "", ""]
                else:
                    shares = [f"{s.value:.4f}", f"{s.low:.4f}", f"{s.high:.4f}"]
                rows.append([self.measure, label, period, cell.text(), HIDDEN if n is None else n, *shares])
        return header, rows


def trend_table(
    *, measure: str, label: str, options: Sequence[tuple[str, str]], periods: Sequence[str],
    counts: Mapping[tuple[str, str], int], n: Mapping[str, int], threshold: int,
    extra_groups: Sequence[Sequence[tuple[str, str]]] = (), one_choice: bool = True,
) -> TrendTable:
    """`extra_groups`: further cell groups whose totals are published elsewhere (e.g. a year's quarters)."""
    keyed: dict[tuple[str, str], int] = {}
    for code, _ in options:
        for period in periods:
            keyed[(code, period)] = counts.get((code, period), 0)
    for period in periods:
        keyed[("__n__", period)] = n.get(period, 0)
    groups: list[list[tuple[str, str]]] = []
    for period in periods:
        column = [(code, period) for code, _ in options]
        # A single-choice measure's options sum to n; a multi-choice one's do not, but n less the other cells
        # still bounds a hidden cell, so the column is one group either way (conservative).
        groups.append([*column, ("__n__", period)] if one_choice else column)
    groups.extend(list(g) for g in extra_groups)
    hidden = suppress(keyed, groups, threshold)
    shown_n = tuple(None if ("__n__", p) in hidden else keyed[("__n__", p)] for p in periods)
    cells = {}
    for code, _ in options:
        for p, period in enumerate(periods):
            key = (code, period)
            total = shown_n[p]
            if key in hidden or total is None:
                cells[key] = Cell(None, None)
            else:
                cells[key] = Cell(keyed[key], wilson(keyed[key], total) if total else None)
    trends = {}
    for code, _ in options:
        if any(cells[(code, p)].count is None for p in periods) or any(x is None for x in shown_n):
            trends[code] = None
            continue
        trends[code] = trend_test(list(range(len(periods))), [keyed[(code, p)] for p in periods],
                                  [keyed[("__n__", p)] for p in periods])
    return TrendTable(measure, label, tuple(periods), tuple(options), shown_n, cells, trends, threshold)
