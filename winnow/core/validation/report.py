"""A local validation of a prioritisation instrument: outcomes held against bands or scores.

Input is one `Case` per assessed subject whose referral closed: the computed band (or score), the band a supervisor
decided, and the outcome (contact sexual offending against a child found: yes, no, or unknown). Unknown outcomes
are excluded and counted, never read as "no" (invariant 3). `validate` returns a `Report` of plain data that a page,
a CSV and `winnow validate --json` all render; it raises `ValidationInputError` when the sample cannot be judged at
all (no cases, all unknown, one class).

"High or Very High" means the upper bands of the scale (`BandScale.flag_from`), "Low or Medium" the rest. When events
number fewer than 100 the report says the sample is too small to judge (Collins, Ogundimu & Altman 2016) and shows
the width of the interval it has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import ValidationInputError
from .stats import (
    Auc,
    Calibration,
    FloatArray,
    Interval,
    PairedComparison,
    Proportion,
    RocPoint,
    bootstrap_auc,
    calibration,
    delong,
    delong_paired,
    expected_over_observed,
    roc_points,
    wilson,
)

MIN_EVENTS = 100  # Collins, Ogundimu & Altman 2016: external validation needs at least 100 events, ideally 200
TOO_SMALL = (
    "Fewer than 100 cases with the outcome: too small to judge (Collins, Ogundimu & Altman 2016 ask for at least "
    "100 events, ideally 200). The intervals below show how little this sample can say."
)


@dataclass(frozen=True)
class BandScale:
    """Band ids lowest first, as the instrument declares them; bands from `flag_from` up count as flagged."""

    bands: tuple[str, ...]
    flag_from: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.bands)) != len(self.bands) or len(self.bands) < 2:
            raise ValueError("a band scale needs at least two distinct bands")
        if self.flag_from not in self.bands or self.flag_from == self.bands[0]:
            raise ValueError(f"flag_from {self.flag_from!r} must be one of the bands above the lowest")

    def rank(self, band: str) -> int:
        return self.bands.index(band)

    def label(self, band: str) -> str:
        return self.labels.get(band) or band.replace("_", " ").title()

    def flagged(self, band: str) -> bool:
        return self.rank(band) >= self.rank(self.flag_from)


PRIORITY_SCALE = BandScale(
    ("low", "medium", "high", "very_high"), "high",
    {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very High"},
)


@dataclass(frozen=True)
class Case:
    outcome: bool | None  # None: unknown, excluded and counted
    band: str | None = None  # computed band id
    score: float | None = None  # computed score, for a scored instrument
    decided_band: str | None = None  # the band a supervisor confirmed or set
    alternative_score: float | None = None  # the same case scored by another instrument version
    expected: float | None = None  # expected probability of the outcome, where the instrument declares rates
    closed_on: date | None = None  # for drift by quarter
    unknown_answers: int | None = None
    groups: Mapping[str, str] = field(default_factory=dict)  # subgroup name -> value
    # Follow-ups recorded after closure (None: the source has no follow-up records, as a CSV scored offline):
    later_referral: bool | None = None  # a later referral that linkage ties to the same person
    later_contact_conviction: bool | None = None  # a later conviction for a contact offence


@dataclass(frozen=True)
class Row:
    """One line of a per-band or per-score table."""

    key: str
    label: str
    n: int
    events: int
    rate: Proportion
    share: Proportion  # of all included cases


@dataclass(frozen=True)
class FollowUpRow:
    """Per band or score: the share of cases followed by a later linked referral or a later contact conviction.
    Every case with a follow-up record counts, whatever its outcome in this investigation (unknown included)."""

    key: str
    label: str
    n: int
    later_referral: Proportion
    later_contact_conviction: Proportion


@dataclass(frozen=True)
class Cutoff:
    """What calling every case at or above `key` 'flagged' would do."""

    key: str
    label: str
    sensitivity: Proportion
    specificity: Proportion
    flagged: Proportion  # share of cases at or above: the workload the cut-off creates
    current: bool  # the instrument's own High-or-Very-High boundary


@dataclass(frozen=True)
class Summary:
    """The figures for one set of cases: the whole sample, a subgroup or a quarter."""

    n: int
    events: int
    excluded_unknown: int
    base_rate: Proportion
    auc: Auc | None
    sensitivity: Proportion | None
    specificity: Proportion | None
    ppv: Proportion | None
    npv: Proportion | None
    flagged: Proportion | None
    too_small: bool
    note: str


@dataclass(frozen=True)
class Report:
    summary: Summary
    kind: str  # "band" or "score"
    roc: list[RocPoint]
    rows: list[Row]  # per band (lowest first) or per score
    cutoffs: list[Cutoff]
    calibration: Calibration | None
    expected_over_observed: Interval | None
    expected_total: float | None
    calibration_note: str
    computed_vs_decided: PairedComparison | None
    versions: PairedComparison | None
    subgroups: dict[str, list[tuple[str, Summary]]]
    drift: list[tuple[str, Summary]]
    by_unknown_answers: list[Row]
    follow_ups: list[FollowUpRow]  # empty when the cases carry no follow-up records
    bootstrap: Interval | None
    scale: BandScale | None
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return report_dict(self)


@dataclass(frozen=True)
class CaseColumns:
    """The cases column by column, what `validate` computes on. A gatherer that reads 100,000 cases from a database
    builds these arrays straight from the query's columns; `of` builds them from `Case` objects (a CSV, a test).

    Missing values: outcome -1 (unknown), band or decided band None, score NaN with `has_score` False, expected
    NaN, quarter "" (no closing date), unknown answers -1, follow-ups -1 (no follow-up record)."""

    outcome: npt.NDArray[np.int8]  # 1 event, 0 no event, -1 unknown
    band: Sequence[str | None]
    score: FloatArray
    has_score: npt.NDArray[np.bool_]
    decided_band: Sequence[str | None]
    alternative_score: FloatArray  # NaN: none
    expected: FloatArray  # NaN: none
    quarter: Sequence[str]  # "2025 Q1"; "": no closing date
    unknown_answers: npt.NDArray[np.int64]  # -1: not recorded
    groups: Mapping[str, Sequence[str]]  # subgroup name -> value per case ("not recorded" where a case has none)
    later_referral: npt.NDArray[np.int8]  # 1, 0, -1: no follow-up record
    later_contact_conviction: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.outcome)

    @classmethod
    def of(cls, cases: Sequence[Case]) -> CaseColumns:
        n = len(cases)

        def ternary(values: Iterable[bool | None]) -> npt.NDArray[np.int8]:
            return np.fromiter((-1 if v is None else int(v) for v in values), np.int8, n)

        def floats(values: Iterable[float | None]) -> FloatArray:
            return np.fromiter((math.nan if v is None else v for v in values), np.float64, n)

        names = sorted({name for c in cases for name in c.groups})
        return cls(
            outcome=ternary(c.outcome for c in cases),
            band=[c.band for c in cases],
            score=floats(c.score for c in cases),
            has_score=np.fromiter((c.score is not None for c in cases), bool, n),
            decided_band=[c.decided_band for c in cases],
            alternative_score=floats(c.alternative_score for c in cases),
            expected=floats(c.expected for c in cases),
            quarter=[quarter(c.closed_on) if c.closed_on is not None else "" for c in cases],
            unknown_answers=np.fromiter((-1 if c.unknown_answers is None else c.unknown_answers for c in cases),
                                        np.int64, n),
            groups={name: [str(c.groups.get(name, "not recorded")) for c in cases] for name in names},
            later_referral=ternary(c.later_referral for c in cases),
            later_contact_conviction=ternary(c.later_contact_conviction for c in cases),
        )


def _ranks(bands: Sequence[str | None], scale: BandScale | None) -> npt.NDArray[np.int64]:
    """Each band's rank on the scale; -1 where there is no band, -2 where the band is not on the scale."""
    ranks = {b: i for i, b in enumerate(scale.bands)} if scale is not None else {}
    return np.fromiter((-1 if b is None else ranks.get(b, -2) for b in bands), np.int64, len(bands))


