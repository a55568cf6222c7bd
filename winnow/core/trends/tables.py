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
    forced: Sequence[tuple[str, str]] = (),
) -> TrendTable:
    """`extra_groups`: further cell groups whose totals are published elsewhere (e.g. a year's quarters);
    `forced`: cells to hide whatever their count. n cells are keyed ("__n__", period)."""
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
    hidden = suppress(keyed, groups, threshold, forced)
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
    trends: dict[str, Trend | None] = {}
    for code, _ in options:
        if any(cells[(code, p)].count is None for p in periods) or any(x is None for x in shown_n):
            trends[code] = None
            continue
        trends[code] = trend_test(list(range(len(periods))), [keyed[(code, p)] for p in periods],
                                  [keyed[("__n__", p)] for p in periods])
    return TrendTable(measure, label, tuple(periods), tuple(options), shown_n, cells, trends, threshold)


def quarter_label(quarter: int) -> str:
    return f"{quarter // 10} Q{quarter % 10}"


def _quarters(first: int, last: int) -> list[int]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q + 1 if q % 10 < 4 else (q // 10 + 1) * 10 + 1
    return out


def year_and_quarter_tables(
    *, measure: str, label: str, options: Sequence[tuple[str, str]], counts: Mapping[tuple[str, int], int],
    n: Mapping[int, int], threshold: int, one_choice: bool = True,
) -> tuple[TrendTable, TrendTable]:
    """The by-year and by-quarter tables of one measure from counts keyed (option, quarter as 20201), suppressed
    together: a year's quarters add up to the year, so every cell hidden in the year table hides its quarters,
    and each option-year's quarters are a group for secondary suppression."""
    quarters = _quarters(min(n), max(n)) if n else []
    years = sorted({q // 10 for q in quarters})
    y_counts: dict[tuple[str, str], int] = {}
    for (code, q), c in counts.items():
        y_counts[(code, str(q // 10))] = y_counts.get((code, str(q // 10)), 0) + c
    y_n: dict[str, int] = {}
    for q, c in n.items():
        y_n[str(q // 10)] = y_n.get(str(q // 10), 0) + c
    by_year = trend_table(measure=measure, label=label, options=options, periods=[str(y) for y in years],
                          counts=y_counts, n=y_n, threshold=threshold, one_choice=one_choice)
    labels = {q: quarter_label(q) for q in quarters}
    q_counts = {(code, labels[q]): c for (code, q), c in counts.items() if q in labels}
    q_n = {labels[q]: c for q, c in n.items()}
    groups: list[list[tuple[str, str]]] = []
    forced: list[tuple[str, str]] = []
    for year in years:
        in_year = [labels[q] for q in quarters if q // 10 == year]
        for code in [c for c, _ in options] + ["__n__"]:
            groups.append([(code, p) for p in in_year])
            year_hidden = (by_year.n[years.index(year)] is None if code == "__n__"
                           else by_year.cells[(code, str(year))].count is None)
            if year_hidden:
                forced.extend((code, p) for p in in_year)
    by_quarter = trend_table(measure=measure, label=label, options=options, periods=[labels[q] for q in quarters],
                             counts=q_counts, n=q_n, threshold=threshold, one_choice=one_choice,
                             extra_groups=groups, forced=forced)
    return by_year, by_quarter


LIFE_COLUMNS = ("at_risk", "events", "censored")


def life_table(rows: Sequence[Mapping[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """A Kaplan-Meier life table (at risk, events, censored per interval, survival at its end) with small counts
    hidden. Each interval's at-risk less its events and censorings is the next at-risk, so those four cells are a
    group; a hidden event count hides the survival it would give away too."""
    cells = {(col, i): int(row[col]) for i, row in enumerate(rows) for col in LIFE_COLUMNS}
    groups = [[("at_risk", i), ("events", i), ("censored", i)] + ([("at_risk", i + 1)] if i + 1 < len(rows) else [])
              for i in range(len(rows))]
    hidden = suppress(cells, groups, threshold)
    out = []
    for i, row in enumerate(rows):
        shown: dict[str, Any] = dict(row)
        for col in LIFE_COLUMNS:
            if (col, i) in hidden:
                shown[col] = HIDDEN
        if ("events", i) in hidden or ("at_risk", i) in hidden:
            shown["survival"] = shown["low"] = shown["high"] = HIDDEN
        out.append(shown)
    return out
