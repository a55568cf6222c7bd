"""Bulk import through the page and the command: atomic, idempotent on the file's SHA-256, errors by row and field."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from winnow.audit.models import AuditEvent
from winnow.core.intake import csv_template
from winnow.referrals.models import ImportBatch, RawPackage, Referral
from winnow.worker.tests.support import job_page

_TEMPLATE = list(csv.reader(io.StringIO(csv_template())))
HEADER = ",".join(_TEMPLATE[0])


def _row(ref: str, **overrides: str) -> str:
    values = dict(zip(_TEMPLATE[0], _TEMPLATE[1], strict=True)) | {"source_reference": ref, **overrides}
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values[column] for column in _TEMPLATE[0])
    return out.getvalue()


def _csv(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def _upload(client: Any, unit: Any, name: str, content: bytes) -> Any:
    """The page stores the file and hands it to the worker; run the job and return its page."""
    response = client.post("/referrals/import/", {"unit": unit.pk, "file": SimpleUploadedFile(name, content)})
    return job_page(client, response) if response.status_code == 302 else response


def test_it_imports_a_file_and_keeps_it_verbatim(client: Any, handler: Any, units: Any) -> None:
    content = _csv(_row("CT-1"), _row("CT-2"), _row("CT-3"))
    client.force_login(handler)
    response = _upload(client, units["north"], "batch.csv", content)
    assert "3 referrals imported" in response.content.decode()
    assert Referral.objects.count() == 3
    batch = ImportBatch.objects.get()
    assert bytes(batch.package.content) == content
    assert {r.package_id for r in Referral.objects.all()} == {batch.package_id}
    assert AuditEvent.objects.filter(action="import.create").count() == 1
    assert AuditEvent.objects.filter(action="referral.create").count() == 3


def test_it_creates_nothing_when_the_same_file_comes_again(client: Any, handler: Any, units: Any) -> None:
    content = _csv(_row("CT-1"), _row("CT-2"))
    client.force_login(handler)
    _upload(client, units["north"], "batch.csv", content)
    writes = AuditEvent.objects.exclude(action__endswith=".list").exclude(action="job.read")  # reads write nothing
    events = writes.count()
    response = _upload(client, units["north"], "renamed-copy.csv", content)
    assert "was already imported" in response.content.decode()
    assert "Nothing new was created" in response.content.decode()
    assert (Referral.objects.count(), ImportBatch.objects.count(), RawPackage.objects.count()) == (2, 1, 1)
    assert writes.count() == events


def test_it_rejects_a_whole_file_for_one_bad_row_and_writes_nothing(client: Any, handler: Any, units: Any) -> None:
    content = _csv(_row("CT-1"), _row("CT-2", received_at="31/02/2026"), _row("CT-3"))
    client.force_login(handler)
    response = _upload(client, units["north"], "bad.csv", content)
    body = response.content.decode()
    assert response.status_code == 200
    assert "row 3" in body and "received_at" in body
    assert "Nothing was imported" in body
    assert (Referral.objects.count(), RawPackage.objects.count()) == (0, 0)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["job.read"]  # the job page's read only


@pytest.mark.parametrize(("content", "expected"), [
    (_csv(_row("CT-1", summary='=HYPERLINK("http://example.com")')), "formula"),
    (_csv(_row("CT-1", summary="<script>alert(1)</script>")), "markup"),
    (b"source_reference,summary\r\nCT-1,hello\r\n", "missing"),
    (_csv(_row("CT-1")).replace(b"Fictional", b"Fictional \xff\xfe"), "UTF-8"),
    (_csv(_row("CT-1"), _row("CT-1")), "row 3"),
    (b"", "empty"),
])
def test_it_names_what_is_wrong_with_a_hostile_file(client: Any, handler: Any, units: Any, content: bytes, expected: str) -> None:
    client.force_login(handler)
    response = _upload(client, units["north"], "hostile.csv", content)
    assert response.status_code == 200
    assert expected.lower() in response.content.decode().lower()
    assert not Referral.objects.exists() and not RawPackage.objects.exists()


def test_it_refuses_a_file_over_the_limit_before_reading_it(client: Any, handler: Any, units: Any, settings: Any) -> None:
    big = b"x" * (50 * 1024 * 1024)
    client.force_login(handler)
    response = _upload(client, units["north"], "huge.csv", big)
    assert response.status_code == 413  # winnow.uploads: its declared length is over the limit, so it is never read
    assert f"larger than the limit of {settings.WINNOW_IMPORT_MAX_BYTES:,} bytes" in response.content.decode()
    assert not RawPackage.objects.exists()


def test_it_refuses_an_import_into_another_unit(client: Any, outsider: Any, units: Any) -> None:
    client.force_login(outsider)
    response = client.post("/referrals/import/", {"unit": units["north"].pk, "file": SimpleUploadedFile("a.csv", _csv(_row("CT-1")))})
    assert response.status_code == 200  # the form refuses the choice
    assert not Referral.objects.exists()


def test_it_rejects_a_source_reference_the_unit_already_has(client: Any, handler: Any, units: Any) -> None:
    client.force_login(handler)
    _upload(client, units["north"], "first.csv", _csv(_row("CT-1")))
    response = _upload(client, units["north"], "second.csv", _csv(_row("CT-2"), _row("CT-1")))
    assert "already recorded as" in response.content.decode()
    assert Referral.objects.count() == 1


def test_it_imports_from_the_command_line_and_is_idempotent(tmp_path: Path, handler: Any, units: Any) -> None:
    path = tmp_path / "referrals.json"
    path.write_text(json.dumps({"referrals": [
        {"source": "public", "received_at": "2026-11-01T12:00:00", "summary": "Fictional call from the public.",
         "immediate_danger": False, "subjects": []},
    ]}))
    out = StringIO()
    call_command("import-referrals", str(path), unit="north", user="hannah.handler", stdout=out)
    assert "imported 1 referrals" in out.getvalue()
    call_command("import-referrals", str(path), unit="north", user="hannah.handler", stdout=out)
    assert "already imported" in out.getvalue()
    assert Referral.objects.count() == 1


def test_it_reports_command_line_errors_by_row_and_field(tmp_path: Path, handler: Any, units: Any) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(_row("CT-1", immediate_danger="perhaps")))
    with pytest.raises(CommandError, match=r"row 2.*immediate_danger"):
        call_command("import-referrals", str(path), unit="north", user="hannah.handler", stdout=StringIO())
    assert not Referral.objects.exists()


def test_it_refuses_the_command_for_a_unit_the_user_cannot_record_in(tmp_path: Path, outsider: Any, units: Any) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(_csv(_row("CT-1")))
    with pytest.raises(CommandError, match="does not record referrals"):
        call_command("import-referrals", str(path), unit="north", user="otto.outsider", stdout=StringIO())
