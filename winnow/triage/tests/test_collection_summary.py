"""A scan result summarised against every loaded hash set: counts by hash and by file, known against unknown,
near duplicates, unhashable images, series candidates, cameras and other cases."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.triage.models import CollectionSummary, UnknownMediaHash
from winnow.triage.services import exhibit_create, file_chunks, scan_result_store, summary_compute

pytestmark = pytest.mark.django_db


def test_it_counts_known_files_by_category_both_by_hash_and_by_instance(stored: Any) -> None:
    data = stored.summary.data
    categories = {c["category"]: c for c in data["by_category"]}
    assert categories["A"]["files"] == 2 and categories["A"]["distinct"] == 1  # one hash, two copies
    assert categories["A"]["label"].startswith("Category A")
    assert categories["B"]["files"] == 1  # only through PDQ


def test_it_matches_a_resized_reencoded_copy_by_pdq(stored: Any) -> None:
    data = stored.summary.data
    assert data["near_duplicate_only"] == {"files": 1, "distinct": 1}
    assert data["by_status"]["known"]["image"]["files"] == 3


def test_it_sets_aside_nsrl_files_as_known_non_pertinent(stored: Any) -> None:
    assert stored.summary.data["by_status"]["known-non-pertinent"]["other"]["files"] == 1


def test_it_counts_unknown_and_unhashable_images(stored: Any) -> None:
    totals = stored.summary.data["totals"]
    assert totals["files"] == 9 and totals["images"] == 8
    assert totals["unhashable_images"] == 1  # the flat grey square
    assert totals["unknown_images"] == 5  # three series copies, the noise picture, the flat square


def test_it_groups_the_unknown_series_by_pdq_similarity(stored: Any, collection: Any) -> None:
    clusters = stored.summary.data["clusters"]
    assert len(clusters) == 1
    assert clusters[0]["files"] == 3 and clusters[0]["size"] >= 2  # distinct PDQ hashes (a re-encode may keep it)
    assert {m for member in clusters[0]["members"] for m in member["md5s"]} == set(collection.cluster_md5s)
    assert all(p.startswith("series-") for member in clusters[0]["members"] for p in member["paths"])


def test_it_groups_images_by_camera(stored: Any) -> None:
    (group,) = stored.summary.data["exif_groups"]
    assert (group["make"], group["model"], group["images"], group["unknown"]) == ("Fictocam", "FC-100", 3, 3)


def test_it_records_a_recomputation_as_a_new_summary_and_audits_it(stored: Any, forensic: Any) -> None:
    again = summary_compute(actor=forensic, scan_result=stored.scan_result)
    assert again.pk != stored.summary.pk
    assert CollectionSummary.objects.count() == 2
    assert AuditEvent.objects.filter(action="collectionsummary.compute").count() == 2
    assert UnknownMediaHash.objects.filter(scan_result=stored.scan_result).count() == 5  # series x3, noise, flat: not twice


def test_it_matches_against_sets_imported_later(exhibit: Any, forensic: Any, collection: Any, administrator: Any,
                                                 tmp_path: Any) -> None:
    from winnow.triage.services import hash_set_import

    first = scan_result_store(actor=forensic, exhibit=exhibit, chunks=file_chunks(collection.result),
                              filename="r.sqlite", via="server")
    assert first.summary.data["totals"]["unknown_images"] == 8
    hash_set_import(actor=administrator, path=collection.csv_set(tmp_path), name="Fictional list", scheme="uk-abc")
    later = summary_compute(actor=forensic, scan_result=first.scan_result)
    assert later.data["totals"]["unknown_images"] == 5
    assert [s["name"] for s in later.hash_sets] == ["Fictional list"]


def test_it_finds_other_cases_holding_the_same_unknown_material(stored: Any, forensic: Any, forensic_east: Any,
                                                                 collection: Any, units: Any, client: Any) -> None:
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    def new_referral(unit: Any, actor: Any, ref: str) -> Any:
        from django.utils import timezone

        mapping = {"source": "nca_ceop", "source_reference": ref, "summary": "Fictional.", "subjects": [],
                   "received_at": timezone.now().isoformat(), "immediate_danger": False}
        return referral_record(actor=actor, unit=unit, draft=referral_from_mapping(mapping, now=timezone.now()),
                               raw=canonical_json(mapping), media_type="application/json", via="api")

    from winnow.accounts.models import Membership

    Membership.objects.create(user=forensic_east, unit=units["east"], role="handler")
    north_again = new_referral(units["north"], forensic, "NCA-T-2")
    east = new_referral(units["east"], forensic_east, "NCA-T-3")
    for ref, actor in ((north_again, forensic), (east, forensic_east)):
        ex = exhibit_create(actor=actor, referral=ref, label="X/1")
        scan_result_store(actor=actor, exhibit=ex, chunks=file_chunks(collection.result), filename="r.sqlite",
                          via="server")
    client.force_login(forensic)
    body = client.get(f"/triage/exhibits/{stored.scan_result.exhibit_id}/").content.decode()
    assert north_again.reference in body
    assert "Also seen by Eastvale Test Unit" in body
    assert east.reference not in body
