"""Person linkage: which records describe the same person, scored with splink (DuckDB backend), explained per field.

Pure: plain records in, scored pairs out; no Django, no database of Winnow's (DuckDB runs in memory).

The model is a Fellegi-Sunter model over names, date of birth, postcode and address. Each field comparison has
levels (exact, close, far) and each level a match weight: log2(m/u), where m is how often the level occurs for
two records of the same person and u for two records of different people. A pair's match weight is the sum of its
fields' weights plus the prior; `match_probability` follows from it. Because every pair carries its per-field
weights, a handler can see *why* two records were proposed ("date of birth exact +13.3, family name close +5.1,
postcode differs -4.2").

Two ways to get m and u:

- `PRIOR_MODEL` (default): fixed values written below, each with its reasoning. A unit holds a few hundred
  subjects, too few for expectation maximisation to estimate anything, and a fixed model gives the same answer for
  the same data every time (reviewable, testable).
- `train=True`: m estimated by expectation maximisation and u by random sampling, as splink recommends for large
  data sets (thousands of records or more, e.g. regional or national runs). `benchmarks/bench_linkage.py` measures
  both on FEBRL.

For national volumes the same settings run on splink's Spark backend; see docs/benchmarks/linkage.md.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# splink's logging is chatty (and prints warnings about untrained values we set deliberately).
_QUIET = logging.ERROR

FIELDS: tuple[str, ...] = ("given_names", "family_name", "date_of_birth", "postcode", "address")

FIELD_LABELS: Mapping[str, str] = {
    "given_names": "given names",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
    "address": "address",
}


class LinkageError(ValueError):
    """The records cannot be linked as given (duplicate ids, a record with no id); the message says which."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One description of a person. `record_id` is the caller's key (e.g. a subject id), unique per call."""

    record_id: str
    given_names: str | None = None
    family_name: str | None = None
    date_of_birth: date | str | None = None
    postcode: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class FieldWeight:
    """How one field of a pair compared: the level reached (e.g. "exact", "Jaro-Winkler >= 0.92", "null") and its
    match weight (log2 Bayes factor; positive = evidence for the same person, negative = against, 0 = no data)."""

    field: str
    level: str
    match_weight: float
    left: str | None = None
    right: str | None = None

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two records that may describe the same person. `left_id` < `right_id` (string order) for deduplication."""

    left_id: str
    right_id: str
    match_probability: float
    match_weight: float
    fields: tuple[FieldWeight, ...]

    def weights(self) -> dict[str, float]:
        return {f.field: f.match_weight for f in self.fields}


# ------------------------------------------------------------------------------------------------ normalisation

_SPACES = re.compile(r"\s+")
_NOT_NAME = re.compile(r"[^\w' -]")
# UK postcodes (outward code + inward code), as Royal Mail formats them; BFPO and GIR 0AA are rare enough to skip.
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


def clean_name(value: str | None) -> str | None:
    """Case-folded, accents removed, punctuation other than hyphen and apostrophe removed, spaces collapsed."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _SPACES.sub(" ", _NOT_NAME.sub(" ", text)).strip()
    return text or None


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip(" ,")
    return text or None


def uk_postcode(text: str | None) -> str | None:
    """The first UK postcode in `text`, upper case with one space (`ME99 1ZZ`), or None."""
    if not text:
        return None
    match = _UK_POSTCODE.search(text.upper())
    return f"{match[1]} {match[2]}" if match else None


