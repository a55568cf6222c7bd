"""Uploading a scan result: stored verbatim with its SHA-256, validated first; bad files change nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from winnow.triage.models import CollectionSummary, Exhibit, ScanResult

pytestmark = pytest.mark.django_db


def _upload(client: Any, exhibit: Any, name: str, content: bytes) -> str:
    response = client.post(f"/triage/exhibits/{exhibit.pk}/upload/",
                           {"file": SimpleUploadedFile(name, content, "application/octet-stream")}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_it_stores_the_file_verbatim_and_summarises_it(client: Any, forensic: Any, exhibit: Any, collection: Any,
                                                        hash_sets: Any) -> None:
    content = collection.result.read_bytes()
    client.force_login(forensic)
    body = _upload(client, exhibit, "exhibit.scan.sqlite", content)
    result = ScanResult.objects.get()
    assert result.sha256 == hashlib.sha256(content).hexdigest() and result.size == len(content)
    assert result.path.read_bytes() == content  # reading it for the summary changed nothing
    assert result.meta["format"] == "winnow-scan" and result.files == 9
    assert CollectionSummary.objects.filter(scan_result=result).count() == 1
    assert "Unknown images" in body and 'id="unknown-images">5<' in body


def test_it_treats_the_same_file_again_as_already_stored(client: Any, forensic: Any, exhibit: Any,
                                                          collection: Any) -> None:
    client.force_login(forensic)
    _upload(client, exhibit, "a.sqlite", collection.result.read_bytes())
    body = _upload(client, exhibit, "b.sqlite", collection.result.read_bytes())
    assert "already stored" in body and ScanResult.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("photo.jpg", b"\xff\xd8\xff\xe0 not a database", "not an SQLite file"),
    ("empty.sqlite", b"", "empty"),
    ("truncated.sqlite", b"SQLite format 3\x00" + b"\x00" * 80, "not"),
])
def test_it_refuses_files_that_are_not_scan_results(client: Any, forensic: Any, exhibit: Any, name: str,
                                                     content: bytes, reason: str, settings: Any) -> None:
    client.force_login(forensic)
    body = _upload(client, exhibit, name, content)
    assert name in body and reason in body and "Nothing was stored" in body
    assert not ScanResult.objects.exists()
    assert not any(p.is_file() for p in Path(settings.DATA_DIR).rglob("*"))


def test_it_refuses_an_sqlite_file_from_elsewhere(client: Any, forensic: Any, exhibit: Any, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.executescript("CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('format', 'else');"
                      "CREATE TABLE files (path BLOB);")
    con.commit()
    con.close()
    client.force_login(forensic)
    body = _upload(client, exhibit, "other.sqlite", other.read_bytes())
    assert "other.sqlite: not a Winnow scan result (meta format is &#x27;else&#x27;)" in body
    assert not ScanResult.objects.exists()


def test_it_refuses_a_scan_result_carrying_triggers(client: Any, forensic: Any, exhibit: Any, collection: Any,
                                                     tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.sqlite"
    hostile.write_bytes(collection.result.read_bytes())
    con = sqlite3.connect(hostile)
    con.execute("CREATE VIEW sneaky AS SELECT 1")
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    client.force_login(forensic)
    body = _upload(client, exhibit, "hostile.sqlite", hostile.read_bytes())
    assert "views or triggers" in body and not ScanResult.objects.exists()


def test_it_refuses_files_over_the_size_limit(client: Any, forensic: Any, exhibit: Any, collection: Any,
                                              settings: Any) -> None:
    settings.WINNOW_SCAN_RESULT_MAX_BYTES = 1000
    client.force_login(forensic)
    response = client.post(f"/triage/exhibits/{exhibit.pk}/upload/",
                           {"file": SimpleUploadedFile("big.sqlite", collection.result.read_bytes())})
    assert response.status_code == 413  # winnow.uploads: refused while it streamed
    assert "larger than the limit of 1,000 bytes" in response.content.decode() and not ScanResult.objects.exists()


def test_it_imports_a_result_on_the_server(forensic: Any, referral: Any, collection: Any, hash_sets: Any) -> None:
    out = StringIO()
    call_command("import-scan", str(collection.result), "--referral", referral.reference, "--exhibit", "FF/9",
                 "--user", forensic.username, stdout=out)
    assert "9 files, 5 unknown images" in out.getvalue()
    assert Exhibit.objects.get().label == "FF/9" and ScanResult.objects.get().via == "server"
    with pytest.raises(CommandError, match="does not work exhibits"):
        call_command("import-scan", str(collection.result), "--referral", referral.reference, "--exhibit", "FF/9",
                     "--user", "hannah.handler")


def test_it_refuses_a_non_result_on_the_server(forensic: Any, referral: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"junk")
    with pytest.raises(CommandError, match="junk.bin: not a Winnow scan result"):
        call_command("import-scan", str(junk), "--referral", referral.reference, "--exhibit", "FF/9",
                     "--user", forensic.username)
    assert not ScanResult.objects.exists()
