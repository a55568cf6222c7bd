"""Category conflicts are shown, never silently resolved: at hash-set import (within a set and between sets of the
same scheme), on the hash-sets page, in the command's output and in the exhibit summary (both categories kept,
"conflict" said). Per-set counts in the summary are of files, not hits."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from winnow.core.matching import Hit, Verdict
from winnow.triage.models import CategoryConflicts, HashEntry
from winnow.triage.services import hash_set_import
from winnow.triage.summary import build_summary

pytestmark = pytest.mark.django_db

A, B, C, D = ("a1" * 16, "b2" * 16, "c3" * 16, "d4" * 16)


def _csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("md5,category\n" + "".join(f"{h},{c}\n" for h, c in rows))
    return path


def test_conflicts_within_and_between_sets_are_recorded_at_import(tmp_path: Path, administrator: Any) -> None:
    first = hash_set_import(actor=administrator, path=_csv(tmp_path / "1.csv", [(A, "A"), (B, "B"), (C, "C")]),
                            name="First", scheme="uk-abc").hash_set
    assert (first.conflicts_found.within, first.conflicts_found.between) == (0, 0)
    # B agrees, A disagrees with First, D is listed twice under different categories, C is uncategorised here
    second_path = tmp_path / "2.csv"
    second_path.write_text(f"md5,category\n{A},C\n{B},B\n{D},A\n{D},B\n{C},\n")
    second = hash_set_import(actor=administrator, path=second_path, name="Second", scheme="uk-abc").hash_set
    found = second.conflicts_found
    assert (found.within, found.between) == (1, 1)
    by_hash = {e["hash"]: e for e in found.examples}
    assert set(by_hash) == {A, D}
    assert sorted((k["set"], k["category"]) for k in by_hash[A]["categories"]) == [("First", "A"), ("Second", "C")]
    assert sorted(k["category"] for k in by_hash[D]["categories"]) == ["A", "B"]
    assert HashEntry.objects.filter(hash_set=second, md5=D).count() == 2  # both categories kept


def test_sets_of_another_scheme_or_known_files_are_not_compared(tmp_path: Path, administrator: Any) -> None:
    hash_set_import(actor=administrator, path=_csv(tmp_path / "1.csv", [(A, "A")]), name="UK", scheme="uk-abc")
    other = hash_set_import(actor=administrator, path=_csv(tmp_path / "2.csv", [(A, "1")]), name="US",
                            scheme="projectvic-us").hash_set
    assert other.conflicts_found.total == 0
    listed = tmp_path / "3.txt"
    listed.write_text(f"{A}\n")
    known = hash_set_import(actor=administrator, path=listed, name="OS", known_files=True).hash_set
    assert known.kind == "known-files" and known.conflicts_found.total == 0


def test_the_command_and_the_page_say_conflict(tmp_path: Path, administrator: Any, client: Any) -> None:
    call_command("import-hashes", str(_csv(tmp_path / "1.csv", [(A, "A")])), "--name", "First", "--scheme", "uk-abc",
                 stdout=StringIO())
    out = StringIO()
    call_command("import-hashes", str(_csv(tmp_path / "2.csv", [(A, "B")])), "--name", "Second", "--scheme", "uk-abc",
                 stdout=out)
    assert "category conflict: 0 hash(es) under two categories in this set, 1 categorised differently" in out.getvalue()
    assert f"MD5 {A}: Category A" in out.getvalue() and "(First); Category B" in out.getvalue()
    client.force_login(administrator)
    page = client.get("/triage/hash-sets/").content.decode()
    assert "conflict</strong> 0 hashes under two categories in this set, 1 categorised differently" in page
    assert A in page  # the example, with both categories
    assert CategoryConflicts.objects.count() == 2


def _hit(set_name: str, category: str | None, method: str = "md5", transform: str | None = None) -> Hit:
    return Hit(set_name, "reference", method, category, "uk-abc", False, distance=0 if method == "pdq" else None,
               transform=transform)


def _row(md5: str, path: str) -> dict[str, Any]:
    return {"md5": md5, "path_display": path, "media_type": "image", "size": 10}


def test_the_summary_keeps_both_categories_says_conflict_and_counts_files_per_set() -> None:
    matched = [
        # one file, two hits in set S (md5 and sha1) and a disagreeing hit in set T
        (_row(A, "x/a.jpg"), Verdict("known", True, [_hit("S", "A"), _hit("S", "A", "sha1"), _hit("T", "C")])),
        (_row(B, "x/b.jpg"), Verdict("known", True, [_hit("S", "B"), _hit("T", None)])),  # uncategorised: no conflict
        (_row(C, "x/c.jpg"), Verdict("known", False, [_hit("S", "B", "pdq", "rotated 180°")])),
    ]
    data = build_summary(matched, category_label=lambda scheme, code: f"Cat {code}", pdq_threshold=31)
    assert {s["set"]: s["files"] for s in data["by_set"]} == {"S": 3, "T": 2}  # files, not hits (S had 4 hits)
    conflicts = data["category_conflicts"]
    assert (conflicts["files"], conflicts["distinct"]) == (1, 1)
    (listed,) = conflicts["listed"]
    assert listed["hash"] == A and listed["paths"] == ["x/a.jpg"]
    assert [(k["set"], k["category"]) for k in listed["categories"]] == [("S", "A"), ("T", "C")]
    by_category = {c["category"]: c["files"] for c in data["by_category"]}
    assert by_category["A"] == 1 and by_category["C"] == 1  # counted under both: none picked
    assert data["pdq_transforms"] == [{"transform": "rotated 180°", "files": 1, "distinct": 1}]
    json.dumps(data)  # stored as JSON


def test_the_exhibit_page_shows_conflicts(client: Any, forensic: Any, exhibit: Any, tmp_path: Path,
                                          administrator: Any, collection: Any) -> None:
    from winnow.triage.models import CollectionSummary

    # the collection's known file under two categories in two sets, then summarised as the page does
    md5 = collection.known_md5
    hash_set_import(actor=administrator, path=_csv(tmp_path / "1.csv", [(md5, "A")]), name="One", scheme="uk-abc")
    hash_set_import(actor=administrator, path=_csv(tmp_path / "2.csv", [(md5, "C")]), name="Two", scheme="uk-abc")
    client.force_login(forensic)
    from winnow.triage.services import scan_result_store

    scan_result_store(actor=forensic, exhibit=exhibit, chunks=[collection.result.read_bytes()],
                      filename="r.sqlite", via="upload", background=False)
    page = client.get(exhibit.get_absolute_url()).content.decode()
    assert CollectionSummary.objects.exists()
    assert "Category conflict:" in page and "conflict</strong>" in page
