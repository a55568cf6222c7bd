"""Importing hash sets: counts from the parser, entries stored, idempotent on the file, nothing written on error."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from winnow.audit.models import AuditEvent
from winnow.triage.models import HashEntry, HashSet
from winnow.triage.services import TriageError, hash_set_import

pytestmark = pytest.mark.django_db

MD5S = ["11" * 16, "22" * 16, "33" * 16]


def _vics(path: Path, version: str) -> Path:
    media = [
        {"MD5": MD5S[0].upper(), "Category": "1", "IsPrecategorized": "true", "MediaSize": "120"},
        {"MD5": MD5S[0], "Category": 1, "IsPrecategorized": True},  # a second instance of the same MD5
        {"MD5": MD5S[1], "Category": None, "Series": "Fictional series"},
        {"MD5": MD5S[2], "Category": 0},
    ]
    if version == "1":
        doc = {"odata.metadata": "http://example.invalid/$metadata#Media", "value": media}
    else:
        doc = {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
               "value": [{"CaseID": "1", "Media": media}]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    return path


def test_it_imports_both_vics_envelopes_to_the_same_counts(tmp_path: Path, administrator: Any) -> None:
    one = hash_set_import(actor=administrator, path=_vics(tmp_path / "v1.json", "1"), name="One",
                          scheme="projectvic-us").hash_set
    two = hash_set_import(actor=administrator, path=_vics(tmp_path / "v2.json", "2"), name="Two").hash_set
    for s in (one, two):
        assert (s.entries, s.distinct_md5, s.kind, s.scheme) == (4, 3, "reference", "projectvic-us")
    cats = list(HashEntry.objects.filter(hash_set=one).order_by("position").values_list("category", flat=True))
    assert cats == ["1", "1", None, "0"]  # uncategorised is null; 0 means non-pertinent in this scheme
    assert HashEntry.objects.filter(hash_set=one, series="Fictional series").count() == 1
    assert AuditEvent.objects.filter(action="hashset.import").count() == 2


def test_it_is_idempotent_on_the_file_sha256(tmp_path: Path, administrator: Any) -> None:
    path = _vics(tmp_path / "v1.json", "1")
    first = hash_set_import(actor=administrator, path=path, name="One", scheme="projectvic-us")
    again = hash_set_import(actor=administrator, path=path, name="Renamed", scheme="projectvic-us")
    assert first.created and not again.created and again.hash_set.pk == first.hash_set.pk
    assert HashSet.objects.count() == 1 and HashEntry.objects.count() == 4


def test_it_writes_nothing_for_a_malformed_file_and_names_the_place(tmp_path: Path, administrator: Any) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"md5,category\n{MD5S[0]},A\nnot-a-hash,B\n")
    with pytest.raises(TriageError) as err:
        hash_set_import(actor=administrator, path=path, name="Bad", scheme="uk-abc", filename="bad.csv")
    assert "bad.csv" in str(err.value) and "3" in str(err.value)
    assert not HashSet.objects.exists() and not HashEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="hashset.import").exists()


def test_it_refuses_categories_without_a_scheme(tmp_path: Path, administrator: Any) -> None:
    path = tmp_path / "list.csv"
    path.write_text(f"md5,category\n{MD5S[0]},A\n")
    with pytest.raises(TriageError, match="scheme"):
        hash_set_import(actor=administrator, path=path, name="No scheme")
    assert not HashSet.objects.exists()


def test_it_refuses_a_hostile_vics_file(tmp_path: Path, administrator: Any) -> None:
    path = tmp_path / "hostile.json"
    path.write_text('{"odata.metadata": "x#Media", "value": [' + "[" * 5000 + "]" * 5000 + "]}")
    with pytest.raises(TriageError, match="hostile.json"):
        hash_set_import(actor=administrator, path=path, name="Hostile", scheme="projectvic-us")
    assert not HashSet.objects.exists()


def test_it_imports_nsrl_as_a_known_file_filter(tmp_path: Path, administrator: Any, collection: Any) -> None:
    s = hash_set_import(actor=administrator, path=collection.nsrl_set(tmp_path), name="NSRL").hash_set
    assert (s.kind, s.format, s.entries) == ("known-files", "nsrl-rds2", 1)
    assert HashEntry.objects.get(hash_set=s).md5 == collection.nsrl_md5


def test_it_imports_from_the_command_line(tmp_path: Path, administrator: Any) -> None:
    path = _vics(tmp_path / "v1.json", "1")
    out = StringIO()
    call_command("import-hashes", str(path), "--name", "CLI set", "--scheme", "projectvic-us", stdout=out)
    assert "imported 4 entries" in out.getvalue()
    call_command("import-hashes", str(path), "--name", "CLI set", "--scheme", "projectvic-us", stdout=out)
    assert "already imported" in out.getvalue()
    assert HashSet.objects.get().imported_by is None
    bad = tmp_path / "bad.csv"
    bad.write_text("md5\nzz\n")
    with pytest.raises(CommandError, match="bad.csv.*Nothing was imported"):
        call_command("import-hashes", str(bad), "--name", "Bad")
