"""The hash-list corpus (tests/corpus/hashlists, written by build.py from the tools' documented output, hashes of
benign files made there) is detected by content and reads with the expected counts; files that are not hash lists
are refused with a message that says what they are."""

from __future__ import annotations

import pytest

from winnow.core.hashsets import HashSetParseError, detect_format, parse_hashset

from .hashlists import build

CORPUS = build.HERE
ROWS = build.digests()
MD5S = {r["md5"] for r in ROWS}
SHA1S = {r["sha1"] for r in ROWS}
SHA256S = {r["sha256"] for r in ROWS}


def test_the_committed_corpus_is_what_the_builder_writes():
    for name, content in build.build().items():
        assert (CORPUS / name).read_bytes() == content, name


@pytest.mark.parametrize(("name", "fmt", "md5", "sha1", "sha256"), [
    ("hashdeep.txt", "hashdeep", True, False, True),
    ("hashdeep-windows.txt", "hashdeep", True, True, False),
    ("hashdeep-sha256.txt", "hashdeep", False, False, True),
    ("md5deep.txt", "md5deep", True, False, False),
    ("md5deep-z.txt", "md5deep", True, False, False),
    ("md5deep-b.txt", "md5deep", True, False, False),
    ("md5deep-k.txt", "md5deep", True, False, False),
    ("sha1deep.txt", "md5deep", False, True, False),
    ("sha256deep.txt", "md5deep", False, False, True),
    ("sha256deep-z.txt", "md5deep", False, False, True),
    ("md5sum.txt", "md5deep", True, False, False),
    ("sha1sum-binary.txt", "md5deep", False, True, False),
    ("sha256sum.txt", "md5deep", False, False, True),
    ("md5sum-tag.txt", "md5deep", True, False, False),
    ("sha256sum-tag.txt", "md5deep", False, False, True),
    ("xways-export.txt", "csv", True, False, False),
    ("os-files.txt", "csv", True, False, False),
    ("NSRLFile.txt.zip", "nsrl-rds2-zip", True, True, False),
])
def test_each_format_is_detected_and_reads_every_entry(name, fmt, md5, sha1, sha256):
    path = CORPUS / name
    assert detect_format(path) == fmt
    parse = parse_hashset(path)
    records = list(parse)
    assert parse.report.complete and parse.report.entries == 5 and parse.report.rejected == 0
    assert {r.md5 for r in records} == (MD5S if md5 else {None})
    assert {r.sha1 for r in records} == (SHA1S if sha1 else {None})
    assert {r.sha256 for r in records} == (SHA256S if sha256 else {None})
    assert parse.report.distinct_keys == (None if fmt.startswith("nsrl") else 5)  # NSRL is too big to count
    assert parse.report.kind == ("known-files" if fmt.startswith("nsrl") else "reference")


def test_sha256deep_size_column_and_names():
    records = list(parse_hashset(CORPUS / "sha256deep-z.txt"))
    assert [r.size for r in records] == [r["size"] for r in ROWS]
    assert records[0].file_name == "/cases/example/export/file1.txt"
    assert [r.sha256 for r in parse_hashset(CORPUS / "sha256sum-tag.txt")] == [r["sha256"] for r in ROWS]


def test_hashdeep_keeps_names_with_commas_and_sizes():
    records = list(parse_hashset(CORPUS / "hashdeep.txt"))
    assert records[2].file_name == "/cases/example/export/holiday, beach/file3.txt"
    assert [r.size for r in records] == [r["size"] for r in ROWS]
    assert records[0].sha256 == ROWS[0]["sha256"] and records[0].position == 6


def test_md5deep_size_column_and_md5sum_escapes():
    assert [r.size for r in parse_hashset(CORPUS / "md5deep-z.txt")] == [r["size"] for r in ROWS]
    names = [r.file_name for r in parse_hashset(CORPUS / "md5sum.txt")]
    assert names[0] == "export/file1.txt" and names[4] == "export/new\\nline file5.txt"


def test_utf16_excel_export_and_vics_read_with_their_categories():
    parse = parse_hashset(CORPUS / "excel-unicode.txt", scheme="projectvic-us")
    records = list(parse)
    assert [r.category for r in records] == ["1", "2", "3", "1", "2"]
    assert {r.md5 for r in records} == MD5S and {r.series for r in records} == {"Corpus"}
    assert detect_format(CORPUS / "vics-utf16.json") == "vics"
    parse = parse_hashset(CORPUS / "vics-utf16.json")
    records = list(parse)
    assert [r.category for r in records] == ["1", "2", None, "3", "1"]
    assert {r.md5 for r in records} == MD5S
    assert parse.report.sha256 == __import__("hashlib").sha256((CORPUS / "vics-utf16.json").read_bytes()).hexdigest()


def test_nsrl_zip_is_known_files_and_its_digest_is_of_the_zip():
    import hashlib

    parse = parse_hashset(CORPUS / "NSRLFile.txt.zip")
    records = list(parse)
    assert parse.report.kind == "known-files" and len(records) == 5
    assert parse.report.sha256 == hashlib.sha256((CORPUS / "NSRLFile.txt.zip").read_bytes()).hexdigest()
    assert records[0].file_name == "file1.txt" and records[0].size == 28


def test_a_plain_list_can_be_read_as_known_files():
    parse = parse_hashset(CORPUS / "os-files.txt", known_files=True)
    assert parse.run().kind == "known-files"
    with pytest.raises(HashSetParseError, match="known-file list carries no categories"):
        parse_hashset(CORPUS / "excel-unicode.txt", known_files=True).run()


@pytest.mark.parametrize(("name", "reason"), [
    ("refused/archive.zip", "this is a zip holding readme.txt, not NSRL RDS v2"),
    ("refused/utf16-no-bom.csv", "UTF-16 without BOM (looks little-endian)"),
    ("refused/compressed.csv.gz", "this is gzip-compressed"),
])
def test_files_that_are_no_hash_list_say_what_they_are(name, reason):
    with pytest.raises(HashSetParseError) as caught:
        detect_format(CORPUS / name)
    assert reason in caught.value.reason and caught.value.file.endswith(name.split("/")[1])


def test_utf16_without_bom_is_refused_even_with_an_explicit_format():
    with pytest.raises(HashSetParseError, match="UTF-16 without BOM"):
        parse_hashset(CORPUS / "refused/utf16-no-bom.csv", format="csv").run()


def test_a_sha512_only_list_is_refused_because_it_could_never_match():
    with pytest.raises(HashSetParseError) as caught:
        parse_hashset(CORPUS / "refused/sha512sum.txt").run()
    assert caught.value.position == "line 1" and "Winnow matches MD5, SHA-1, SHA-256 and PDQ" in caught.value.reason
    assert caught.value.reason.startswith("a SHA-512 hash only")


def test_a_video_categorised_by_segment_takes_its_most_severe_segment():
    parse = parse_hashset(CORPUS / "vics-segments.json")
    records = list(parse)
    assert [r.category for r in records] == ["1", "2", "1"]
    assert records[0].segments == ("2", "1", None) and records[1].segments == ("2", "3")
    assert records[2].segments == ()
    assert parse.report.segmented_media == 2


def test_most_severe_puts_pertinent_categories_first():
    from winnow.core.hashsets import get_scheme

    assert get_scheme("uk-abc").most_severe(["C", None, "A", "B"]) == "A"
    assert get_scheme("projectvic-us").most_severe(["0", "4"]) == "4"  # non-pertinent ranks last
    assert get_scheme("projectvic-us").most_severe([None]) is None