@dataclass(frozen=True)
class _Frame:
    """The arrays every summary (whole sample, subgroup, quarter) is a mask over, built once."""

    outcome: npt.NDArray[np.int8]  # 1 event, 0 no event, -1 unknown
    position: FloatArray  # score or band rank; NaN where the case has neither
    flagged: npt.NDArray[np.bool_] | None  # in the upper bands; None without a band scale
    banded: npt.NDArray[np.bool_]  # the case has a band (sensitivity and the rest need every known case banded)

    @classmethod
    def of(cls, columns: CaseColumns, rank: npt.NDArray[np.int64], scale: BandScale | None) -> _Frame:
        position = np.where(columns.has_score, columns.score, np.where(rank >= 0, rank, math.nan).astype(np.float64))
        flagged = None if scale is None else rank >= scale.rank(scale.flag_from)
        return cls(columns.outcome, position, flagged, rank != -1)

    def summary(self, mask: npt.NDArray[np.bool_] | None = None) -> Summary:
        """Figures for the masked cases whose outcome is known; unknowns among them are counted as excluded."""
        outcome = self.outcome if mask is None else self.outcome[mask]
        known = outcome >= 0
        excluded = int((~known).sum())
        y = outcome[known] == 1
        n, events = int(known.sum()), int(y.sum())
        position = (self.position if mask is None else self.position[mask])[known]
        notes = []
        auc = None
        if n and 0 < events < n and bool(np.isfinite(position).all()):
            auc = delong(position, y)
        elif n and (events == 0 or events == n):
            notes.append("no AUC: every case had the same outcome")
        sens = spec = ppv = npv = flagged = None
        if self.flagged is not None and n and bool((self.banded if mask is None else self.banded[mask])[known].all()):
            hit = (self.flagged if mask is None else self.flagged[mask])[known]
            tp, fp = int((hit & y).sum()), int((hit & ~y).sum())
            fn = int((~hit & y).sum())
            tn = n - tp - fp - fn
            sens, spec = wilson(tp, tp + fn), wilson(tn, tn + fp)
            ppv, npv = wilson(tp, tp + fp), wilson(tn, tn + fn)
            flagged = wilson(tp + fp, n)
        too_small = events < MIN_EVENTS
        if too_small:
            notes.insert(0, TOO_SMALL)
        return Summary(n, events, excluded, wilson(events, n), auc, sens, spec, ppv, npv, flagged,
                       too_small, " ".join(notes))


