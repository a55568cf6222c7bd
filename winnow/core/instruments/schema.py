"""The validated, immutable form of an instrument file.

The loader (`loader/`) turns YAML into these frozen dataclasses; nothing else builds them from files. Every
object keeps the line it came from so that later checks, and anyone reading a result, can point at the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from winnow.core.priority import Band as PriorityBand


class _UnknownType:
    """The one "unknown" answer. Unknown is never No: it refuses to be used as a truth value."""

    _instance: _UnknownType | None = None

    def __new__(cls) -> _UnknownType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # `if answer:` on an unknown answer would silently read it as No.
        raise TypeError("UNKNOWN has no truth value: compare with `is UNKNOWN`")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _UnknownType()


class ItemKind(StrEnum):
    YESNO = "yesno"
    COUNT = "count"
    CHOICE = "choice"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Band:
    """An output band. `rank` orders bands: higher is more urgent. NOT_SCORABLE has rank -1."""

    id: str
    label: str
    rank: int
    description: str = ""

    def __str__(self) -> str:
        return self.label


NOT_SCORABLE: Final = Band(id="not_scorable", label="Not scorable", rank=-1)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Fallback:
    """When this yes/no item is unknown, answer it from another instrument's score.

    Yes when that score is at least `score_at_least`, No when it is below; it stays unknown when the other result
    is missing, not scorable, or its unknowns leave it on both sides of the cut-off.
    """

    instrument: str
    score_at_least: int
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: ItemKind
    question: str
    help: str
    section: str
    line: int
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    fallback: Fallback | None = None
    unverified: bool = False

    def option_label(self, option_id: str) -> str:
        for option in self.options:
            if option.id == option_id:
                return option.label
        return option_id


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    help: str
    items: tuple[str, ...]
    line: int


# Conditions: a small declarative language, evaluated in three-valued logic (True, False, unknown).


@dataclass(frozen=True, slots=True)
class Ref:
    """A yes/no item (answered or derived) is Yes (`negated=False`) or is No (`negated=True`)."""

    item: str
    negated: bool
    line: int


@dataclass(frozen=True, slots=True)
class AnyOf:
    of: tuple[Condition, ...]
    line: int


@dataclass(frozen=True, slots=True)
class AllOf:
    of: tuple[Condition, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Not:
    of: Condition
    line: int


@dataclass(frozen=True, slots=True)
class CountAtLeast:
    n: int
    of: tuple[Condition, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Threshold:
    """A count item, or the whole years or days between two date items, compared with bounds (inclusive)."""

    item: str | None
    between: tuple[str, str] | None
    unit: str  # "value", "years" or "days"
    at_least: int | None
    at_most: int | None
    line: int


@dataclass(frozen=True, slots=True)
class ChoiceIn:
    item: str
    options: tuple[str, ...]
    line: int


Condition = Ref | AnyOf | AllOf | Not | CountAtLeast | Threshold | ChoiceIn


@dataclass(frozen=True, slots=True)
class DerivedItem:
    id: str
    label: str
    help: str
    when: Condition
    line: int


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    step: str
    label: str
    band: str
    when: Condition
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    help: str
    rules: tuple[Rule, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Otherwise:
    band: str
    label: str
    line: int


@dataclass(frozen=True, slots=True)
class Decision:
    steps: tuple[Step, ...]
    otherwise: Otherwise | None
    line: int


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """Points for a yes/no item (`points` for Yes, `points_if_no` for No) or per option of a choice item."""

    item: str
    points: int
    points_if_no: int
    option_points: tuple[tuple[str, int], ...]
    line: int


@dataclass(frozen=True, slots=True)
class ScoreBand:
    band: str
    minimum: int
    maximum: int
    line: int


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    components: tuple[ScoreComponent, ...]
    bands: tuple[ScoreBand, ...]
    minimum: int
    maximum: int
    line: int


@dataclass(frozen=True, slots=True)
class ExpectedRates:
    """`expected_rates:` the probability of the validation outcome per band id or per score ("3", "0.5"), and the
    published source they come from. Calibration in a local validation is computed against these."""

    source: str
    kind: str  # "band" or "score"
    rates: tuple[tuple[str, float], ...]

    def rate(self, *, band: str | None = None, score: float | None = None) -> float | None:
        key = band if self.kind == "band" else (None if score is None else f"{score:g}")
        return dict(self.rates).get(key) if key is not None else None


@dataclass(frozen=True, slots=True)
class MissingRule:
    """Not scorable when more than `max_unknown` of `items` are unknown (after fallbacks).

    With `exempt_when_decided`, a band reached on known answers alone (no earlier rule left undecided by unknowns)
    stands however many other answers are unknown.
    """

    max_unknown: int
    items: tuple[str, ...]
    exempt_when_decided: bool
    statement: str
    line: int


@dataclass(frozen=True, slots=True)
class Provenance:
    status: str  # "published" or "unvalidated"
    sources: tuple[str, ...]
    validation: tuple[str, ...]
    validated_for: str
    not_validated_for: str
    notice: str


@dataclass(frozen=True, slots=True)
class Applicability:
    population: str
    min_age: int | None
    max_age: int | None
    sexes: tuple[str, ...]
    offence_types: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    description: str
    provenance: Provenance
    applicability: Applicability
    monotone: bool
    bands: tuple[Band, ...]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    derived: tuple[DerivedItem, ...]  # in an order where each only uses items before it
    decision: Decision | None
    score: Score | None
    missing: MissingRule | None
    path: str = ""
    sha256: str = ""
    # `sets_referral_priority:` in the file: each band id and the queue's priority band it sets; empty when the
    # instrument's bands never set a referral's priority (a score such as CPORT or CASIC).
    referral_priority: tuple[tuple[str, PriorityBand], ...] = ()
    # `expected_rates:` in the file, for calibration; Winnow's shipped instruments declare none.
    expected_rates: ExpectedRates | None = None
    # Filled once by the scorer (closures and lookup tables); not part of the instrument's identity.
    compiled: Any = field(default=None, compare=False, repr=False, hash=False)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def band(self, band_id: str) -> Band:
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(band_id)

    @property
    def sets_referral_priority(self) -> bool:
        return bool(self.referral_priority)

    def priority_band(self, band_id: str) -> PriorityBand | None:
        """The queue's priority band that this instrument's band sets, or None."""
        return dict(self.referral_priority).get(band_id)

    def label_of(self, item_id: str) -> str:
        """The question or label of an answered or derived item."""
        for item in self.items:
            if item.id == item_id:
                return item.question
        for derived in self.derived:
            if derived.id == item_id:
                return derived.label
        return item_id
