"""Historical cases a force scored offline, as a CSV file, for `winnow validate --csv`.

The file has a header row and, per case:
- `band` (band ids lowest to highest as the instrument declares them, or low / medium / high / very_high; labels
  such as "Very High" are accepted) and/or `score` (a number);
- `outcome`: yes, no or unknown. Unknown rows are excluded from every figure and counted; an empty cell is an
  error, because Winnow never guesses which of the three was meant.
Optional: `decided_band` (a supervisor's band), `alternative_score` (the same case under another instrument
version), `expected` (the expected probability, 0-1), `closed_on` (YYYY-MM-DD, for drift by quarter),
`unknown_answers` (a whole number), and `group_<name>` columns for subgroups (e.g. `group_source`).

Hostile or careless input gets a `ValidationInputError` naming the row and field: a UTF-8 byte-order mark (as
Excel writes) is accepted and removed; UTF-16 or bytes that are not UTF-8 are refused with the line they are on.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import date

from .errors import ValidationInputError
from .report import PRIORITY_SCALE, BandScale, Case

OUTCOMES = {"yes": True, "no": False, "unknown": None}
KNOWN = {"band", "score", "outcome", "decided_band", "alternative_score", "expected", "closed_on", "unknown_answers"}
MAX_PROBLEMS = 20
MAX_BYTES = 200 * 1024 * 1024


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationInputError("the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationInputError(
            f"byte {exc.start} is not UTF-8 (0x{data[exc.start]:02x}): save the file as UTF-8 CSV", row=line
        ) from None


def _band(raw: str, scale: BandScale) -> str:
    key = raw.strip().casefold().replace(" ", "_").replace("-", "_")
    if key in scale.bands:
        return key
    for band in scale.bands:
        if scale.label(band).casefold() == raw.strip().casefold():
            return band
    raise ValueError(f"unknown band id {raw.strip()!r} (bands, lowest first: {', '.join(scale.bands)})")


def _number(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f"{raw.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{raw.strip()!r} is not a finite number")
    return value


def read_cases(data: bytes, *, scale: BandScale = PRIORITY_SCALE) -> list[Case]:
    """Every row as a Case, or a ValidationInputError listing up to 20 problems, each with its row and field.
    Row numbers count the header as row 1, as a spreadsheet shows them."""
    if len(data) > MAX_BYTES:
        raise ValidationInputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    text = _decode(data)
    if "\x00" in text:
        raise ValidationInputError("the file contains NUL bytes: it is not a text CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader)
    cases: list[Case] = []
    problems: list[tuple[int, str, str]] = []
    number = 1
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append((number, "", f"{len(record)} cells but the header has {len(header)} columns"))
                continue
            case = _case(dict(zip(header, record, strict=True)), number, scale, problems)
            if case is not None:
                cases.append(case)
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as exc:
        problems.append((number + 1, "", f"not valid CSV: {exc}"))
    if problems:
        messages = [f"row {r}, field {f!r}: {m}" if f else f"row {r}: {m}" for r, f, m in problems]
        first_row, first_field, first = problems[0]
        error = ValidationInputError(first, row=first_row, field=first_field or None, problems=messages)
        raise error
    if not cases:
        raise ValidationInputError("the file has a header but no cases")
    return cases


def _header(reader: Iterator[list[str]]) -> list[str]:
    """The header row, folded, or ValidationInputError naming what is wrong with it (row 1)."""
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise ValidationInputError("the file is empty: it needs a header row and one row per case") from None
    except csv.Error as exc:
        raise ValidationInputError(f"the header is not valid CSV: {exc}", row=1) from None
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise ValidationInputError(f"columns named more than once: {', '.join(duplicates)}", row=1)
    if "outcome" not in header:
        raise ValidationInputError("the header has no 'outcome' column (yes, no or unknown)", row=1)
    if "band" not in header and "score" not in header:
        raise ValidationInputError("the header needs a 'band' or a 'score' column", row=1)
    unknown = [h for h in header if h not in KNOWN and not h.startswith("group_")]
    if unknown:
        raise ValidationInputError(
            f"unknown column(s): {', '.join(unknown)} (known: {', '.join(sorted(KNOWN))}, group_<name>)", row=1
        )
    return header


def _case(cells: dict[str, str], number: int, scale: BandScale,
          problems: list[tuple[int, str, str]]) -> Case | None:
    before = len(problems)

    def field(name: str, parse: object) -> object:
        raw = cells.get(name, "")
        if not raw.strip():
            return None
        try:
            return parse(raw)  # type: ignore[operator]
        except ValueError as exc:
            problems.append((number, name, str(exc)))
            return None

    outcome_raw = cells["outcome"].strip().casefold()
    if outcome_raw not in OUTCOMES:
        shown = cells["outcome"].strip()
        problems.append((number, "outcome", f"{shown!r} is not yes, no or unknown" if shown
                         else "empty: write yes, no or unknown"))
    band = field("band", lambda raw: _band(raw, scale))
    score = field("score", _number)
    if band is None and score is None and len(problems) == before:
        problems.append((number, "band" if "band" in cells else "score", "empty: every case needs a band or a score"))
    decided = field("decided_band", lambda raw: _band(raw, scale))
    alternative = field("alternative_score", _number)
    expected = field("expected", _probability)
    closed = field("closed_on", _date)
    unknown_answers = field("unknown_answers", _count)
    if len(problems) > before:
        return None
    groups = {name[len("group_"):]: value.strip() for name, value in cells.items()
              if name.startswith("group_") and value.strip()}
    return Case(
        outcome=OUTCOMES[outcome_raw], band=band, score=score, decided_band=decided,  # type: ignore[arg-type]
        alternative_score=alternative, expected=expected, closed_on=closed,  # type: ignore[arg-type]
        unknown_answers=unknown_answers, groups=groups,  # type: ignore[arg-type]
    )


def _probability(raw: str) -> float:
    value = _number(raw)
    if not 0 < value < 1:
        raise ValueError(f"{raw.strip()!r} is not a probability strictly between 0 and 1")
    return value


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{raw.strip()!r} is not a date (YYYY-MM-DD)") from None


def _count(raw: str) -> int:
    if not raw.strip().isdigit():
        raise ValueError(f"{raw.strip()!r} is not a whole number")
    return int(raw.strip())
