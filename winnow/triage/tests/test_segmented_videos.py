"""VICS 2.0 videos categorised by segment (tests/corpus/hashlists/vics-segments.json): each takes its most severe
segment's category, and the segments are shown where the category is: the command's and the page's import result,
the hash-sets page and the exhibit summary."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.corpus.hashlists import build
from winnow.core.scanning import scan
from winnow.triage.models import HashSet
from winnow.triage.services import file_chunks, scan_result_store
from winnow.worker.tests.support import job_page

pytestmark = pytest.mark.django_db

SEGMENTED = build.HERE / "vics-segments.json"
ROWS = build.digests()
ABUSE, EXPLOITIVE = "Child abuse material", "Child exploitive / age difficult"


def test_the_command_lists_each_video_with_its_segments() -> None:
    out = StringIO()
    call_command("import-hashes", str(SEGMENTED), "--name", "Segmented", stdout=out)
    text = out.getvalue()
    assert "2 video(s) categorised by segment, each taking its most severe segment's category:" in text
    assert f"  {ROWS[0]['md5']}: {ABUSE} (segments: {EXPLOITIVE}, {ABUSE}, Uncategorised)" in text
    assert f"  {ROWS[1]['md5']}: {EXPLOITIVE} (segments: {EXPLOITIVE}, CGI / animation)" in text
    assert ROWS[2]["md5"] not in text  # categorised as a whole, not by segment


def test_the_page_says_so_on_import_and_lists_the_segments(client: Any, administrator: Any) -> None:
    client.force_login(administrator)
    upload = SimpleUploadedFile("vics-segments.json", SEGMENTED.read_bytes())
    response = job_page(client, client.post("/triage/hash-sets/", {"name": "Segmented", "file": upload}))
    assert "Imported 3 entries as “Segmented”. 2 videos categorised by segment" in response.content.decode()
    body = client.get("/triage/hash-sets/").content.decode()
    s = HashSet.objects.get()
    assert f'data-segments="{s.pk}"' in body
    assert f"{ROWS[0]['md5']}</span>: {ABUSE}; segments: {EXPLOITIVE}, {ABUSE}, Uncategorised" in body


def test_the_exhibit_summary_shows_the_segments_of_a_matched_video(exhibit: Any, forensic: Any, client: Any,
                                                                  tmp_path: Path) -> None:
    call_command("import-hashes", str(SEGMENTED), "--name", "Segmented", stdout=StringIO())
    root = tmp_path / "exhibit"
    root.mkdir()
    for name, content in build.benign_files().items():  # the files the corpus hashes are of
        (root / name).write_bytes(content)
    scan(root, tmp_path / "r.sqlite", now=datetime(2026, 12, 1, tzinfo=UTC), pdq_enabled=False)
    summary = scan_result_store(actor=forensic, exhibit=exhibit, chunks=file_chunks(tmp_path / "r.sqlite"),
                                filename="r.sqlite", via="server").summary
    segmented = summary.data["segmented"]
    assert (segmented["files"], segmented["distinct"]) == (2, 2)
    first = next(v for v in segmented["listed"] if v["hash"] == ROWS[0]["md5"])
    assert first["paths"] == ["file1.txt"] and first["files"] == 1
    assert first["sets"] == [{"set": "Segmented", "scheme": "projectvic-us", "category": "1", "label": ABUSE,
                              "segments": [EXPLOITIVE, ABUSE, "Uncategorised"]}]
    categories = {c["category"]: c["files"] for c in summary.data["by_category"]}
    assert categories == {"1": 2, "2": 1}  # file1 by its worst segment, file2 by its, file3 as a whole
    client.force_login(forensic)
    body = client.get(f"/triage/exhibits/{exhibit.pk}/").content.decode()
    assert 'id="segmented-videos"' in body and "<li>Uncategorised</li>" in body
