"""SVG geometry for the trends pages: shares by period with 95% whiskers and the Covid-19 period shaded, and the
Kaplan-Meier step curve with its interval band. Templates draw what these return; no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .stats import KaplanMeier
from .tables import TrendTable

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 280, 48, 12, 16, 44
# GOV.UK Frontend colours, distinguishable in order; the legend and table carry the same facts as text.
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#912b88", "#85994b", "#6f72af",
           "#505a5f", "#b58840", "#5694ca")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    y_low: float
    y_high: float
    text: str
    index: int = 0  # the period's position: a gap between indexes is a suppressed or empty period


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: tuple[Point, ...]

    @property
    def segments(self) -> tuple[str, ...]:
        """SVG points for each run of adjacent periods: the line breaks where a cell is hidden."""
        runs: list[list[Point]] = []
        for point in self.points:
            if runs and point.index == runs[-1][-1].index + 1:
                runs[-1].append(point)
            else:
                runs.append([point])
        return tuple(" ".join(f"{p.x},{p.y}" for p in run) for run in runs if len(run) > 1)


@dataclass(frozen=True)
class ShareChart:
    title: str
    width: int
    height: int
    series: tuple[Series, ...]
    ticks: tuple[tuple[float, str], ...]
    labels: tuple[tuple[float, str], ...]
    shade: tuple[float, float] | None  # x from, width
    n: int


def _plot_x(index: int, count: int) -> float:
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return round(LEFT + step * index + step / 2, 1)


def _y(share: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - share), 1)


def _period_span(period: str) -> tuple[date, date]:
    if " Q" in period:
        year, q = int(period[:4]), int(period[-1])
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        return start, end
    return date(int(period), 1, 1), date(int(period) + 1, 1, 1)


def covid_shade(periods: list[str] | tuple[str, ...], start: date, end: date) -> tuple[float, float] | None:
    """The x-range covering the restrictions period on a period axis, by the share of each period it covers."""
    if not periods:
        return None
    step = (WIDTH - LEFT - RIGHT) / len(periods)
    xs = []
    for i, period in enumerate(periods):
        p_start, p_end = _period_span(period)
        lo, hi = max(p_start, start), min(p_end, end)
        if lo < hi:
            days = (p_end - p_start).days
            xs.append(LEFT + step * (i + (lo - p_start).days / days))
            xs.append(LEFT + step * (i + (hi - p_start).days / days))
    if not xs:
        return None
    return round(min(xs), 1), round(max(xs) - min(xs), 1)


def share_chart(table: TrendTable, *, covid: tuple[date, date], skip: tuple[str, ...] = ()) -> ShareChart:
    """One line per option (hidden cells leave a gap), share of the period's n, with Wilson whiskers."""
    periods = table.periods
    series = []
    for i, (code, label) in enumerate(o for o in table.options if o[0] not in skip):
        points = []
        for p, period in enumerate(periods):
            share = table.cells[(code, period)].share
            if share is None or share.value is None or share.low is None or share.high is None:
                continue
            points.append(Point(_plot_x(p, len(periods)), _y(share.value), _y(share.low), _y(share.high),
                                f"{label}, {period}: {share.numerator} of {share.denominator} "
                                f"({share.value:.0%}, 95% {share.low:.0%}-{share.high:.0%})", p))
        series.append(Series(label, COLOURS[i % len(COLOURS)], tuple(points)))
    ticks = tuple((_y(v / 4), f"{v * 25}%") for v in range(5))
    every = max(1, len(periods) // 12)
    labels = tuple((_plot_x(p, len(periods)), period) for p, period in enumerate(periods) if p % every == 0)
    return ShareChart(f"{table.label}: share of cases by {'quarter' if periods and ' Q' in periods[0] else 'year'}",
                      WIDTH, HEIGHT, tuple(series), ticks, labels, covid_shade(periods, *covid), table.total_n)


@dataclass(frozen=True)
class KmChart:
    width: int
    height: int
    curve: str
    band: str
    ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]
    n: int
    events: int | str  # "[c]" when the total is below the disclosure threshold


def km_chart(km: KaplanMeier, *, max_days: float) -> KmChart:
    """Survival (share not yet re-referred) against days since referral, as steps, with the 95% band."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    limit = max(max_days, 1.0)

    def x(days: float) -> float:
        return round(LEFT + plot_w * min(days, limit) / limit, 1)

    def y(s: float) -> float:
        return round(TOP + plot_h * (1 - s), 1)

    curve, upper, lower = [f"{x(0)},{y(1)}"], [f"{x(0)},{y(1)}"], [f"{x(0)},{y(1)}"]
    s, lo, hi = 1.0, 1.0, 1.0
    for row in km.rows:
        if row.time > limit:
            break
        if row.events:
            curve += [f"{x(row.time)},{y(s)}", f"{x(row.time)},{y(row.survival)}"]
            upper += [f"{x(row.time)},{y(hi)}", f"{x(row.time)},{y(row.high)}"]
            lower += [f"{x(row.time)},{y(lo)}", f"{x(row.time)},{y(row.low)}"]
            s, lo, hi = row.survival, row.low, row.high
    curve.append(f"{x(limit)},{y(s)}")
    upper.append(f"{x(limit)},{y(hi)}")
    lower.append(f"{x(limit)},{y(lo)}")
    band = " ".join(upper + list(reversed(lower)))
    ticks = tuple((y(v / 4), f"{v * 25}%") for v in range(5))
    years = int(limit // 365) or 1
    x_ticks = tuple((x(365 * i), f"{i} y") for i in range(0, years + 1) if 365 * i <= limit)
    return KmChart(WIDTH, HEIGHT, " ".join(curve), band, ticks, x_ticks, km.n, km.events)


def life_chart(life: list[dict[str, object]], *, n: int, events: int | str, max_days: float) -> KmChart:
    """The Kaplan-Meier curve drawn from the suppressed life table only (survival at the end of each interval
    whose figures are shown), so the chart discloses nothing the table hides."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    limit = max(max_days, 1.0)

    def x(days: float) -> float:
        return round(LEFT + plot_w * min(days, limit) / limit, 1)

    def y(s: float) -> float:
        return round(TOP + plot_h * (1 - s), 1)

    curve, upper, lower = [f"{x(0)},{y(1)}"], [f"{x(0)},{y(1)}"], [f"{x(0)},{y(1)}"]
    for row in life:
        survival, low, high, end = row["survival"], row["low"], row["high"], row["to_day"]
        if not isinstance(survival, float) or not isinstance(low, float) or not isinstance(high, float):
            continue
        if not isinstance(end, int) or end > limit:
            break
        curve.append(f"{x(end)},{y(survival)}")
        upper.append(f"{x(end)},{y(high)}")
        lower.append(f"{x(end)},{y(low)}")
    band = " ".join(upper + list(reversed(lower)))
    ticks = tuple((y(v / 4), f"{v * 25}%") for v in range(5))
    years = int(limit // 365) or 1
    x_ticks = tuple((x(365 * i), f"{i} y") for i in range(0, years + 1) if 365 * i <= limit)
    return KmChart(WIDTH, HEIGHT, " ".join(curve), band, ticks, x_ticks, n, events)
