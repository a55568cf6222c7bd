"""Whole-file refusals: size, encoding, emptiness, referral count, cell size, JSON depth and syntax."""

from __future__ import annotations

import json
import time
from pathlib import Path

from winnow.core.intake import MAX_REFERRALS

from .support import GOOD_ITEM, csv_bytes, find, good_row, json_bytes, refused


def test_it_refuses_a_50_mb_file_by_its_size_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    row = csv_bytes([good_row()]).split(b"\r\n", 1)[1]
    with path.open("wb") as out:
        out.write(csv_bytes([]))
        while out.tell() < 50 * 1024 * 1024:
            out.write(row * 1000)
    data = path.read_bytes()
    started = time.perf_counter()
    (error,) = refused(data, max_bytes=10 * 1024 * 1024)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"the size check took {elapsed:.2f}s; it must not parse the file"
    assert f"{len(data):,} bytes" in error.reason and "10,485,760 bytes" in error.reason


def test_it_refuses_a_file_that_is_not_utf8_naming_offset_line_row_and_column() -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-0002", subject_family_name="Exémple")])
    latin1 = data.decode("utf-8").encode("latin-1")
    (error,) = refused(latin1)
    offset = latin1.index("é".encode("latin-1"))
    assert (error.row, error.field) == (3, "subject_family_name")
    assert f"offset {offset:,}" in error.reason and "(line 3)" in error.reason and "0xE9" in error.reason


def test_it_refuses_utf16_with_one_error_at_offset_zero() -> None:
    (error,) = refused(csv_bytes([good_row()]).decode("utf-8").encode("utf-16"))
    assert "offset 0 " in error.reason and "line 1" in error.reason and error.row == 1


def test_it_refuses_bad_utf8_in_json_with_offset_and_line() -> None:
    data = b'[\n{"summary": "caf\xe9"}\n]'
    (error,) = refused(data)
    bad = data.index(b"\xe9")
    assert f"offset {bad}" in error.reason and "line 2" in error.reason


def test_it_refuses_an_empty_file() -> None:
    for data in (b"", b"\xef\xbb\xbf", b" \r\n\n"):
        (error,) = refused(data)
        assert "empty" in error.reason


def test_it_refuses_a_header_with_no_rows() -> None:
    (error,) = refused(csv_bytes([]) + b"\r\n,,,\r\n")
    assert "no referrals" in error.reason


def test_it_refuses_json_with_no_referrals() -> None:
    documents: tuple[object, ...] = ([], {"referrals": []})
    for document in documents:
        (error,) = refused(json_bytes(document))
        assert "no referrals" in error.reason


def test_it_refuses_more_than_10000_referrals_in_a_csv() -> None:
    rows = [good_row(source_reference=f"CT-{n}") for n in range(MAX_REFERRALS + 1)]
    errors = refused(csv_bytes(rows), max_bytes=50 * 1024 * 1024)
    assert [(e.row, str(MAX_REFERRALS) in e.reason.replace(",", "")) for e in errors] == [(MAX_REFERRALS + 2, True)]


def test_it_refuses_more_than_10000_referrals_in_json() -> None:
    (error,) = refused(json_bytes([GOOD_ITEM] * (MAX_REFERRALS + 1)), max_bytes=50 * 1024 * 1024)
    assert "10,001 referrals" in error.reason and "10,000" in error.reason


def test_it_refuses_a_csv_cell_over_100000_characters_naming_row_and_line() -> None:
    data = csv_bytes([good_row(), good_row(source_reference="CT-0002", summary="x" * 100_001)])
    (error,) = refused(data)
    assert error.row == 3 and "line 3" in error.reason and "100,000 characters" in error.reason


def test_it_accepts_a_cell_of_exactly_100000_characters_in_csv_but_not_as_a_summary() -> None:
    data = csv_bytes([good_row(summary="x" * 100_000)])
    error = find(refused(data), row=2, field="summary")
    assert "20,000" in error.reason


def test_it_restores_the_process_wide_csv_field_limit() -> None:
    import csv

    before = csv.field_size_limit()
    refused(csv_bytes([good_row(summary="x" * 100_001)]))
    assert csv.field_size_limit() == before


def test_it_refuses_an_unclosed_quote_naming_the_row_and_lines() -> None:
    data = csv_bytes([good_row()]) + b'ncmec,CT-2,2026-11-20T09:30:00Z,"never closed,no\r\nmore\r\n'
    (error,) = refused(data)
    assert error.row == 3 and "line 3-4" in error.reason and "never closed" in error.reason


def test_it_refuses_text_after_a_closing_quote() -> None:
    data = csv_bytes([good_row()]) + b'ncmec,CT-2,2026-11-20T09:30:00Z,"quoted"tail,no\r\n'
    (error,) = refused(data)
    assert error.row == 3 and "closing quote" in error.reason


def test_it_refuses_json_nested_deeper_than_the_format_before_parsing_it() -> None:
    data = b"[" * 100_000 + b"]" * 100_000  # json.loads would hit RecursionError
    (error,) = refused(data)
    assert "deeper" in error.reason and "line 1, column 8" in error.reason


def test_it_does_not_count_brackets_inside_json_strings_as_nesting() -> None:
    item = dict(GOOD_ITEM, summary="[[[[[[[[[[{{{{{{{{ \\\" ]]]]")
    data = json.dumps({"referrals": [item]}).encode()
    assert b"[[[[[[[[[[" in data
    from .support import parse

    assert parse(data)[0].summary.startswith("[[[[")


def test_it_refuses_invalid_json_naming_line_and_column() -> None:
    data = b'[\n  {"source": "ncmec",\n   "summary" "x"}\n]'
    (error,) = refused(data)
    assert "line 3, column 14" in error.reason and "not valid JSON" in error.reason


def test_it_refuses_json_constants_and_huge_numbers_as_invalid_json() -> None:
    for data in (b'[{"summary": NaN}]', b'[{"summary": ' + b"9" * 5000 + b"}]"):
        (error,) = refused(data)
        assert "not valid JSON" in error.reason