def summarise(cases: Sequence[Case], scale: BandScale | None, *, excluded_unknown: int = 0) -> Summary:
    """Figures for cases whose outcome is known. A group with one class gets no AUC, and says why. Unknown
    outcomes among `cases` are left out; `excluded_unknown` is the count the summary reports."""
    columns = CaseColumns.of([c for c in cases if c.outcome is not None])
    return replace(_Frame.of(columns, _ranks(columns.band, scale), scale).summary(), excluded_unknown=excluded_unknown)


def _rows(keys: Sequence[tuple[str, str]], n: npt.NDArray[np.int64], events: npt.NDArray[np.int64],
          total: int) -> list[Row]:
    return [Row(key, label, int(c), int(e), wilson(int(e), int(c)), wilson(int(c), total))
            for (key, label), c, e in zip(keys, n, events, strict=True)]


def _cutoffs(outcomes: npt.NDArray[np.bool_], values: FloatArray, keys: list[tuple[str, str, float]],
             current: float | None) -> list[Cutoff]:
    events, non_events = int(outcomes.sum()), int((~outcomes).sum())
    result = []
    for key, label, threshold in keys:
        at_or_above = values >= threshold
        tp = int((at_or_above & outcomes).sum())
        tn = int((~at_or_above & ~outcomes).sum())
        result.append(Cutoff(key, label, wilson(tp, events), wilson(tn, non_events),
                             wilson(int(at_or_above.sum()), len(values)), threshold == current))
    return result


