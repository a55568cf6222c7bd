"""Hash-set parsers: VICS JSON (1.x and 2.0), plain CSV, NSRL RDS v2 text and v3 SQLite.

Every parser streams `HashRecord`s (so multi-GB files fit in memory) and fills a `ParseReport` with the source
file's SHA-256, the category scheme, and counts (entries = hash instances; distinct hashes counted separately).

    parse = parse_hashset("export.json", scheme="projectvic-us")
    for record in parse:
        ...
    parse.report.distinct_md5, parse.report.sha256

Django-free: the web application stores what these yield.
"""

from __future__ import annotations

from pathlib import Path

from .base import HashSetParse
from .csvsets import CsvParse, NsrlTextParse
from .nsrl import SQLITE_MAGIC, NsrlSqliteParse
from .records import BOM, HashRecord, HashSetParseError, OnError, ParseIssue, ParseReport
from .schemes import (
    BUILTIN_SCHEMES,
    CategoryInfo,
    CategoryScheme,
    UnknownCategory,
    get_scheme,
    load_scheme,
)
from .vics import VicsParse

FORMATS: dict[str, type[HashSetParse]] = {
    "vics": VicsParse,
    "csv": CsvParse,
    "nsrl-rds2": NsrlTextParse,
    "nsrl-rds3": NsrlSqliteParse,
}

__all__ = [
    "BUILTIN_SCHEMES",
    "FORMATS",
    "CategoryInfo",
    "CategoryScheme",
    "HashRecord",
    "HashSetParse",
    "HashSetParseError",
    "ParseIssue",
    "ParseReport",
    "UnknownCategory",
    "detect_format",
    "get_scheme",
    "load_scheme",
    "parse_hashset",
    "read_report",
]


def detect_format(path: str | Path) -> str:
    """Sniff a hash-set file: SQLite magic -> NSRL v3; a JSON object -> VICS; an NSRL v2 header -> NSRL v2;
    anything else -> plain CSV."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise HashSetParseError(str(path), "", f"cannot read ({exc.strerror or exc})") from None
    if head.startswith(SQLITE_MAGIC):
        return "nsrl-rds3"
    text = head.removeprefix(BOM).lstrip()
    if text.startswith(b"{"):
        return "vics"
    first = text.split(b"\n", 1)[0].upper()
    if b'"SHA-1"' in first and b'"MD5"' in first:
        return "nsrl-rds2"
    return "csv"


def parse_hashset(
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - the natural name
    scheme: CategoryScheme | str | None = None,
    on_error: OnError = "raise",
    count_distinct: bool | None = None,
) -> HashSetParse:
    """Open a hash set for streaming. `scheme` says what its category codes mean (see schemes.py): required
    when the file carries categories, except VICS 2.0 US files (Project VIC US 0-4). NSRL takes none.

    count_distinct: count distinct hashes (memory grows by about 16-32 B per hash, see DistinctCounter).
    Default: on for reference sets, off for NSRL, whose tens of millions of rows would need gigabytes for a
    figure nobody acts on; pass True to have it anyway."""
    fmt = format or detect_format(path)
    try:
        cls = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown hash-set format {fmt!r}; one of {', '.join(FORMATS)}") from None
    resolved = get_scheme(scheme) if scheme is not None else None
    if cls.kind == "known-files" and resolved is not None and resolved.name != "none":
        raise ValueError("NSRL files carry no categories; do not pass a scheme")
    if count_distinct is None:
        count_distinct = cls.kind == "reference"
    return cls(path, resolved, on_error=on_error, count_distinct=count_distinct)


def read_report(path: str | Path, **kwargs: object) -> ParseReport:
    """Parse to the end and return only the report (counts, SHA-256, scheme)."""
    return parse_hashset(path, **kwargs).run()  # type: ignore[arg-type]