def _dob(value: date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = value.strip()
    return text or None


# ------------------------------------------------------------------------------------------------------ the model


@dataclass(frozen=True, slots=True)
class LevelPrior:
    """m and u of one comparison level, with the reason for the values."""

    m: float
    u: float


# Levels are listed best first, as splink orders them (the null level is splink's own and weighs 0).
# Reasoning for u: the chance two *different* people agree at that level. Two random UK adults share a given name
# about 1 time in 200 and a family name about 1 in 500 (the commonest names are far more frequent, which is why
# an exact name weighs less than an exact date of birth); a date of birth about 1 in 20,000 (365 days x ~60 birth
# years); a full postcode about 1 in 10,000 within a force area (~15 households per postcode); a street address
# less. m: the chance the *same* person's two records agree at that level; records are typed by different people
# from different sources, so typos (~5-10%), nicknames and moves (addresses, postcodes) lower m.
PRIOR_MODEL: Mapping[str, tuple[LevelPrior, ...]] = {
    "given_names": (  # exact, JW >= 0.92, JW >= 0.80, else
        LevelPrior(0.80, 0.005), LevelPrior(0.10, 0.002), LevelPrior(0.05, 0.02), LevelPrior(0.05, 0.973),
    ),
    "family_name": (
        LevelPrior(0.82, 0.002), LevelPrior(0.10, 0.001), LevelPrior(0.04, 0.01), LevelPrior(0.04, 0.987),
    ),
    "date_of_birth": (  # exact, 1 edit, 2 edits, else
        LevelPrior(0.85, 0.00005), LevelPrior(0.09, 0.0008), LevelPrior(0.02, 0.005), LevelPrior(0.04, 0.99415),
    ),
    "postcode": (  # exact, 1 edit, else (people move: a different postcode is weak evidence against)
        LevelPrior(0.70, 0.0001), LevelPrior(0.08, 0.002), LevelPrior(0.22, 0.9979),
    ),
    "address": (  # exact, JW >= 0.90, JW >= 0.70, else
        LevelPrior(0.60, 0.00005), LevelPrior(0.10, 0.0005), LevelPrior(0.05, 0.02), LevelPrior(0.25, 0.97945),
    ),
}
# One person in a unit's subjects is rarely the same as another: about 1 pair in 10,000 (i.e. a unit of 2,000
# subjects holding ~200 repeat subjects). Only the prior; the fields decide.
PRIOR_PROBABILITY_TWO_RECORDS_MATCH = 1e-4
DEFAULT_THRESHOLD = 0.80


def _comparisons(prior: bool) -> list[Any]:
    import splink.comparison_library as cl

    made = {
        "given_names": cl.JaroWinklerAtThresholds("given_names", [0.92, 0.8]),
        "family_name": cl.JaroWinklerAtThresholds("family_name", [0.92, 0.8]),
        "date_of_birth": cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
        "postcode": cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        "address": cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
    }
    if prior:
        for name, comparison in made.items():
            levels = PRIOR_MODEL[name]
            comparison.configure(m_probabilities=[lv.m for lv in levels], u_probabilities=[lv.u for lv in levels])
    return [made[name] for name in FIELDS]


def splink_settings(*, link_type: str = "dedupe_only", prior: bool = True, probability: float | None = None) -> Any:
    """The splink `SettingsCreator`: comparisons per field and the blocking rules (pairs are only considered when
    they agree exactly on at least one of given names, family name, date of birth or postcode, which keeps the
    work near-linear while losing only pairs that differ on every one of them)."""
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=_comparisons(prior),
        blocking_rules_to_generate_predictions=[
            block_on("given_names"),
            block_on("family_name"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        probability_two_random_records_match=probability or PRIOR_PROBABILITY_TWO_RECORDS_MATCH,
        retain_intermediate_calculation_columns=True,
    )


_COLUMNS = ("unique_id", "given_names", "family_name", "date_of_birth", "postcode", "address")
Cleaned = tuple[str, str | None, str | None, str | None, str | None, str | None]


def _clean(r: PersonRecord) -> Cleaned:
    return (r.record_id, clean_name(r.given_names), clean_name(r.family_name), _dob(r.date_of_birth),
            clean_text(r.postcode), clean_text(r.address))


def _frame_of(rows: Iterable[Cleaned]) -> Any:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    return pd.DataFrame.from_records(list(rows), columns=list(_COLUMNS)).astype(object)


def _frame(records: Sequence[PersonRecord]) -> Any:
    return _frame_of(_clean(r) for r in records)


class CleanedPeople:
    """Records cleaned once and kept between calls, for incremental linkage in a long-running process: cleaning is
    most of the cost of registering 100,000 held records, and a record whose source never changes (Winnow's subjects
    are append-only) never needs cleaning again. Not thread-safe; one per process and unit."""

    def __init__(self) -> None:
        self._rows: dict[str, Cleaned] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def missing(self, ids: Iterable[str]) -> set[str]:
        return {i for i in ids if i not in self._rows}

    def add(self, records: Iterable[PersonRecord]) -> None:
        for record in records:
            self._rows[record.record_id] = _clean(record)

    def frame(self, ids: Iterable[str]) -> Any:
        return _frame_of(self._rows[i] for i in ids)


def _check_ids(records: Sequence[PersonRecord]) -> None:
    seen: set[str] = set()
    for index, record in enumerate(records, 1):
        if not record.record_id:
            raise LinkageError(f"record {index} has no id")
        if record.record_id in seen:
            raise LinkageError(f"record id {record.record_id!r} is given twice")
        seen.add(record.record_id)


def _level_labels(linker: Any) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        name = comparison.output_column_name
        labels[name] = {
            level.comparison_vector_value: level.label_for_charts for level in comparison.comparison_levels
        }
    return labels


def _value(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _pairs(linker: Any, predictions: Any, *, order: bool) -> list[ScoredPair]:
    labels = _level_labels(linker)
    pairs: list[ScoredPair] = []
    for row in predictions.as_pandas_dataframe().to_dict("records"):
        left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
        fields = []
        for name in FIELDS:
            gamma = int(row[f"gamma_{name}"])
            left_value, right_value = _value(row, f"{name}_l"), _value(row, f"{name}_r")
            if order and left > right:
                left_value, right_value = right_value, left_value
            fields.append(
                FieldWeight(
                    field=name,
                    level=labels.get(name, {}).get(gamma, str(gamma)),
                    match_weight=round(float(row[f"mw_{name}"]), 3),
                    left=left_value,
                    right=right_value,
                )
            )
        if order and left > right:
            left, right = right, left
        pairs.append(
            ScoredPair(
                left_id=left,
                right_id=right,
                match_probability=float(row["match_probability"]),
                match_weight=round(float(row["match_weight"]), 3),
                fields=tuple(fields),
            )
        )
    pairs.sort(key=lambda p: (-p.match_probability, p.left_id, p.right_id))
    return pairs


def _train(linker: Any, *, seed: int = 1) -> None:
    from splink import block_on

    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family_name"))


def score_people(
    records: Iterable[PersonRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    train: bool = False,
    only_involving: Iterable[str] | None = None,
) -> list[ScoredPair]:
    """Deduplicate: every pair of `records` that probably describes one person (match probability >= `threshold`),
    best first, each with its per-field match weights. `only_involving`: keep only pairs where at least one side
    is one of these ids (new records at intake against everything held)."""
    from splink import DuckDBAPI, Linker

    people = list(records)
    _check_ids(people)
    if len(people) < 2:
        return []
    db = DuckDBAPI()
    frame = db.register(_frame(people), table_name="people")
    linker = Linker(frame, splink_settings(prior=not train), log_level=_QUIET)
    if train:
        _train(linker)
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    pairs = _pairs(linker, predictions, order=True)
    if only_involving is not None:
        wanted = set(only_involving)
        pairs = [p for p in pairs if p.left_id in wanted or p.right_id in wanted]
    return pairs


def match_new_people(
    new: Iterable[PersonRecord],
    existing: Iterable[PersonRecord] | tuple[CleanedPeople, Iterable[str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ScoredPair]:
    """Incremental linkage: pairs involving at least one of `new`, scored exactly as `score_people` scores them (same
    settings, prior and blocking rules, so the same probability and per-field weights), without comparing
    `existing` records with each other. splink blocks `new` x `existing` (`predict_between`) and `new` x `new`
    (`predict_within`); the work grows with the new records' blocks, not with the square of everyone held.
    `existing` is records, or (a CleanedPeople holding them, their ids). A record in both counts as new."""
    from splink import DuckDBAPI, Linker

    fresh = list(new)
    _check_ids(fresh)
    fresh_ids = {r.record_id for r in fresh}
    if isinstance(existing, tuple):
        cache, wanted = existing
        held_ids = [i for i in dict.fromkeys(wanted) if i not in fresh_ids]
        held_frame = cache.frame(held_ids)
    else:
        held = [r for r in existing if r.record_id not in fresh_ids]
        _check_ids(held)
        held_ids = [r.record_id for r in held]
        held_frame = _frame(held)
    if not fresh or len(fresh) + len(held_ids) < 2:
        return []
    db = DuckDBAPI()
    new_frame = db.register(_frame(fresh), table_name="new_people")
    linker = Linker(new_frame, splink_settings(prior=True), log_level=_QUIET)
    pairs: list[ScoredPair] = []
    if held_ids:
        between = linker.inference.predict_between(
            db.register(held_frame, table_name="held_people"), new_frame,
            threshold_match_probability=threshold, warning_mode="never",
        )
        pairs.extend(_pairs(linker, between, order=True))
    if len(fresh) > 1:
        within = linker.inference.predict_within(new_frame, threshold_match_probability=threshold, warning_mode="never")
        pairs.extend(_pairs(linker, within, order=True))
    unique = {(p.left_id, p.right_id): p for p in pairs}
    return sorted(unique.values(), key=lambda p: (-p.match_probability, p.left_id, p.right_id))


def warm_up() -> None:
    """Import splink and DuckDB and score one pair, so a long-running worker's first real task does not pay for it
    (tens of seconds on a loaded machine)."""
    match_new_people([PersonRecord("a", "Warm", "Up", "2000-01-01")], [PersonRecord("b", "Warm", "Up", "2000-01-01")])


def link_people(
    left: Iterable[PersonRecord],
    right: Iterable[PersonRecord],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    train: bool = False,
    probability: float | None = None,
) -> list[ScoredPair]:
    """Link two lists (each assumed free of duplicates): pairs (left id, right id) at or above `threshold`."""
    from splink import DuckDBAPI, Linker

    lefts, rights = list(left), list(right)
    _check_ids(lefts)
    _check_ids(rights)
    if not lefts or not rights:
        return []
    db = DuckDBAPI()
    frames = [db.register(_frame(lefts), table_name="left_people"), db.register(_frame(rights), table_name="right_people")]
    if probability is None:
        probability = 1 / max(len(lefts), len(rights))  # at most one match per record
    linker = Linker(frames, splink_settings(link_type="link_only", prior=not train, probability=probability), log_level=_QUIET)
    if train:
        _train(linker)
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    return _pairs(linker, predictions, order=False)


def explain(pair: ScoredPair) -> str:
    """One line a handler can read: each field's level and weight, strongest evidence first."""
    parts = [
        f"{f.label} {f.level.lower()} {f.match_weight:+.1f}"
        for f in sorted(pair.fields, key=lambda f: -abs(f.match_weight))
        if f.match_weight != 0
    ]
    return f"match probability {pair.match_probability:.1%}: " + (", ".join(parts) or "no fields compared")


def probability_text(probability: float) -> str:
    """A match probability as a reader should see it: a percentage that never claims certainty.

    A linkage model's probability rounds to 1.000 long before it is certain (a match weight of 10 is already
    0.999); a person reading "1.000" takes it as proof. Above 99.9% and below 0.1% the text says so instead."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"a probability lies between 0 and 1, not {probability}")
    if probability > 0.999:
        return "more than 99.9% (not certain)"
    if probability < 0.001:
        return "less than 0.1%"
    return f"{probability * 100:.1f}%"


def split_evidence(fields: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The compared fields that agree (positive weight, strongest first) and those that disagree (negative weight,
    strongest first). Fields with no information either way (weight 0, e.g. a missing value) are in neither."""
    agree = sorted((f for f in fields if f.get("match_weight", 0) > 0), key=lambda f: -f["match_weight"])
    disagree = sorted((f for f in fields if f.get("match_weight", 0) < 0), key=lambda f: f["match_weight"])
    return agree, disagree
