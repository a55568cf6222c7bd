"""VICS JSON: both envelopes, every quirk, streamed, errors that name file, position and reason."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from pathlib import Path

import pytest
from vics_samples import fake_hash, quirky_media, stream_vics, write_vics

from winnow.core.hashsets import HashSetParseError, parse_hashset, read_report

VARIANTS = [
    ("1.x", "Media", False),
    ("1.x", "Cases", True),
    ("2.0", "Media", True),
    ("2.0", "Cases", False),
]

EXPECTED = {
    "entries": 12,
    "distinct_md5": 9,
    "distinct_sha1": 3,
    "distinct_pdq": 1,
    "distinct_sha256": 1,
    "distinct_keys": 9,
    "media_files": 3,
    "instances_by_category": {"1": 4, "2": 2, "0": 1, "4": 1, None: 4},
    "distinct_by_category": {"1": 2, "2": 2, "0": 1, "4": 1, None: 4},
    "conflicting_categories": 1,
    "rejected": 0,
    "without_hash": 0,
}


@pytest.mark.parametrize(("version", "envelope", "bom"), VARIANTS)
def test_every_envelope_with_every_quirk_parses_to_the_same_counts(tmp_path, version, envelope, bom):
    path = write_vics(
        tmp_path / "set.json", quirky_media(), version=version, envelope=envelope, bom=bom, indent=1
    )
    report = read_report(path, scheme="projectvic-us")
    got = {k: getattr(report, k) for k in EXPECTED}
    assert got == EXPECTED
    assert report.complete
    assert report.format == "vics"
    assert report.format_version == version
    assert report.envelope == envelope
    assert report.cases == (2 if envelope == "Cases" else 0)
    assert report.scheme == "projectvic-us"
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # of the file as is, BOM included
    assert report.size_bytes == path.stat().st_size


def test_all_envelopes_yield_identical_records(tmp_path):
    seen = []
    for version, envelope, bom in VARIANTS:
        path = write_vics(
            tmp_path / f"{version}{envelope}.json",
            quirky_media(),
            version=version,
            envelope=envelope,
            bom=bom,
        )
        records = [r for r in parse_hashset(path, scheme="projectvic-us")]
        seen.append(
            [(r.md5, r.sha1, r.pdq, r.category, r.series, r.victim_identified, r.size) for r in records]
        )
    assert all(s == seen[0] for s in seen)


def test_quirks_are_normalised(tmp_path):
    path = write_vics(tmp_path / "s.json", quirky_media(), version="2.0", envelope="Cases", bom=True)
    recs = list(parse_hashset(path, scheme="projectvic-us"))
    r1, r2, r3, r4, r5, r6, *_rest = recs
    assert r1.victim_identified is True and r1.is_distributed is False and r1.size == 1234
    assert r1.media_files == 2 and r1.case_id == "case-0" and r1.series == "Garden"
    # string booleans, quoted numbers, upper-case hex
    assert r2.victim_identified is False and r2.offender_identified is True and r2.is_precategorized is True
    assert r2.size == 98765 and r2.category == "2" and r2.series == "42"
    assert r2.md5 == fake_hash(2, "md5") and r2.sha1 == fake_hash(2, "sha1")
    # uncategorised is None, never 0
    assert r3.category is None and r3.raw_category is None and r4.category is None
    assert r5.category == "0" and r5.pdq and r5.pdq.startswith("f8f8f0ce")
    assert r6.category == "4" and r6.is_distributed is True
    r10 = recs[9]
    assert r10.sha1 is None and r10.category is None and r10.series is None and r10.victim_identified is None
    assert recs[11].sha256 == fake_hash(12, "sha256")
    # positions are 1-based entry indexes in file order, across cases
    assert [r.position for r in recs] == list(range(1, 13))


def test_zero_means_uncategorised_in_the_legacy_scheme(tmp_path):
    media = [{"MD5": fake_hash(i, "md5"), "Category": c} for i, c in enumerate([0, "0", 5, 1, None])]
    path = write_vics(tmp_path / "legacy.json", media, version="1.x")
    report = read_report(path, scheme="legacy-0-5")
    assert report.instances_by_category == {None: 3, "5": 1, "1": 1}
    us = read_report(path.with_name("legacy.json"), scheme="projectvic-us", on_error="collect")
    assert us.instances_by_category == {"0": 2, "1": 1, None: 1}
    assert us.rejected == 1 and "5" in us.issues[0].reason  # 5 is not a US category


def test_us_scheme_is_inferred_only_from_a_2_0_us_context(tmp_path):
    media = [{"MD5": fake_hash(1, "md5"), "Category": 1}]
    us = write_vics(tmp_path / "us.json", media, version="2.0")
    assert read_report(us).scheme == "projectvic-us"
    legacy = write_vics(tmp_path / "v1.json", media, version="1.x")
    with pytest.raises(HashSetParseError, match="no category scheme"):
        read_report(legacy)
    uk = tmp_path / "uk.json"
    uk.write_text(
        json.dumps(
            {
                "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
                "value": media,
            }
        )
    )
    with pytest.raises(HashSetParseError, match="no category scheme"):
        read_report(uk)
    # without categories a scheme is not needed
    plain = write_vics(tmp_path / "plain.json", [{"MD5": fake_hash(2, "md5")}], version="1.x")
    assert read_report(plain).instances_by_category == {None: 1}


def test_a_supplied_numeric_uk_scheme_maps_codes(tmp_path):
    from winnow.core.hashsets import CategoryScheme

    caid_like = CategoryScheme.from_dict(
        {
            "name": "test-uk-numeric",
            "categories": [
                {"code": "A", "label": "A"},
                {"code": "B", "label": "B"},
                {"code": "C", "label": "C"},
            ],
            "raw": {"1": "A", "2": "B", "3": "C", "0": None},
        }
    )
    media = [{"MD5": fake_hash(i, "md5"), "Category": c} for i, c in enumerate(["1", 2, 3, 0, None])]
    path = tmp_path / "uk.json"
    path.write_text(
        json.dumps(
            {
                "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",
                "value": [{"CaseID": 7, "Media": media}],
            }
        )
    )
    report = read_report(path, scheme=caid_like)
    assert report.region == "UK" and report.scheme == "test-uk-numeric"
    assert report.instances_by_category == {"A": 1, "B": 1, "C": 1, None: 2}


def test_entry_errors_name_file_position_and_reason(tmp_path):
    media = quirky_media()
    media[2]["MD5"] = "not-a-hash"
    path = write_vics(tmp_path / "bad.json", media, version="2.0", envelope="Cases")
    with pytest.raises(HashSetParseError) as info:
        read_report(path)
    msg = str(info.value)
    assert "bad.json" in msg and "media entry 3" in msg and "case 1" in msg and "MD5" in msg
    assert info.value.position.startswith("media entry 3")

    media = quirky_media()
    media[4]["VictimIdentified"] = "perhaps"
    media[6]["MediaSize"] = "12kB"
    path = write_vics(tmp_path / "bad2.json", media)
    report = read_report(path, on_error="collect")
    assert report.rejected == 2 and report.entries == 10
    assert [i.position for i in report.issues] == ["media entry 5", "media entry 7"]
    assert "VictimIdentified 'perhaps' is not a boolean" in report.issues[0].reason
    assert "MediaSize" in report.issues[1].reason and report.issues[1].file.endswith("bad2.json")


def test_broken_json_names_file_and_position(tmp_path):
    path = write_vics(tmp_path / "cut.json", quirky_media(), indent=1)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(HashSetParseError) as info:
        read_report(path)
    assert "cut.json" in str(info.value) and "after media entry" in info.value.position
    assert "JSON" in info.value.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"value": []}', "no odata.metadata"),
        (b'{"odata.metadata": "x#Media"}', "no value array"),
        (b'{"odata.metadata": "x#Media", "value": {"a": 1}}', "expected an array"),
        (b'{"odata.metadata": "x#Media", "value": [1]}', "expected an object"),
    ],
)
def test_not_vics(tmp_path, content, reason):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(HashSetParseError, match=reason):
        read_report(path, format="vics")


def _peak_kib(path: Path) -> float:
    tracemalloc.start()
    try:
        report = read_report(path, scheme="projectvic-us", count_distinct=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.distinct_md5 is None
    return peak / 1024


def test_streaming_memory_does_not_grow_with_the_file(tmp_path):
    small = stream_vics(tmp_path / "small.json", 2_000)
    large = stream_vics(tmp_path / "large.json", 40_000)  # one Case holding every Media, ~12 MB
    assert large.stat().st_size > 15 * small.stat().st_size
    peak_small, peak_large = _peak_kib(small), _peak_kib(large)
    # read buffers (256 KiB reads) dominate; entries are never accumulated
    assert peak_large < peak_small * 1.5 + 256, (peak_small, peak_large)
    assert peak_large < 8 * 1024
    report = read_report(large, scheme="projectvic-us")
    assert report.entries == report.distinct_md5 == report.media_files == 40_000
    assert report.cases == 1
    assert report.instances_by_category == {str(c): 8_000 for c in range(5)}


def test_a_parse_is_iterated_once(tmp_path):
    parse = parse_hashset(write_vics(tmp_path / "a.json", quirky_media()))
    list(parse)
    with pytest.raises(RuntimeError):
        list(parse)