def quarter(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _check(columns: CaseColumns, rank: npt.NDArray[np.int64], decided: npt.NDArray[np.int64],
           scale: BandScale | None) -> tuple[npt.NDArray[np.bool_], str]:
    """The known-outcome mask and the kind ("score" or "band"), or a ValidationInputError saying why not."""
    total = len(columns)
    if not total:
        raise ValidationInputError("there are no cases to validate")
    known = columns.outcome >= 0
    n = int(known.sum())
    if not n:
        raise ValidationInputError(f"all {total} cases have an unknown outcome: nothing to validate against")
    events = int((columns.outcome == 1).sum())
    if events == 0:
        raise ValidationInputError(f"none of the {n} cases with a known outcome had the outcome (no events)")
    if events == n:
        raise ValidationInputError(f"all {n} cases with a known outcome had the outcome: one class only")
    scored = bool(columns.has_score[known].all())
    banded = bool((rank[known] != -1).all())
    if not scored and not banded:
        raise ValidationInputError("every case needs a band or a score")
    if banded and not scored and scale is None:
        raise ValidationInputError("banded cases need the instrument's band scale")
    if scale is not None:
        off_scale = np.flatnonzero(known & ((rank == -2) | (decided == -2)))
        if len(off_scale):
            i = int(off_scale[0])
            band = columns.band[i] if rank[i] == -2 else columns.decided_band[i]
            raise ValidationInputError(f"unknown band id {band!r} (bands: {', '.join(scale.bands)})")
    return known, "score" if scored else "band"


def _split(values: Sequence[str]) -> list[tuple[str, npt.NDArray[np.bool_]]]:
    """(value, mask) for each distinct value, in sorted order. Subgroups have a handful of values, so one vectorised
    comparison per value beats coding 100,000 strings in Python; many values are coded by np.unique."""
    distinct = sorted(dict.fromkeys(values))
    array = np.asarray(values)
    if len(distinct) > 64:
        labels, inverse = np.unique(array, return_inverse=True)
        return [(str(label), inverse == i) for i, label in enumerate(labels.tolist())]
    return [(value, array == value) for value in distinct]


def _subgroups(columns: CaseColumns, frame: _Frame) -> dict[str, list[tuple[str, Summary]]]:
    """A summary per value of each subgroup (cases without one are "not recorded")."""
    return {name: [(value, frame.summary(mask)) for value, mask in _split(columns.groups[name])]
            for name in sorted(columns.groups)}


def _drift(columns: CaseColumns, frame: _Frame) -> list[tuple[str, Summary]]:
    """A summary per quarter of closure, for cases with a closing date."""
    return [(q, frame.summary(mask)) for q, mask in _split(columns.quarter) if q]


def _by_key(values: FloatArray) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Scores grouped by their printed key (f"{score:g}", as the rows show them): each value's group index, and the
    keys from the lowest score up."""
    distinct, inverse = np.unique(values, return_inverse=True)
    order: dict[str, int] = {}
    for s in distinct.tolist():
        order.setdefault(f"{s:g}", len(order))
    remap = np.fromiter((order[f"{s:g}"] for s in distinct.tolist()), np.int64, len(distinct))
    return remap[inverse], list(order)


def _follow_ups(columns: CaseColumns, rank: npt.NDArray[np.int64], scale: BandScale | None,
                kind: str) -> list[FollowUpRow]:
    """Later referral and later contact conviction per band (or score), over every case with follow-up records."""
    followed = (columns.later_referral >= 0) | (columns.later_contact_conviction >= 0)
    if not followed.any():
        return []
    if kind == "band" and scale is not None:
        order = [(b, scale.label(b)) for b in scale.bands]
        ok = followed & (rank >= 0)
        at = rank[ok]
    else:
        ok = followed & columns.has_score
        at, keys = _by_key(columns.score[ok])
        order = [(k, f"Score {k}") for k in keys]
    size = len(order)
    n = np.bincount(at, minlength=size)
    later = np.bincount(at, weights=(columns.later_referral[ok] == 1), minlength=size).astype(np.int64)
    convicted = np.bincount(at, weights=(columns.later_contact_conviction[ok] == 1), minlength=size).astype(np.int64)
    return [FollowUpRow(key, label, int(c), wilson(int(r), int(c)), wilson(int(v), int(c)))
            for (key, label), c, r, v in zip(order, n, later, convicted, strict=True)]


def validate(
    cases: Sequence[Case] | CaseColumns, *, scale: BandScale | None = PRIORITY_SCALE, bootstrap_replicates: int = 0,
    seed: int = 0,
) -> Report:
    columns = cases if isinstance(cases, CaseColumns) else CaseColumns.of(cases)
    rank, decided_rank = _ranks(columns.band, scale), _ranks(columns.decided_band, scale)
    is_known, kind = _check(columns, rank, decided_rank, scale)
    # One frame of every case; the known-outcome figures are masks over it (summary() leaves unknowns out and
    # counts them).
    everything = _Frame.of(columns, rank, scale)
    summary = everything.summary()
    outcomes = everything.outcome[is_known] == 1
    positions = everything.position[is_known]  # score, or band rank: _check made sure every case has one
    notes: list[str] = []
    roc = roc_points(positions, outcomes)
    total = int(is_known.sum())
    if kind == "band" and scale is not None:
        size = len(scale.bands)
        known_rank = rank[is_known]
        rows = _rows([(b, scale.label(b)) for b in scale.bands], np.bincount(known_rank, minlength=size),
                     np.bincount(known_rank[outcomes], minlength=size), total)
        keys = [(b, scale.label(b) + " or above", float(scale.rank(b))) for b in scale.bands[1:]]
        current: float | None = float(scale.rank(scale.flag_from))
    else:
        group, names = _by_key(positions)
        rows = _rows([(k, f"Score {k}") for k in names], np.bincount(group, minlength=len(names)),
                     np.bincount(group[outcomes], minlength=len(names)), total)
        distinct = np.unique(positions).tolist()
        keys = [(f"{s:g}", f"Score {s:g} or above", s) for s in distinct[1:]]
        current = None
    cutoffs = _cutoffs(outcomes, positions, keys, current)

    cal: Calibration | None = None
    eo: Interval | None = None
    expected_total: float | None = None
    expected = columns.expected[is_known]
    if not np.isnan(expected).any():
        expected_total = float(sum(expected.tolist()))  # summed in order, as a Python sum of the cases
        eo = expected_over_observed(expected_total, summary.events)
        try:
            cal = calibration(expected, outcomes)
            cal_note = ""
        except (ValueError, np.linalg.LinAlgError) as exc:
            cal_note = f"calibration intercept and slope not estimated: {exc}"
    else:
        cal_note = "The instrument declares no expected rates, so calibration (E/O, intercept, slope) is not computed."

    decided = None
    if scale is not None and bool((decided_rank[is_known] >= 0).all() and (rank[is_known] >= 0).all()):
        decided = delong_paired(decided_rank[is_known].astype(np.float64), positions, outcomes)
    versions = None
    alternative = columns.alternative_score[is_known]
    if not np.isnan(alternative).any():
        versions = delong_paired(alternative, positions, outcomes)

    subgroups = _subgroups(columns, everything)
    drift = _drift(columns, everything)
    unknowns = columns.unknown_answers[is_known]
    answered = unknowns >= 0
    values, inverse = np.unique(unknowns[answered], return_inverse=True)
    unknown_rows = _rows([(str(k), f"{k} unknown") for k in values.tolist()],
                         np.bincount(inverse, minlength=len(values)),
                         np.bincount(inverse[outcomes[answered]], minlength=len(values)), total)
    follow_ups = _follow_ups(columns, rank, scale, kind)
    boot = bootstrap_auc(positions, outcomes, replicates=bootstrap_replicates, seed=seed) if bootstrap_replicates else None
    if kind == "band":
        notes.append("Bands are ranked lowest to highest; the AUC treats each band as one score, so ties are many.")
    return Report(summary, kind, roc, rows, cutoffs, cal, eo, expected_total, cal_note, decided, versions,
                  subgroups, drift, unknown_rows, follow_ups, boot, scale if kind == "band" else None, notes)


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _triple(p: Interval | None) -> list[float | None] | None:
    return None if p is None else [_r(p.value), _r(p.low), _r(p.high)]


def summary_dict(s: Summary) -> dict[str, Any]:
    return {
        "n": s.n,
        "events": s.events,
        "excluded_unknown": s.excluded_unknown,
        "base_rate": _triple(s.base_rate),
        "auc": _r(s.auc.value) if s.auc else None,
        "auc_ci": [_r(s.auc.low), _r(s.auc.high)] if s.auc else None,
        "auc_ci_width": _r(s.auc.width) if s.auc else None,
        "sensitivity_high_or_very_high": _triple(s.sensitivity),
        "specificity_low_or_medium": _triple(s.specificity),
        "ppv": _triple(s.ppv),
        "npv": _triple(s.npv),
        "share_flagged": _triple(s.flagged),
        "too_small_to_judge": s.too_small,
        "note": s.note,
    }


def _paired(p: PairedComparison | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"auc_first": _r(p.first.value), "auc_first_ci": [_r(p.first.low), _r(p.first.high)],
            "auc_second": _r(p.second.value), "auc_second_ci": [_r(p.second.low), _r(p.second.high)],
            "difference": _r(p.difference), "difference_ci": [_r(p.low), _r(p.high)],
            "z": _r(p.z), "p": _r(p.p)}


def _row(r: Row) -> dict[str, Any]:
    return {"key": r.key, "label": r.label, "n": r.n, "events": r.events, "rate": _triple(r.rate),
            "share": _triple(r.share)}


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON shape of `winnow validate --json`: the summary's keys at the top level, details beside them."""
    result = summary_dict(report.summary)
    result.update({
        "kind": report.kind,
        "bootstrap_auc_ci": [_r(report.bootstrap.low), _r(report.bootstrap.high)] if report.bootstrap else None,
        "roc": [[_r(p.false_positive_rate), _r(p.true_positive_rate)] for p in report.roc],
        "rows": [_row(r) for r in report.rows],
        "cutoffs": [{"key": c.key, "label": c.label, "sensitivity": _triple(c.sensitivity),
                     "specificity": _triple(c.specificity), "share_flagged": _triple(c.flagged),
                     "current": c.current} for c in report.cutoffs],
        "calibration": None if report.calibration is None else {
            "intercept": _triple(report.calibration.intercept), "slope": _triple(report.calibration.slope)},
        "expected_events": _r(report.expected_total, 2),
        "expected_over_observed": _triple(report.expected_over_observed),
        "calibration_note": report.calibration_note,
        "computed_vs_decided": _paired(report.computed_vs_decided),
        "versions": _paired(report.versions),
        "subgroups": {name: [{"value": v, **summary_dict(s)} for v, s in groups]
                      for name, groups in report.subgroups.items()},
        "drift": [{"quarter": q, **summary_dict(s)} for q, s in report.drift],
        "by_unknown_answers": [_row(r) for r in report.by_unknown_answers],
        "follow_ups": [{"key": f.key, "label": f.label, "n": f.n, "later_referral": _triple(f.later_referral),
                        "later_contact_conviction": _triple(f.later_contact_conviction)} for f in report.follow_ups],
        "notes": report.notes,
    })
    if report.kind == "score":
        result.pop("sensitivity_high_or_very_high")
        result.pop("specificity_low_or_medium")
    return result
