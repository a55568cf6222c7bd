"""Plain CSV hash lists, NSRL RDS v2 (text) and v3 (SQLite), format detection and category schemes."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from vics_samples import fake_hash

from winnow.core.hashsets import (
    BUILTIN_SCHEMES,
    CategoryScheme,
    HashSetParseError,
    UnknownCategory,
    detect_format,
    load_scheme,
    parse_hashset,
    read_report,
)
from winnow.core.hashsets.schemes import normalise_raw_code

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def test_csv_with_bom_semicolons_and_uk_categories(tmp_path):
    path = tmp_path / "uk.csv"
    rows = [
        "MD5;SHA-1;PDQ;Category;Series",
        f"{fake_hash(1, 'md5').upper()};{fake_hash(1, 'sha1')};{PDQ};A;s1",
        f"{fake_hash(2, 'md5')};;;Cat B;",
        f'"{fake_hash(3, "md5")}";;;"category c";',
        f"{fake_hash(1, 'md5')};;;a;",  # same MD5 again: one more instance, not one more distinct hash
        "",
        f"{fake_hash(4, 'md5')};;;;",
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    parse = parse_hashset(path, scheme="uk-abc")
    recs = list(parse)
    report = parse.report
    assert report.format == "csv" and report.scheme == "uk-abc"
    assert [r.category for r in recs] == ["A", "B", "C", "A", None]
    assert recs[0].md5 == fake_hash(1, "md5") and recs[0].pdq == PDQ and recs[0].series == "s1"
    assert [r.position for r in recs] == [2, 3, 4, 5, 7]
    assert report.entries == 5 and report.distinct_md5 == 4 and report.distinct_pdq == 1
    assert report.instances_by_category == {"A": 2, "B": 1, "C": 1, None: 1}
    assert report.distinct_by_category == {"A": 1, "B": 1, "C": 1, None: 1}
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_errors_carry_line_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"md5,category\n{fake_hash(1, 'md5')},1\nxyz,2\n{fake_hash(3, 'md5')},9\n")
    with pytest.raises(HashSetParseError) as info:
        read_report(path, scheme="projectvic-us")
    assert str(info.value).startswith(f"{path}: line 3: MD5 'xyz'")
    report = read_report(path, scheme="projectvic-us", on_error="collect")
    assert [(i.position, i.reason[:12]) for i in report.issues] == [
        ("line 3", "MD5 'xyz' is"),
        ("line 4", "category '9'"),
    ]
    assert report.entries == 1


def test_csv_needs_a_hash_column_and_a_scheme_for_categories(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("name,size\na,1\n")
    with pytest.raises(HashSetParseError, match="line 1: no md5, sha1, sha256 or pdq column"):
        read_report(path)
    path.write_text(f"md5,category\n{fake_hash(1, 'md5')},1\n")
    with pytest.raises(HashSetParseError, match="no category scheme"):
        read_report(path)


def test_bare_hash_lists(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(f"{fake_hash(1, 'md5')}\n{fake_hash(1, 'sha1')}\n\n{PDQ}\nnope\n")
    report = read_report(path, on_error="collect")
    assert (report.distinct_md5, report.distinct_sha1, report.distinct_pdq) == (1, 1, 1)
    assert report.issues[0].position == "line 5"


def test_nsrl_v2_text(tmp_path):
    path = tmp_path / "NSRLFile.txt"
    lines = ['"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"']
    for i in range(5):
        lines.append(
            f'"{fake_hash(i, "sha1").upper()}","{fake_hash(i % 3, "md5").upper()}","0000ABCD","file{i}.dll",'
            f'"{1000 + i}","{i}","WIN",""'
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    assert detect_format(path) == "nsrl-rds2"
    assert read_report(path).distinct_md5 is None  # off by default for NSRL: tens of millions of rows
    parse = parse_hashset(path, count_distinct=True)
    recs = list(parse)
    assert parse.report.kind == "known-files" and parse.report.format == "nsrl-rds2"
    assert recs[0].sha1 == fake_hash(0, "sha1") and recs[0].file_name == "file0.dll" and recs[0].size == 1000
    assert recs[0].category is None and recs[0].position == 2
    assert parse.report.distinct_sha1 == 5 and parse.report.distinct_md5 == 3 and parse.report.entries == 5
    with pytest.raises(ValueError, match="no categories"):
        parse_hashset(path, scheme="uk-abc")


def _rds3(path, n):
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE FILE_T (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, "
        "file_size INTEGER, package_id INTEGER)"
    )
    con.execute("CREATE VIEW FILE AS SELECT * FROM FILE_T")
    con.executemany(
        "INSERT INTO FILE_T VALUES (?,?,?,?,?,?,?)",
        [
            (
                fake_hash(i, "sha256").upper(),
                fake_hash(i, "sha1").upper(),
                fake_hash(i, "md5").upper(),
                "0",
                f"f{i}.so",
                i,
                1,
            )
            for i in range(n)
        ],
    )
    con.commit()
    con.close()


def test_nsrl_v3_sqlite(tmp_path):
    path = tmp_path / "RDS_minimal.db"
    _rds3(path, 50)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert detect_format(path) == "nsrl-rds3"
    parse = parse_hashset(path, count_distinct=True)
    recs = list(parse)
    assert len(recs) == 50 and recs[7].md5 == fake_hash(7, "md5") and recs[7].sha256 == fake_hash(7, "sha256")
    assert recs[7].position == 8 and recs[7].file_name == "f7.so"
    report = parse.report
    assert report.format == "nsrl-rds3" and report.distinct_sha1 == 50
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # opened immutable: no -wal/-journal files


def test_nsrl_v3_rejects_other_databases(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(HashSetParseError, match="no FILE view"):
        read_report(path)


def test_detect_format(tmp_path):
    (tmp_path / "a.json").write_bytes(b'\xef\xbb\xbf  {"odata.metadata": "x"}')
    (tmp_path / "b.csv").write_text("md5\n")
    assert detect_format(tmp_path / "a.json") == "vics"
    assert detect_format(tmp_path / "b.csv") == "csv"
    with pytest.raises(HashSetParseError, match="cannot read"):
        detect_format(tmp_path / "missing")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, None),
        ("", None),
        (" ", None),
        ("null", None),
        (1, "1"),
        ("1", "1"),
        (" 01 ", "1"),
        ("1.0", "1"),
        (3.0, "3"),
        ("a", "A"),
        ("Cat A", "A"),
        ("Category B", "B"),
        ("cat_c", "C"),
    ],
)
def test_normalise_raw_code(raw, code):
    assert normalise_raw_code(raw) == code


def test_schemes_are_data():
    us, legacy, uk = (
        BUILTIN_SCHEMES["projectvic-us"],
        BUILTIN_SCHEMES["legacy-0-5"],
        BUILTIN_SCHEMES["uk-abc"],
    )
    assert us.map(0) == "0" and us.is_non_pertinent("0") and not us.is_non_pertinent("1")
    assert legacy.map(0) is None and legacy.map("5") == "5" and legacy.is_non_pertinent("5")
    assert us.map(None) is None and legacy.map("") is None and uk.map(None) is None
    assert uk.map("b") == "B"
    with pytest.raises(UnknownCategory):
        uk.map(1)  # CAID numeric codes are not public: a supplied scheme must say what 1 means
    with pytest.raises(UnknownCategory):
        us.map(True)
    assert CategoryScheme.from_dict(us.to_dict()) == us


def test_load_scheme_from_json(tmp_path):
    path = tmp_path / "scheme.json"
    path.write_text(
        json.dumps(
            {
                "name": "caid-test",
                "label": "CAID test",
                "categories": [
                    {"code": "a", "label": "A"},
                    {"code": "B", "label": "B"},
                    {"code": "NP", "label": "Non-pertinent", "pertinent": False},
                ],
                "raw": {"1": "A", "2": "B", "9": "NP", "0": None},
            }
        )
    )
    scheme = load_scheme(path)
    assert scheme.map("1") == "A" and scheme.map(0) is None and scheme.is_non_pertinent(scheme.map(9))
    with pytest.raises(ValueError, match="undefined category"):
        CategoryScheme.from_dict({"name": "x", "categories": [], "raw": {"1": "A"}})


@pytest.mark.parametrize("fmt", ["vics", "csv", "nsrl-rds2", "nsrl-rds3"])
def test_a_missing_file_is_a_parse_error_naming_it(tmp_path, fmt):
    with pytest.raises(HashSetParseError, match=r"missing\.set: open: cannot read"):
        read_report(tmp_path / "missing.set", format=fmt, scheme=None)
