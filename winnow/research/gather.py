"""What the trends pages and the research export read from the database: the derived trend counts, the
re-referral survival data, and youth-pathway cases by year. Figures are built in winnow.core.trends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import ExtractYear

from winnow.assessments.models import YouthPathwayDecision
from winnow.core.priority import LONDON
from winnow.core.trends import KaplanMeier, Measure, TrendTable, kaplan_meier, year_and_quarter_tables
from winnow.referrals.models import Referral

from .models import TrendCount
from .rereferral import grouped_events, rereferral_pending
from .services import measures

SECTIONS = {
    "profile": "Offender profile",
    "concealment": "IT skills and concealment",
    "methods": "Acquisition, storage and sharing",
    "material": "Material: victim age, severity, self- and AI-generated",
    "interview": "Justifications offered in interview",
}


def threshold() -> int:
    return int(settings.WINNOW_DISCLOSURE_THRESHOLD)


def covid_period() -> tuple[date, date]:
    return date.fromisoformat(settings.WINNOW_COVID_START), date.fromisoformat(settings.WINNOW_COVID_END)


@dataclass(frozen=True)
class MeasureTables:
    measure: Measure
    by_year: TrendTable
    by_quarter: TrendTable


def section_tables(unit_id: int, section: str) -> list[MeasureTables]:
    """Every measure of a section, by year and by quarter, suppressed together (one query)."""
    chosen = [m for m in measures() if m.section == section]
    rows = TrendCount.objects.filter(unit_id=unit_id, measure__in=[m.code for m in chosen], cases__gt=0).values_list(
        "measure", "value", "quarter", "cases")
    counts: dict[str, dict[tuple[str, int], int]] = defaultdict(dict)
    n: dict[str, dict[int, int]] = defaultdict(dict)
    for code, value, quarter, cases in rows:
        if value == "":
            n[code][quarter] = cases
        else:
            counts[code][(value, quarter)] = cases
    out = []
    for m in chosen:
        by_year, by_quarter = year_and_quarter_tables(
            measure=m.code, label=m.label, options=m.options, counts=counts[m.code], n=n[m.code],
            threshold=threshold(), one_choice=m.kind == "one")
        out.append(MeasureTables(m, by_year, by_quarter))
    return out


@dataclass(frozen=True)
class Rereferral:
    km: KaplanMeier
    referrals: int  # cases followed: subjects with case facts recorded
    linked: int  # of whom linkage has put into a person with another subject
    pending: int  # linkage decisions the events do not count yet (the task worker counts them)
    counted_at: datetime | None


def _quarter_middle(quarter: int) -> date:
    year, q = quarter // 10, quarter % 10
    return date(year, 3 * q - 1, 15)


def rereferral(unit_id: int, *, today: date) -> Rereferral:
    """Time from each case (a subject with case facts) to the next referral of the same person (linkage's standing
    merges), exact to the day; cases with none are censored. Their follow-up is counted from the middle of the
    quarter received. Reads only derived rows: the cases per quarter (trend counts) and the re-referral events
    grouped by quarter and days (`winnow.research.rereferral`)."""
    per_quarter = dict(TrendCount.objects.filter(unit_id=unit_id, measure="age_band", value="", cases__gt=0)
                       .values_list("quarter", "cases"))
    grouped, linked = grouped_events(unit_id)
    events_per_quarter: dict[int, int] = defaultdict(int)
    durations: list[float] = []
    events: list[bool] = []
    weights: list[int] = []
    for quarter, days, count in grouped:
        events_per_quarter[quarter] += count
        durations.append(float(days))
        events.append(True)
        weights.append(count)
    for quarter, count in per_quarter.items():
        censored = count - events_per_quarter.get(quarter, 0)
        if censored > 0:
            durations.append(float(max((today - min(_quarter_middle(quarter), today)).days, 0)))
            events.append(False)
            weights.append(censored)
    pending, counted_at = rereferral_pending(unit_id)
    return Rereferral(kaplan_meier(durations, events, weights), sum(per_quarter.values()), linked, pending, counted_at)


def km_intervals(km: KaplanMeier, *, step_days: int = 91, limit_days: int = 365 * 5) -> list[dict[str, float | int]]:
    """The curve as a life table in 91-day steps: at risk at the start, events and censorings within, and the
    survival at the end (what the page's table and the export show, suppressed)."""
    out = []
    start = 0
    while start < limit_days:
        end = start + step_days
        inside = [r for r in km.rows if start <= r.time < end]
        at_risk = next((r.at_risk for r in km.rows if r.time >= start), 0)
        row = next((r for r in reversed(km.rows) if r.time < end), None)
        out.append({"from_day": start, "to_day": end, "at_risk": at_risk, "events": sum(r.events for r in inside),
                    "censored": sum(r.censored for r in inside), "survival": row.survival if row else 1.0,
                    "low": row.low if row else 1.0, "high": row.high if row else 1.0})
        if not at_risk:
            break
        start = end
    return out


def youth_by_year(unit_id: int) -> dict[str, dict[int, int]]:
    """Youth-produced imagery cases (referrals with a youth-pathway decision) and all referrals, by year received.
    Referrals per year are counted as ranges of the (unit, received_at) index, one count per year: PostgreSQL
    answers each from the index alone where the table's visibility map is set (autovacuum sets it), which a single
    pass with a filter per year over all of the unit's rows cannot."""
    youth = (YouthPathwayDecision.objects.filter(referral__unit_id=unit_id)
             .annotate(year=ExtractYear("referral__received_at", tzinfo=LONDON)).values("year")
             .annotate(n=Count("referral_id", distinct=True)).values_list("year", "n"))
    referrals = Referral.objects.filter(unit_id=unit_id)
    first = referrals.order_by("received_at").values_list("received_at", flat=True).first()
    last = referrals.order_by("-received_at").values_list("received_at", flat=True).first()
    if first is None or last is None:
        return {"youth": dict(youth), "all": {}}
    years = range(first.astimezone(LONDON).year, last.astimezone(LONDON).year + 1)

    def start(year: int) -> datetime:
        return datetime(year, 1, 1, tzinfo=LONDON)

    counts = {y: referrals.filter(received_at__gte=start(y), received_at__lt=start(y + 1)).count() for y in years}
    return {"youth": dict(youth), "all": {y: n for y, n in counts.items() if n}}


def today_london(now: datetime) -> date:
    return now.astimezone(LONDON).date()


__all__ = ["SECTIONS", "MeasureTables", "Rereferral", "covid_period", "km_intervals", "rereferral", "section_tables",
           "threshold", "today_london", "youth_by_year"]
