"""Geometry for server-rendered SVG charts: no JavaScript, no external requests. Templates draw what this returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    series: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    lines: tuple[tuple[int, str], ...]  # (series, SVG points)
    ticks: tuple[tuple[float, str], ...]  # (y, label) on the value axis
    labels: tuple[tuple[float, str], ...]  # (x, label) on the category axis
    series: tuple[str, ...]
    title: str


LEFT, BOTTOM, TOP, RIGHT = 48, 40, 16, 12


def nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude: float = 10.0 ** (len(str(int(value))) - 1)
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * magnitude >= value:
            return step * magnitude
    return 10.0 * magnitude


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[str], values: Sequence[Sequence[float]],
    *, width: int = 640, height: int = 260, lines: Sequence[int] = (),
) -> Chart:
    """Grouped bars: values[s][c] for series s and category c. Series listed in `lines` are drawn as lines."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top = nice_max(max((v for row in values for v in row), default=0))
    group = plot_w / max(len(categories), 1)
    bar_series = [s for s in range(len(series)) if s not in lines]
    bar_w = group * 0.8 / max(len(bar_series), 1)
    bars = []
    for slot, s in enumerate(bar_series):
        for c, value in enumerate(values[s]):
            h = plot_h * value / top
            x = LEFT + c * group + group * 0.1 + slot * bar_w
            bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(bar_w, 1), round(h, 1), value, categories[c], s))
    drawn_lines = tuple(
        (s, " ".join(f"{LEFT + c * group + group / 2:.1f},{TOP + plot_h - plot_h * v / top:.1f}" for c, v in enumerate(values[s])))
        for s in lines
    )
    ticks = tuple((round(TOP + plot_h - plot_h * i / 4, 1), f"{top * i / 4:g}") for i in range(5))
    labels = tuple((round(LEFT + c * group + group / 2, 1), cat) for c, cat in enumerate(categories))
    return Chart(width, height, tuple(bars), drawn_lines, ticks, labels, tuple(series), title)
