"""The CyberTipline upload page: imports a package, refuses hostile XML quickly with a clear message and writes
nothing; only the recording roles of a unit may use it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.referrals.models import RawPackage, Referral
from winnow.worker.tests.support import job_page

from .support import sample_documents, sample_zip

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<report><additionalInfo>&lol3;</additionalInfo></report>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><report><additionalInfo>&xxe;</additionalInfo></report>"""
DEEP = b"<report>" + b"<additionalInfo>" * 5000 + b"x" + b"</additionalInfo>" * 5000 + b"</report>"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, unit: Any, files: list[tuple[str, bytes]], report_id: str = "",
            danger: str = "no") -> Any:
    return client.post(
        "/referrals/cybertipline/",
        {"unit": unit.pk, "report_id": report_id, "immediate_danger": danger,
         "files": [SimpleUploadedFile(name, content, content_type="application/xml") for name, content in files]},
    )


def test_it_imports_separate_files_and_shows_the_referral(handler: Any, units: dict[str, Any]) -> None:
    client = _client(handler)
    job = job_page(client, _upload(client, units["north"], sample_documents(), report_id="245551234"))
    referral = Referral.objects.get()
    assert f"CyberTipline package imported as referral {referral.reference}." in job.content.decode()
    assert f'href="{referral.get_absolute_url()}"' in job.content.decode()
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "CyberTipline report" in page and "IMG_2231.JPG" in page
    assert "5f0c3b1e9a7d24c86e1b0f3a2d4c6e81" in page and "A1" in page
    assert "Gareth Pennington-Vale" in page


def test_it_imports_a_zip(handler: Any, units: dict[str, Any]) -> None:
    client = _client(handler)
    job_page(client, _upload(client, units["north"], [("tip.zip", sample_zip())]))
    assert Referral.objects.get().reported_files.count() == 2
    again = client.get("/referrals/cybertipline/").content.decode()  # the upload page lists it, done
    assert "Your recent uploads" in again and "tip.zip" in again and "Succeeded" in again


@pytest.mark.parametrize(
    ("content", "reason"),
    [(BILLION_LAUGHS, "DTD"), (EXTERNAL_ENTITY, "DTD"), (DEEP, "deep")],
    ids=["billion-laughs", "external-entity", "deep-nesting"],
)
def test_it_refuses_hostile_xml_quickly_and_writes_nothing(
    handler: Any, units: dict[str, Any], content: bytes, reason: str
) -> None:
    client = _client(handler)
    writes = AuditEvent.objects.exclude(action="job.read")  # reading the job page is audited, and writes nothing
    before = writes.count()
    start = time.perf_counter()
    response = job_page(client, _upload(client, units["north"], [("evil.xml", content)]))
    assert time.perf_counter() - start < 2
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "evil.xml" in page and reason.lower() in page.lower()
    assert "Nothing was imported." in page
    assert not Referral.objects.exists() and not RawPackage.objects.exists()
    assert writes.count() == before


def test_it_refuses_a_file_over_the_limit_before_reading_it(handler: Any, units: dict[str, Any], monkeypatch: Any) -> None:
    from winnow.core import cybertipline

    small = cybertipline.Limits(max_document_bytes=1000, max_zip_bytes=1000)
    monkeypatch.setattr("winnow.intake.views.DEFAULT_LIMITS", small)
    response = _upload(_client(handler), units["north"], [("big.xml", b"<report>" + b" " * 5000 + b"</report>")])
    assert "big.xml: 5,017 bytes; at most 1,000 allowed" in response.content.decode()
    assert not Referral.objects.exists()


def test_it_names_element_and_reason_for_a_malformed_report(handler: Any, units: dict[str, Any]) -> None:
    docs = sample_documents()
    docs[1] = ("filedetails-1.xml", docs[1][1].replace(b"<industryClassification>A1", b"<industryClassification>Z9"))
    client = _client(handler)
    page = job_page(client, _upload(client, units["north"], docs)).content.decode()
    assert "filedetails-1.xml, element /fileDetails/industryClassification" in page
    assert not Referral.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, units: dict[str, Any]) -> None:
    response = client.get("/referrals/cybertipline/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_refuses_roles_that_do_not_record_referrals(investigator: Any, units: dict[str, Any]) -> None:
    assert _client(investigator).get("/referrals/cybertipline/").status_code == 403


def test_it_offers_only_the_users_own_units(outsider: Any, units: dict[str, Any]) -> None:
    client = _client(outsider)
    assert "Northmoor" not in client.get("/referrals/cybertipline/").content.decode()
    response = _upload(client, units["north"], sample_documents())
    assert response.status_code == 200 and not Referral.objects.exists()


def test_it_requires_the_immediate_danger_answer_and_records_it(handler: Any, units: dict[str, Any]) -> None:
    client = _client(handler)
    response = _upload(client, units["north"], sample_documents(), report_id="245551234", danger="")
    assert response.status_code == 200 and "Answer Yes or No" in response.content.decode()
    assert not Referral.objects.exists()
    job_page(client, _upload(client, units["north"], sample_documents(), report_id="245551234", danger="yes"))
    assert Referral.objects.get().immediate_danger is True  # the sample does not escalate: the answer decides
