"""A scan result listing more files than WINNOW_SUMMARY_INLINE_MAX_FILES is stored at once and summarised by the task
worker, not inside the upload request; running the task twice makes one summary."""

from __future__ import annotations

from typing import Any

from django.test import Client

from winnow.triage.models import CollectionSummary
from winnow.triage.services import file_chunks, scan_result_store, summarise_scan_result
from winnow.worker.tests.support import run_ready_tasks


def test_it_summarises_large_results_in_the_worker(exhibit: Any, forensic: Any, collection: Any, hash_sets: Any,
                                                   settings: Any) -> None:
    settings.WINNOW_SUMMARY_INLINE_MAX_FILES = 3
    done = scan_result_store(actor=forensic, exhibit=exhibit, chunks=file_chunks(collection.result),
                             filename="r.sqlite", via="server")
    assert done.created and done.summary is None and done.scan_result.files > 3
    assert not CollectionSummary.objects.exists()
    run_ready_tasks()
    summary = CollectionSummary.objects.get()
    assert summary.scan_result == done.scan_result and summary.computed_by == forensic
    summarise_scan_result.enqueue(scan_result_id=done.scan_result.pk, actor_id=forensic.pk)
    run_ready_tasks()
    assert CollectionSummary.objects.count() == 1  # idempotent: same hash sets, no second summary


def test_small_results_are_still_summarised_in_the_request(exhibit: Any, forensic: Any, collection: Any,
                                                           hash_sets: Any) -> None:
    done = scan_result_store(actor=forensic, exhibit=exhibit, chunks=file_chunks(collection.result),
                             filename="r.sqlite", via="server")
    assert done.summary is not None


def test_the_upload_page_says_the_summary_is_on_its_way(client: Client, exhibit: Any, forensic: Any,
                                                        collection: Any, hash_sets: Any, settings: Any) -> None:
    settings.WINNOW_SUMMARY_INLINE_MAX_FILES = 3
    client.force_login(forensic)
    with open(collection.result, "rb") as fh:
        response = client.post(f"/triage/exhibits/{exhibit.pk}/upload/", {"file": fh}, follow=True)
    assert "summary is being computed in the background" in response.content.decode()
