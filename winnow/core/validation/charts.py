"""Geometry for the validation report's server-rendered SVG: an ROC curve and observed rates with intervals.

Like winnow.core.charts: coordinates only; the template draws them, and a table beside each chart gives the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .report import Row
from .stats import RocPoint

SIZE, PAD = 320, 44


@dataclass(frozen=True)
class RocChart:
    size: int
    pad: int
    curve: str  # SVG points
    diagonal: str
    ticks: tuple[tuple[float, str], ...]  # (x position, label) on the false positive axis
    y_ticks: tuple[tuple[float, str], ...]  # (y position, label) on the true positive axis
    title: str


def _x(v: float) -> float:
    return round(PAD + v * (SIZE - 2 * PAD), 1)


def _y(v: float) -> float:
    return round(SIZE - PAD - v * (SIZE - 2 * PAD), 1)


def roc_chart(points: Sequence[RocPoint], title: str) -> RocChart:
    step = max(1, math.ceil(len(points) / 400))  # thin a long curve; the table and CSV keep every point
    kept = list(points[::step])
    if kept[-1] != points[-1]:
        kept.append(points[-1])
    curve = " ".join(f"{_x(p.false_positive_rate)},{_y(p.true_positive_rate)}" for p in kept)
    ticks = tuple((float(i) / 4, f"{i / 4:g}") for i in range(5))
    return RocChart(SIZE, PAD, curve, f"{_x(0)},{_y(0)} {_x(1)},{_y(1)}",
                    tuple((_x(t), label) for t, label in ticks), tuple((_y(t), label) for t, label in ticks), title)


@dataclass(frozen=True)
class RateMark:
    x: float
    y: float
    y_low: float
    y_high: float
    label: str
    expected_y: float | None
    text: str


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    marks: tuple[RateMark, ...]
    ticks: tuple[tuple[float, str], ...]
    title: str
    left: int = 48
    bottom: int = 40


def rate_chart(rows: Sequence[Row], title: str, expected: Sequence[float | None] = ()) -> RateChart:
    """Observed outcome rate per band or score with its Wilson interval; the expected rate as a cross if declared."""
    width, height, left, top, bottom = 560, 260, 48, 16, 40
    plot_w, plot_h = width - left - 12, height - top - bottom
    shown = [r for r in rows if r.n]
    highs = [r.rate.high or 0.0 for r in shown] + [e for e in expected if e is not None]
    ceiling = min(1.0, max(0.1, math.ceil(max(highs, default=0.1) * 10) / 10))
    group = plot_w / max(len(rows), 1)

    def y(v: float) -> float:
        return round(top + plot_h - plot_h * v / ceiling, 1)

    marks = []
    for i, row in enumerate(rows):
        if not row.n or row.rate.value is None:
            continue
        e = expected[i] if i < len(expected) else None
        marks.append(RateMark(
            round(left + i * group + group / 2, 1), y(row.rate.value), y(row.rate.low or 0.0), y(row.rate.high or 0.0),
            row.label, y(e) if e is not None else None,
            f"{row.label}: {row.events} of {row.n} ({row.rate.value:.1%}; 95% {row.rate.low:.1%}-{row.rate.high:.1%})",
        ))
    ticks = tuple((y(ceiling * i / 4), f"{ceiling * i / 4:.0%}") for i in range(5))
    return RateChart(width, height, tuple(marks), ticks, title)
