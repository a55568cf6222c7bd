"""Score a CSV of answers offline, so a force can test an instrument file before loading it.

`winnow assess INSTRUMENT.yaml ANSWERS.csv` prints `assess_files(...)`. The CSV's header names item ids; a cell that
is empty or says "unknown" is unknown, and a column left out is unknown for every row. Optional columns:
- `_label`: a name for the row, printed with it;
- `_expected`: the band (id or label) or "not scorable" the row should get: a mismatch is reported, so a set of
  hand-worked cases becomes a test of the file;
- `_result:<instrument-id>`: that instrument's score for the subject, for items that fall back on it.
A bad cell makes that row an error naming its row (as a spreadsheet numbers it) and column; other rows still score.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from winnow.core.instruments.errors import AnswerError
from winnow.core.instruments.explanation import format_result
from winnow.core.instruments.loader import load_instrument
from winnow.core.instruments.result import Result
from winnow.core.instruments.schema import UNKNOWN, Instrument, Item, ItemKind
from winnow.core.instruments.scorer import score

LABEL, EXPECTED, RESULT_PREFIX = "_label", "_expected", "_result:"
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_COUNT = re.compile(r"^[0-9]{1,9}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class CsvError(ValueError):
    """The CSV as a whole cannot be read (its header, or its syntax); names the row and the reason."""


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int  # as a spreadsheet numbers it (the header is normally row 1)
    label: str
    result: Result | None
    error: str | None
    expected: str | None

    @property
    def matches_expected(self) -> bool | None:
        if self.expected is None or self.result is None:
            return None
        wanted = self.expected.strip().casefold().replace("_", " ")
        band = self.result.band
        if band is None:
            return wanted in ("", "none", "no band")
        return wanted in (band.id.casefold().replace("_", " "), band.label.casefold())


def parse_answer(item: Item, text: str) -> Any:
    """Read an answer typed as text (a CSV cell, a form field): the scorer's value, or UNKNOWN.

    Raises ValueError with the reason when the text is not an answer to this item.
    """
    cell = text.strip()
    folded = cell.casefold()
    if not cell or folded == "unknown":
        return UNKNOWN
    if item.kind is ItemKind.YESNO:
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise ValueError(f"{cell!r} is not yes, no or unknown")
    if item.kind is ItemKind.COUNT:
        if not _COUNT.match(cell):
            raise ValueError(f"{cell!r} is not a whole number")
        return int(cell)
    if item.kind is ItemKind.CHOICE:
        for option in item.options:
            if folded in (option.id, option.label.casefold()):
                return option.id
        raise ValueError(f"{cell!r} is not one of {', '.join(o.id for o in item.options)}")
    if _ISO_DATE.match(cell):
        try:
            return date.fromisoformat(cell)
        except ValueError:
            pass
    raise ValueError(f"{cell!r} is not a date (YYYY-MM-DD)")


def score_csv(instrument: Instrument, csv_text: str) -> list[RowResult]:
    """Score every row of `csv_text`; raises CsvError only when the header or the CSV syntax is unusable."""
    if csv_text.startswith("\ufeff"):
        csv_text = csv_text[1:]
    reader = csv.reader(io.StringIO(csv_text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise CsvError(f"row {reader.line_num}: not valid CSV ({exc})") from None
    numbered = [
        (n, record) for n, record in enumerate(records, start=1) if any(cell.strip() for cell in record)
    ]
    if not numbered:
        raise CsvError("row 1: the CSV is empty; its first row must name item ids")
    header = [cell.strip() for cell in numbered[0][1]]
    items = {item.id: item for item in instrument.items}
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise CsvError(f"row 1, column {column!r}: the column appears twice")
        seen.add(column)
        if column in items or column in (LABEL, EXPECTED):
            continue
        if column.startswith(RESULT_PREFIX) and column[len(RESULT_PREFIX) :]:
            continue
        reason = (
            "is a derived item: it is computed, not answered"
            if any(d.id == column for d in instrument.derived)
            else f"is not an item of {instrument.id}"
        )
        raise CsvError(f"row 1, column {column!r}: {reason}")

    return [_score_row(instrument, items, header, number, record) for number, record in numbered[1:]]


def _score_row(
    instrument: Instrument, items: dict[str, Item], header: list[str], number: int, record: list[str]
) -> RowResult:
    cells = dict(zip(header, record, strict=False))
    label = cells.get(LABEL, "").strip()
    expected = cells[EXPECTED].strip() if EXPECTED in cells and cells[EXPECTED].strip() else None
    if len(record) > len(header):
        return RowResult(
            number, label, None, f"row {number}: {len(record)} cells but {len(header)} columns", expected
        )
    answers: dict[str, Any] = {}
    other: dict[str, Any] = {}
    errors: list[str] = []
    for column, cell in cells.items():
        if column in items:
            try:
                answers[column] = parse_answer(items[column], cell)
            except ValueError as exc:
                errors.append(f"row {number}, column {column!r}: {exc}")
        elif column.startswith(RESULT_PREFIX) and cell.strip():
            if not _COUNT.match(cell.strip()):
                errors.append(
                    f"row {number}, column {column!r}: {cell.strip()!r} is not a whole-number score"
                )
            else:
                other[column[len(RESULT_PREFIX) :]] = int(cell.strip())
    if not errors:
        try:
            return RowResult(
                number, label, score(instrument, answers, other_results=other or None), None, expected
            )
        except AnswerError as exc:
            errors.extend(f"row {number}, column {where!r}: {reason}" for where, reason in exc.problems)
    return RowResult(number, label, None, "; ".join(errors), expected)


def format_row(row: RowResult) -> str:
    name = f"Row {row.row}" + (f" ({row.label})" if row.label else "")
    if row.result is None:
        return f"{name}: ERROR {row.error}"
    text = f"{name}: {format_result(row.result)}"
    if row.matches_expected is False:
        shown = row.result.band.label if row.result.band is not None else "no band"
        text += f"\n  MISMATCH: expected {row.expected}, got {shown}"
    return text


def assess_files(instrument_path: str | Path, csv_path: str | Path) -> tuple[str, int]:
    """What `winnow assess` prints, and its exit status: 0 when every row scored as expected, 1 otherwise.

    Raises InstrumentError for a bad instrument file and CsvError for an unreadable CSV.
    """
    instrument = load_instrument(instrument_path)
    try:
        text = Path(csv_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvError(f"{csv_path}: cannot read the CSV ({exc})") from None
    rows = score_csv(instrument, text)
    failed = sum(1 for row in rows if row.result is None or row.matches_expected is False)
    scored = [row for row in rows if row.result is not None]
    not_scorable = sum(1 for row in scored if row.result is not None and not row.result.scorable)
    summary = (
        f"{len(rows)} rows: {len(scored)} scored ({not_scorable} not scorable), "
        f"{len(rows) - len(scored)} with errors"
    )
    if any(row.expected is not None for row in rows):
        mismatches = sum(1 for row in rows if row.matches_expected is False)
        summary += f", {mismatches} not as expected"
    body = "\n\n".join(format_row(row) for row in rows)
    return f"{body}\n\n{summary}." if body else f"{summary}.", 1 if failed else 0
