"""Every triage view: right unit allowed, other unit 404, anonymous to login, wrong role 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from winnow.audit.models import AuditEvent
from winnow.triage.models import Exhibit, HashSet, ScanResult, SuggestionConfirmation
from winnow.worker.tests.support import job_page

pytestmark = pytest.mark.django_db


def _urls(exhibit: Any) -> list[tuple[str, str]]:
    return [
        ("get", f"/triage/exhibits/{exhibit.pk}/"),
        ("get", f"/triage/referrals/{exhibit.referral_id}/exhibits/new/"),
        ("post", f"/triage/exhibits/{exhibit.pk}/upload/"),
        ("post", f"/triage/exhibits/{exhibit.pk}/summarise/"),
        ("post", f"/triage/exhibits/{exhibit.pk}/suggestions/confirm/"),
    ]


def test_it_sends_anonymous_to_login(client: Any, exhibit: Any) -> None:
    for method, url in [*_urls(exhibit), ("get", "/triage/hash-sets/"), ("post", "/triage/hash-sets/")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_it_gives_another_unit_404(client: Any, exhibit: Any, forensic_east: Any) -> None:
    client.force_login(forensic_east)
    for method, url in _urls(exhibit):
        assert getattr(client, method)(url).status_code == 404, url


def test_it_lets_a_handler_read_an_exhibit_but_not_work_it(client: Any, exhibit: Any, handler: Any) -> None:
    client.force_login(handler)
    body = client.get(f"/triage/exhibits/{exhibit.pk}/").content.decode()
    assert "Exhibit FF/1" in body and "Upload scan result" not in body
    assert AuditEvent.objects.filter(action="exhibit.read", actor=handler, target_id=str(exhibit.pk)).exists()
    assert client.get(f"/triage/referrals/{exhibit.referral_id}/exhibits/new/").status_code == 403
    for method, url in _urls(exhibit)[2:]:
        assert getattr(client, method)(url).status_code == 403, url


def test_it_lets_a_forensic_officer_record_an_exhibit(client: Any, forensic: Any, referral: Any) -> None:
    client.force_login(forensic)
    response = client.post(f"/triage/referrals/{referral.pk}/exhibits/new/",
                           {"label": "FF/2", "description": "Fictional phone"})
    exhibit = Exhibit.objects.get(label="FF/2")
    assert response.status_code == 302 and response["Location"] == exhibit.get_absolute_url()
    assert AuditEvent.objects.filter(action="exhibit.create", target_id=str(exhibit.pk)).exists()
    assert "FF/2" in client.get(referral.get_absolute_url()).content.decode()


def test_it_lets_a_supervisor_upload_and_recompute(client: Any, supervisor: Any, exhibit: Any, collection: Any) -> None:
    client.force_login(supervisor)
    client.post(f"/triage/exhibits/{exhibit.pk}/upload/",
                {"file": SimpleUploadedFile("r.sqlite", collection.result.read_bytes())})
    result = ScanResult.objects.get()
    assert client.post(f"/triage/exhibits/{exhibit.pk}/summarise/", {"scan_result": result.pk}).status_code == 302
    assert result.summaries.count() == 2


def test_it_shows_hash_set_metadata_to_forensic_officers_and_imports_only_for_administrators(
    client: Any, forensic: Any, administrator: Any, handler: Any, collection: Any, tmp_path: Any
) -> None:
    client.force_login(handler)
    assert client.get("/triage/hash-sets/").status_code == 403
    client.force_login(forensic)
    body = client.get("/triage/hash-sets/").content.decode()
    assert "Hash sets" in body and "Import a hash set" not in body
    upload = {"name": "Fictional", "scheme": "uk-abc",
              "file": SimpleUploadedFile("list.csv", collection.csv_set(tmp_path).read_bytes())}
    assert client.post("/triage/hash-sets/", upload).status_code == 403
    assert not HashSet.objects.exists()
    client.force_login(administrator)
    upload["file"] = SimpleUploadedFile("list.csv", collection.csv_set(tmp_path).read_bytes())
    job_page(client, client.post("/triage/hash-sets/", upload))
    assert HashSet.objects.get().entries == 3
    assert "Fictional" in client.get("/triage/hash-sets/").content.decode()


def test_it_names_a_malformed_upload_on_the_admin_page(client: Any, administrator: Any) -> None:
    client.force_login(administrator)
    body = job_page(client, client.post("/triage/hash-sets/", {"name": "Bad", "file": SimpleUploadedFile(
        "broken.json", b'{"odata.metadata": "x#Media", "value": [{"MD5": "xyz"}]}')})).content.decode()
    assert "broken.json" in body and "Nothing was imported" in body and not HashSet.objects.exists()


def test_it_lets_an_officer_confirm_a_suggestion_but_never_applies_one_itself(
    client: Any, forensic: Any, stored: Any
) -> None:
    exhibit = stored.scan_result.exhibit
    client.force_login(forensic)
    body = client.get(exhibit.get_absolute_url()).content.decode()
    assert "Producing / taking IIOC" in body and "3 unknown image(s) carry the seized device" in body
    assert not SuggestionConfirmation.objects.exists()
    client.post(f"/triage/exhibits/{exhibit.pk}/suggestions/confirm/",
                {"summary": stored.summary.pk, "item": "producing_taking_iioc"})
    confirmation = SuggestionConfirmation.objects.get()
    assert confirmation.confirmed_by == forensic and confirmation.answer == "yes"
    assert AuditEvent.objects.filter(action="suggestion.confirm", target_id=str(confirmation.pk)).exists()
    assert "Confirmed" in client.get(exhibit.get_absolute_url()).content.decode()
    client.post(f"/triage/exhibits/{exhibit.pk}/suggestions/confirm/", {"summary": stored.summary.pk, "item": "other"})
    assert SuggestionConfirmation.objects.count() == 1


def test_it_never_puts_image_content_on_a_page(client: Any, forensic: Any, stored: Any) -> None:
    client.force_login(forensic)
    body = client.get(stored.scan_result.exhibit.get_absolute_url()).content.decode()
    assert "<img" not in body and "data:image" not in body and "Series candidates" in body


def test_it_answers_404_not_500_to_a_malformed_post(client: Any, forensic: Any, exhibit: Any) -> None:
    client.force_login(forensic)
    for url in (f"/triage/exhibits/{exhibit.pk}/summarise/", f"/triage/exhibits/{exhibit.pk}/suggestions/confirm/"):
        assert client.post(url, {"scan_result": "x", "summary": "'; drop"}).status_code == 404, url
