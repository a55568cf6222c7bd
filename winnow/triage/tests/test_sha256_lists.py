"""SHA-256 is a hash kind like MD5 and SHA-1: a sha256deep / sha256sum list imports, its entries keep their SHA-256,
and a scanned exhibit's files are found by it (the scanner records SHA-256 too)."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from winnow.triage.models import HashEntry, HashSet
from winnow.triage.services import file_chunks, scan_result_store

pytestmark = pytest.mark.django_db


def _sha256sum_list(directory: Path, root: Path, *names: str) -> Path:
    """A list as `sha256sum -b` writes it: HASH *NAME, one line per file."""
    path = directory / "SHA256SUMS"
    path.write_text("".join(f"{hashlib.sha256((root / n).read_bytes()).hexdigest()} *{n}\n" for n in names))
    return path


def test_a_sha256sum_list_finds_the_exhibits_files_by_sha256(exhibit: Any, forensic: Any, collection: Any,
                                                            tmp_path: Path) -> None:
    listed = _sha256sum_list(tmp_path, collection.root, "known.jpg")
    out = StringIO()
    call_command("import-hashes", str(listed), "--name", "SHA-256 list", stdout=out)
    hash_set = HashSet.objects.get()
    assert "imported 1 entries" in out.getvalue()
    assert (hash_set.format, hash_set.distinct_sha256, hash_set.distinct_md5) == ("md5deep", 1, 0)
    entry = HashEntry.objects.get(hash_set=hash_set)
    assert (entry.md5, entry.sha1, entry.sha256) == (None, None, hashlib.sha256(
        (collection.root / "known.jpg").read_bytes()).hexdigest())
    summary = scan_result_store(actor=forensic, exhibit=exhibit, chunks=file_chunks(collection.result),
                                filename="r.sqlite", via="server").summary
    assert summary.data["by_set"] == [{"set": "SHA-256 list", "files": 2, "distinct": 1}]  # known.jpg and its copy
    assert summary.data["by_status"]["known"]["image"]["files"] == 2
    assert summary.data["by_category"] == [{"scheme": "none", "category": None, "label": "Uncategorised",
                                            "files": 2, "distinct": 1}]


def test_the_hash_sets_page_shows_distinct_sha256(client: Any, administrator: Any, collection: Any,
                                                   tmp_path: Path) -> None:
    call_command("import-hashes", str(_sha256sum_list(tmp_path, collection.root, "known.jpg", "lonely.png")),
                 "--name", "SHA-256 list", stdout=StringIO())
    client.force_login(administrator)
    body = client.get("/triage/hash-sets/").content.decode()
    assert "Distinct SHA-256" in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric" data-column="sha256">2</td>' in body
