"""What scoring returns: a band (or NOT_SCORABLE), a score, what decided it, and how much rests on unknowns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from winnow.core.instruments.schema import NOT_SCORABLE, Band, ScoreBand

UNKNOWN_POLICY = (
    "Unknown is never No: a rule that cannot be decided from the known answers does not fire, scoring passes on "
    "to the next rule, and the result names the undecided rules and the highest band they could lead to."
)


@dataclass(frozen=True, slots=True)
class Driver:
    """An answer that drove the result: the item, its question and the answer as shown to people."""

    item: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class UndecidedRule:
    """A rule the unknown answers left undecided: it did not fire, but answering `unknown_items` might make it."""

    rule: str
    step: str
    band: Band
    unknown_items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FallbackUse:
    """An unknown item answered (or not) from another instrument's result."""

    item: str
    instrument: str
    score: str  # "4", or "2-4" when that result has unknowns of its own, or "not scorable"
    value: bool | None  # None: that result could not settle it, the item stays unknown
    note: str


@dataclass(frozen=True, slots=True)
class Result:
    instrument_id: str
    instrument_version: str
    instrument_title: str
    instrument_sha256: str
    band: Band | None  # None for an instrument that gives a score, not a band; NOT_SCORABLE when not scorable
    score: int | None  # counting known answers only (the lowest the full score can be)
    score_max: int | None  # the highest the full score can be once unknowns are answered
    decided_by: str  # a phrase: "rule 1a (Step 1: previous behaviours)", "score cut-off 3-4", ...
    step_id: str | None
    rule_id: str | None
    cutoff: ScoreBand | None
    drivers: tuple[Driver, ...]
    unknown_count: int
    unknown_items: tuple[str, ...]
    rests_on_unknowns: bool
    undecided: tuple[UndecidedRule, ...]
    highest_possible_band: Band | None
    fallbacks: tuple[FallbackUse, ...]
    answers: Mapping[str, Any]  # answered items after fallbacks; UNKNOWN for unknown
    derived: Mapping[str, bool | None]  # derived items; None for unknown
    not_scorable_reason: str | None
    explanation: tuple[str, ...]

    @property
    def scorable(self) -> bool:
        return self.band is None or self.band.id != NOT_SCORABLE.id
