"""Every hash-list format of the corpus (tests/corpus/hashlists) imports from the command line and the page with the
expected counts, or is refused naming the file, the place and the reason with nothing written. Personas: the
administrator imports; a forensic officer may not; anonymous is sent to sign in."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from winnow.triage.models import HashEntry, HashSet
from winnow.worker.tests.support import job_page

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "corpus" / "hashlists"

FORMATS = [
    ("hashdeep.txt", "hashdeep", []),
    ("hashdeep-windows.txt", "hashdeep", []),
    ("md5deep.txt", "md5deep", []),
    ("md5deep-z.txt", "md5deep", []),
    ("md5deep-b.txt", "md5deep", []),
    ("md5deep-k.txt", "md5deep", []),
    ("sha1deep.txt", "md5deep", []),
    ("sha256deep.txt", "md5deep", []),
    ("sha256deep-z.txt", "md5deep", []),
    ("sha256sum.txt", "md5deep", []),
    ("sha256sum-tag.txt", "md5deep", []),
    ("hashdeep-sha256.txt", "hashdeep", []),
    ("md5sum.txt", "md5deep", []),
    ("sha1sum-binary.txt", "md5deep", []),
    ("md5sum-tag.txt", "md5deep", []),
    ("xways-export.txt", "csv", []),
    ("excel-unicode.txt", "csv", ["--scheme", "projectvic-us"]),
    ("vics-utf16.json", "vics", []),
    ("NSRLFile.txt.zip", "nsrl-rds2-zip", []),
    ("os-files.txt", "csv", []),
]


@pytest.mark.parametrize(("name", "fmt", "extra"), FORMATS)
def test_each_format_imports_from_the_command_line(name: str, fmt: str, extra: list[str]) -> None:
    out = StringIO()
    call_command("import-hashes", str(CORPUS / name), "--name", name, *extra, stdout=out)
    assert "imported 5 entries" in out.getvalue()
    s = HashSet.objects.get()
    assert (s.format, s.entries) == (fmt, 5)
    assert HashEntry.objects.filter(hash_set=s).count() == 5
    assert s.kind == ("known-files" if fmt.startswith("nsrl") else "reference")


def test_a_plain_list_imports_as_known_files_with_the_flag() -> None:
    out = StringIO()
    call_command("import-hashes", str(CORPUS / "os-files.txt"), "--name", "OS files", "--known-files", stdout=out)
    assert "known-file filter (nsrl)" in out.getvalue()
    assert HashSet.objects.get().kind == "known-files"


@pytest.mark.parametrize(("name", "reason"), [
    ("refused/archive.zip", "this is a zip holding readme.txt"),
    ("refused/utf16-no-bom.csv", "UTF-16 without BOM"),
    ("refused/compressed.csv.gz", "gzip-compressed"),
    ("refused/sha512sum.txt", "line 1: a SHA-512 hash only"),
])
def test_the_command_refuses_what_is_no_hash_list_naming_file_and_reason(name: str, reason: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("import-hashes", str(CORPUS / name), "--name", "x")
    message = str(caught.value)
    assert Path(name).name in message and reason in message and "Nothing was imported" in message
    assert not HashSet.objects.exists() and not HashEntry.objects.exists()


def test_the_command_refuses_known_files_with_categories() -> None:
    with pytest.raises(CommandError, match="known-file list carries no categories"):
        call_command("import-hashes", str(CORPUS / "excel-unicode.txt"), "--name", "x", "--known-files")
    assert not HashSet.objects.exists()


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(Path(name).name, (CORPUS / name).read_bytes())


def test_the_page_imports_each_format_and_a_known_files_list(client: Any, administrator: Any) -> None:
    client.force_login(administrator)
    for name, _fmt, extra in FORMATS:
        data = {"name": name, "file": _upload(name), "scheme": extra[1] if extra else ""}
        assert "Imported 5 entries" in job_page(client, client.post("/triage/hash-sets/", data)).content.decode(), name
    assert HashSet.objects.count() == len(FORMATS)
    assert set(HashSet.objects.values_list("entries", flat=True)) == {5}
    # the same bytes are the same set (same SHA-256): a changed copy, imported as a known-file filter
    changed = (CORPUS / "os-files.txt").read_bytes() + b"\n"
    data = {"name": "OS files", "file": SimpleUploadedFile("os.txt", changed), "known_files": "on"}
    job_page(client, client.post("/triage/hash-sets/", data))
    assert HashSet.objects.get(name="OS files").kind == "known-files"


def test_the_page_names_file_place_and_reason_and_writes_nothing(client: Any, administrator: Any) -> None:
    client.force_login(administrator)
    body = job_page(client, client.post("/triage/hash-sets/", {"name": "x", "file": _upload("refused/utf16-no-bom.csv")})).content.decode()
    assert "utf16-no-bom.csv: start: UTF-16 without BOM" in body and "Nothing was imported" in body
    assert not HashSet.objects.exists()


def test_the_page_refuses_a_forensic_officer_and_anonymous(client: Any, forensic: Any) -> None:
    data = {"name": "x", "file": _upload("md5deep.txt"), "known_files": "on"}
    assert client.post("/triage/hash-sets/", data).status_code == 302  # anonymous: to sign in
    assert "/login" in client.post("/triage/hash-sets/", {"name": "x", "file": _upload("md5deep.txt")}).url
    client.force_login(forensic)
    assert client.post("/triage/hash-sets/", {"name": "x", "file": _upload("md5deep.txt")}).status_code == 403
    assert not HashSet.objects.exists()


def test_a_renamed_file_is_still_detected_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "hashes.csv"
    shutil.copy(CORPUS / "hashdeep.txt", renamed)
    call_command("import-hashes", str(renamed), "--name", "renamed", stdout=StringIO())
    assert HashSet.objects.get().format == "hashdeep"
