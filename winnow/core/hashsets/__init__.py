"""Hash-set parsers: VICS JSON (1.x and 2.0), plain CSV and text lists (Excel "Unicode text", X-Ways exports),
hashdeep, md5deep/md5sum-style digest lists, NSRL RDS v2 (text or NIST's zip) and v3 SQLite. Text in UTF-8 or
UTF-16 (BOM-detected) for every text format; the format is detected from the content (`detect_format`), which says
plainly what a file is when it is none of them.

Every parser streams `HashRecord`s (so multi-GB files fit in memory) and fills a `ParseReport` with the source
file's SHA-256, the category scheme, and counts (entries = hash instances; distinct hashes counted separately).

    parse = parse_hashset("export.json", scheme="projectvic-us")
    for record in parse:
        ...
    parse.report.distinct_md5, parse.report.sha256

Django-free: the web application stores what these yield.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .base import HashSetParse
from .csvsets import CsvParse, NsrlTextParse
from .digests import HASHDEEP_MAGIC, DigestListParse, HashdeepParse, looks_like_digest_list
from .nsrl import SQLITE_MAGIC, ZIP_MAGIC, NsrlSqliteParse, NsrlZipParse, nsrl_zip_member
from .records import (
    SNIFF_BYTES,
    HashRecord,
    HashSetParseError,
    OnError,
    ParseIssue,
    ParseReport,
    text_encoding,
    text_problem,
)
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
    "hashdeep": HashdeepParse,
    "md5deep": DigestListParse,  # also sha1deep, md5sum, sha1sum
    "nsrl-rds2": NsrlTextParse,
    "nsrl-rds2-zip": NsrlZipParse,
    "nsrl-rds3": NsrlSqliteParse,
}
_GZIP_MAGIC = b"\x1f\x8b"

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
    """Sniff a hash-set file by content: SQLite -> NSRL v3; a zip holding NSRLFile.txt -> NSRL v2 zipped; then, as
    text (UTF-8, or UTF-16 by its BOM): a JSON object -> VICS; `%%%% HASHDEEP` -> hashdeep; an NSRL v2 header ->
    NSRL v2; `HASH  NAME` lines -> md5deep/md5sum; anything else -> plain CSV or list. A file that is none of these
    (another zip, gzip, UTF-16 without a BOM, binary data) raises HashSetParseError saying what it is."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise HashSetParseError(name, "", f"cannot read ({exc.strerror or exc})") from None
    if head.startswith(SQLITE_MAGIC):
        return "nsrl-rds3"
    if head.startswith(ZIP_MAGIC):
        try:
            member, names = nsrl_zip_member(path)
        except zipfile.BadZipFile as exc:
            raise HashSetParseError(name, "start", f"this is a damaged zip ({exc})") from None
        if member is not None:
            return "nsrl-rds2-zip"
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise HashSetParseError(name, "start", f"this is a zip holding {shown or 'nothing'}, not NSRL RDS v2 "
                                               "(NSRLFile.txt.zip): unzip it and import the hash list inside")
    if head.startswith(_GZIP_MAGIC):
        raise HashSetParseError(name, "start", "this is gzip-compressed: decompress it and import the file inside")
    if problem := text_problem(head):
        raise HashSetParseError(name, "start", problem)
    encoding, bom = text_encoding(head)
    body = head[bom:]
    if encoding != "utf-8":
        body = body[: len(body) // 2 * 2]
    text = body.decode(encoding, errors="replace").lstrip()
    if text.startswith("{"):
        return "vics"
    first = text.split("\n", 1)[0]
    if first.startswith(HASHDEEP_MAGIC):
        return "hashdeep"
    upper = first.upper()
    if '"SHA-1"' in upper and '"MD5"' in upper:
        return "nsrl-rds2"
    if looks_like_digest_list(first):
        return "md5deep"
    return "csv"


def parse_hashset(
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - the natural name
    scheme: CategoryScheme | str | None = None,
    on_error: OnError = "raise",
    count_distinct: bool | None = None,
    known_files: bool = False,
) -> HashSetParse:
    """Open a hash set for streaming. `scheme` says what its category codes mean (see schemes.py): required
    when the file carries categories, except VICS 2.0 US files (Project VIC US 0-4). NSRL takes none.

    count_distinct: count distinct hashes (memory grows by about 16-32 B per hash, see DistinctCounter).
    Default: on for reference sets, off for NSRL, whose tens of millions of rows would need gigabytes for a
    figure nobody acts on; pass True to have it anyway.

    known_files: read a plain list (CSV, text, hashdeep, md5deep) as a known-file filter, as NSRL is: its hits
    are set aside as known non-pertinent, not counted as known material. It may carry no categories."""
    fmt = format or detect_format(path)
    try:
        cls = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown hash-set format {fmt!r}; one of {', '.join(FORMATS)}") from None
    resolved = get_scheme(scheme) if scheme is not None else None
    if cls.kind == "known-files" and resolved is not None and resolved.name != "none":
        raise ValueError("NSRL files carry no categories; do not pass a scheme")
    if known_files:
        if fmt == "vics":
            raise ValueError("a VICS file is a reference set with categories, not a known-file list")
        if resolved is not None and resolved.name != "none":
            raise ValueError("a known-file list carries no categories; do not pass a scheme")
    kind = "known-files" if known_files else cls.kind
    if count_distinct is None:
        count_distinct = kind == "reference"
    return cls(path, resolved, on_error=on_error, count_distinct=count_distinct, known_files=known_files)


def read_report(path: str | Path, **kwargs: object) -> ParseReport:
    """Parse to the end and return only the report (counts, SHA-256, scheme)."""
    return parse_hashset(path, **kwargs).run()  # type: ignore[arg-type]
