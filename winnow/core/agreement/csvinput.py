"""Ratings in long form from a CSV with the header `case,rater,item,value`, for `winnow agreement FILE`.

One row per rating. Extra columns are refused (a misspelt header is a mistake, not something to guess around);
an empty cell, a value that reads as a number but is not finite ('nan', 'inf', '1e999'), a repeated rating (same
case, rater and item) or a file that is not UTF-8 text is refused with the row (counting the header as row 1, as a
spreadsheet does) and field. A UTF-8 byte-order mark is accepted.
"""

from __future__ import annotations

import csv
import io
import math

from .errors import AgreementInputError
from .report import Rating

HEADER = ("case", "rater", "item", "value")
MAX_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 20


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AgreementInputError("the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AgreementInputError(f"byte {exc.start} is not UTF-8 (0x{data[exc.start]:02x})", row=line) from None
    if "\x00" in text:
        raise AgreementInputError("the file contains NUL bytes: it is not a text CSV file")
    return text


def _finite_or_text(value: str) -> bool:
    """False for a value Python reads as a number that is not finite: 'nan', 'inf', '1e999', 400 nines."""
    try:
        return math.isfinite(float(value))
    except ValueError:
        return True  # text: a category


def read_ratings(data: bytes) -> list[Rating]:
    if len(data) > MAX_BYTES:
        raise AgreementInputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise AgreementInputError(f"not a CSV file: {exc}", row=1) from None
    if header is None:
        raise AgreementInputError("the file is empty: it needs the header case,rater,item,value")
    names = tuple(cell.strip().casefold() for cell in header)
    if names != HEADER:
        raise AgreementInputError(f"the header must be exactly case,rater,item,value; found {','.join(header)!r}",
                                  row=1)
    ratings: list[Rating] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    number = 1
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != 4:
                problems.append(f"row {number}: {len(record)} fields, expected 4 (case,rater,item,value)")
            else:
                cells = [cell.strip() for cell in record]
                empty = [HEADER[i] for i, cell in enumerate(cells) if not cell]
                if empty:
                    problems.append(f"row {number}, field {empty[0]!r}: empty (leave a missing rating out instead)")
                elif not _finite_or_text(cells[3]):
                    problems.append(f"row {number}, field 'value': {cells[3][:40]!r} is not a finite number "
                                    "(leave a missing rating out instead)")
                else:
                    key = (cells[0], cells[1], cells[2])
                    if key in seen:
                        problems.append(f"row {number}: rater {cells[1]!r} already rated case {cells[0]!r} item "
                                        f"{cells[2]!r} on row {seen[key]}")
                    else:
                        seen[key] = number
                        ratings.append(Rating(*cells))
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as exc:
        problems.append(f"row {number + 1}: not valid CSV ({exc})")
    if problems:
        raise AgreementInputError(problems[0], problems=problems)
    if not ratings:
        raise AgreementInputError("the file has a header but no ratings")
    return ratings
