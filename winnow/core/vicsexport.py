"""Write a victim-identification series as a VICS 2.0 JSON file (the format CAID and Project VIC take).

No official schema is public (formats.md §2). The shapes follow the VICS data model's EDMX
(`DataModels/2.0.xml`: Case, Media, AlternativeHash with HashName / HashValue) and the files that open-source
readers accept (Autopsy, IPED, and Winnow's own reader, winnow.core.hashsets.vics): a `#Cases` envelope under
`@odata.context`, one Case per referral with its `CaseNumber`, and its Media each with `MD5`, `SHA1`, the PDQ as
an AlternativeHash, and `Series`. Hex digests are written upper-case, as CAID and Project VIC files carry them.

Pseudonymised by construction: hashes, sizes and the series name only. No file name, path, EXIF, suspect or
officer details are written; the case reference is the unit's own reference, which the receiving team already
uses to ask the unit for more.

An officer's grading goes in `Tags` ("UK Category A"): the numeric codes CAID uses for A/B/C are not public
(domain.md §3), so `Category` is left out (uncategorised) rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases"


@dataclass(frozen=True)
class ExportMedia:
    md5: str
    sha1: str | None
    pdq: str | None
    size: int | None


@dataclass(frozen=True)
class ExportCase:
    case_number: str
    media: Sequence[ExportMedia]


def vics_document(*, series_name: str, cases: Iterable[ExportCase], grading: str | None,
                  victim_identified: bool, source_version: str, now: datetime) -> dict[str, Any]:
    media_id = 0
    value = []
    for case in cases:
        media = []
        for m in case.media:
            media_id += 1
            entry: dict[str, Any] = {"MediaID": media_id, "MD5": m.md5.upper()}
            if m.sha1:
                entry["SHA1"] = m.sha1.upper()
            if m.size is not None:
                entry["MediaSize"] = m.size
            entry["Series"] = series_name
            entry["IsPrecategorized"] = False
            entry["VictimIdentified"] = victim_identified
            entry["DateUpdated"] = now.isoformat().replace("+00:00", "Z")
            if grading:
                entry["Tags"] = [grading]
            if m.pdq:
                entry["AlternativeHashes"] = [{"MD5": m.md5.upper(), "HashName": "PDQ", "HashValue": m.pdq.lower()}]
            media.append(entry)
        value.append({"CaseNumber": case.case_number, "SourceApplicationName": "Winnow",
                      "SourceApplicationVersion": source_version, "Media": media})
    return {"@odata.context": CONTEXT, "value": value}


def vics_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
