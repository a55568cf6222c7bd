"""A series written as VICS 2.0 reads back through Winnow's own VICS importer with the same hashes and counts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

from winnow.core.hashsets import parse_hashset
from winnow.core.vicsexport import CONTEXT, ExportCase, ExportMedia, vics_bytes, vics_document


def _hex(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def test_it_round_trips_through_the_importer(tmp_path: Path) -> None:
    rng = random.Random(5)
    cases = [
        ExportCase("NORTH-2026-00001", [ExportMedia(_hex(rng, 128), _hex(rng, 160), _hex(rng, 256), 1234)
                                        for _ in range(3)]),
        ExportCase("NORTH-2026-00002", [ExportMedia(_hex(rng, 128), None, _hex(rng, 256), None),
                                        ExportMedia(_hex(rng, 128), _hex(rng, 160), None, 99)]),
    ]
    doc = vics_document(series_name="WINNOW-VS-000001", cases=cases, grading="UK Category B",
                        victim_identified=False, source_version="0.1.0", now=datetime(2026, 12, 1, tzinfo=UTC))
    path = tmp_path / "series.json"
    path.write_bytes(vics_bytes(doc))
    assert json.loads(path.read_text())["@odata.context"] == CONTEXT
    parse = parse_hashset(path)
    records = list(parse)
    media = [m for c in cases for m in c.media]
    assert parse.report.format == "vics" and parse.report.entries == len(media)
    assert [r.md5 for r in records] == [m.md5 for m in media]
    assert [r.sha1 for r in records] == [m.sha1 for m in media]
    assert [r.pdq for r in records] == [m.pdq for m in media]
    assert {r.case_id for r in records} == {"NORTH-2026-00001", "NORTH-2026-00002"}
    assert {r.series for r in records} == {"WINNOW-VS-000001"}
    assert all(r.category is None for r in records)  # the grading is a tag, never a guessed CAID code


def test_it_writes_no_paths_names_or_exif() -> None:
    doc = vics_document(series_name="S", cases=[ExportCase("R", [ExportMedia("a" * 32, None, None, 1)])],
                        grading=None, victim_identified=True, source_version="x", now=datetime(2026, 1, 1, tzinfo=UTC))
    media = doc["value"][0]["Media"][0]
    assert set(media) == {"MediaID", "MD5", "MediaSize", "Series", "IsPrecategorized", "VictimIdentified",
                          "DateUpdated"}
    assert media["MD5"] == "A" * 32 and media["VictimIdentified"] is True
