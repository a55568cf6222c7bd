"""Writers for synthetic VICS files (no real hash sets: every hash is made up here)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CONTEXTS = {
    ("1.x", "Media"): ("odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media"),
    ("1.x", "Cases"): ("odata.metadata", "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases"),
    ("2.0", "Media"): (
        "@odata.context",
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
    ),
    ("2.0", "Cases"): (
        "@odata.context",
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
    ),
}


def fake_hash(n: int, kind: str) -> str:
    return hashlib.new(kind, f"winnow-test-{n}".encode()).hexdigest()


def quirky_media() -> list[dict[str, Any]]:
    """Twelve Media entries exercising every quirk in formats.md §2.

    Distinct MD5s: 9 (three entries repeat earlier MD5s, one of them under another category).
    Categories (Project VIC US): 1 x4 instances, 2 x2, 0 (non-pertinent) x1, 4 x1, uncategorised x4.
    """
    pdq0 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    return [
        # plain JSON types
        {
            "MediaID": 1,
            "MD5": fake_hash(1, "md5"),
            "SHA1": fake_hash(1, "sha1"),
            "Category": 1,
            "VictimIdentified": True,
            "IsDistributed": False,
            "MediaSize": 1234,
            "Series": "Garden",
            "MediaFiles": [{"MD5": fake_hash(1, "md5"), "FileName": "a.jpg"}, {"FileName": "b.jpg"}],
        },
        # string booleans, quoted numbers, upper-case hex
        {
            "MediaID": "2",
            "MD5": fake_hash(2, "md5").upper(),
            "SHA1": fake_hash(2, "sha1").upper(),
            "Category": "2",
            "VictimIdentified": "false",
            "OffenderIdentified": "True",
            "IsPrecategorized": "TRUE",
            "MediaSize": "98765",
            "Series": 42,
        },
        # null category = uncategorised; absent category = uncategorised
        {"MediaID": 3, "MD5": fake_hash(3, "md5"), "Category": None, "VictimIdentified": None},
        {"MediaID": 4, "MD5": fake_hash(4, "md5"), "SHA1": fake_hash(4, "sha1")},
        # category 0 (non-pertinent in the US scheme) and 4, a PDQ in AlternativeHashes
        {
            "MediaID": 5,
            "MD5": fake_hash(5, "md5"),
            "Category": "0",
            "AlternativeHashes": [
                {"HashName": "PDQ", "HashValue": pdq0},
                {"HashName": "PhotoDNA", "HashValue": "x"},
            ],
        },
        {"MediaID": 6, "MD5": fake_hash(6, "md5"), "Category": 4.0, "IsDistributed": "1"},
        # many entries per MD5: the same hash listed again (same category), and once under another category
        {
            "MediaID": 7,
            "MD5": fake_hash(1, "md5"),
            "SHA1": fake_hash(1, "sha1"),
            "Category": "1",
            "MediaFiles": [{"FileName": "c.jpg"}],
        },
        {"MediaID": 8, "MD5": fake_hash(1, "md5"), "Category": " 01 "},
        {"MediaID": 9, "MD5": fake_hash(2, "md5"), "Category": 1},
        # empty strings are absent values
        {
            "MediaID": 10,
            "MD5": fake_hash(10, "md5"),
            "SHA1": "",
            "Category": "",
            "Series": "",
            "VictimIdentified": "",
        },
        {"MediaID": 11, "MD5": fake_hash(11, "md5"), "Category": "2", "MimeType": "image/jpeg"},
        {
            "MediaID": 12,
            "MD5": fake_hash(12, "md5"),
            "Category": None,
            "AlternativeHashes": [{"HashName": "SHA-256", "HashValue": fake_hash(12, "sha256")}],
        },
    ]


def write_vics(
    path: Path,
    media: list[dict[str, Any]],
    *,
    version: str = "2.0",
    envelope: str = "Media",
    bom: bool = False,
    cases: int = 2,
    indent: int | None = None,
) -> Path:
    key, context = CONTEXTS[(version, envelope)]
    if envelope == "Media":
        doc: dict[str, Any] = {key: context, "value": media}
    else:
        per = -(-len(media) // cases)
        doc = {
            key: context,
            "value": [
                {
                    "CaseID": f"case-{i}",
                    "CaseNumber": f"N{i}",
                    "ContactName": "Test Officer",
                    "TotalMediaFiles": "999",
                    "Media": media[i * per : (i + 1) * per],
                    "SourceApplicationName": "winnow-tests",
                }
                for i in range(cases)
            ],
        }
    data = json.dumps(doc, indent=indent).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def stream_vics(path: Path, n: int, *, envelope: str = "Cases") -> Path:
    """A large file written incrementally (one Case holding every Media when envelope is Cases)."""
    key, context = CONTEXTS[("2.0", envelope)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{" + json.dumps(key) + ":" + json.dumps(context) + ',"value":[')
        if envelope == "Cases":
            fh.write('{"CaseID":"big","Media":[')
        for i in range(n):
            if i:
                fh.write(",")
            fh.write(
                json.dumps(
                    {
                        "MediaID": i,
                        "MD5": fake_hash(i, "md5"),
                        "SHA1": fake_hash(i, "sha1"),
                        "Category": str(i % 5),
                        "VictimIdentified": "false",
                        "MediaSize": str(1000 + i),
                        "Comments": "x" * 100,
                        "MediaFiles": [
                            {"FileName": f"f{i}.jpg", "FilePath": "/evidence/some/long/path/here"}
                        ],
                    }
                )
            )
        fh.write("]}]}" if envelope == "Cases" else "]}")
    return path
