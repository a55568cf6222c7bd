"""The fictional sample package: every field in it lands in the right place, and the documents are kept verbatim."""

import hashlib
from datetime import UTC, date, datetime

import pytest

from winnow.core.cybertipline import (
    CaptureEvent,
    FileRelevance,
    IncidentKind,
    IncidentType,
    IndustryClassification,
    PersonRole,
    read_package,
    read_zip,
)
from winnow.core.identifiers import IdentifierKind

from .support import FILE_1, FILE_2, REPORT, SAMPLE_PATHS, SHARED_SAMPLE_DIR, sample_zip


def at(hms: str) -> datetime:
    return datetime.fromisoformat(f"2026-10-03T{hms}").replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def package():
    return read_package(*SAMPLE_PATHS)


def test_it_reads_the_incident_summary(package):
    report = package.report
    assert report.incident_type is IncidentType.CHILD_PORNOGRAPHY
    assert report.platform == "Examplegram"
    assert report.annotations is not None
    assert report.annotations.csam_solicitation is True
    assert report.annotations.minor_to_minor_interaction is False
    assert report.annotations.sextortion is None  # not said is unknown, not no
    assert report.incident_time == at("21:14:09")
    assert report.incident_time_description == "Time the files were detected on upload"
    assert report.escalate_to_high_priority is None and report.immediate_danger is False
    assert report.batched_reason is None and report.law_enforcement is None and report.victims == ()
    assert report.additional_info == "Account disabled after detection."


def test_it_reads_the_internet_details(package):
    (detail,) = package.report.internet_details
    assert detail.kind is IncidentKind.CHAT_IM
    assert detail.chat_client == "Examplegram Direct"
    assert detail.content == "Conversation withheld from sample."


def test_it_reads_the_reporter(package):
    reporter = package.report.reporter
    assert reporter is not None and reporter.reporting_person is not None
    assert (reporter.reporting_person.first_name, reporter.reporting_person.last_name) == (
        "Trust",
        "Safety Desk",
    )
    (email,) = reporter.reporting_person.emails
    assert (email.address, email.type, email.verified) == ("safety@examplegram.example", "Business", True)


def test_it_reads_the_reported_persons_details(package):
    person = package.report.reported_person
    assert person is not None and person.role is PersonRole.REPORTED
    assert (person.first_name, person.last_name) == ("Gareth", "Pennington-Vale")
    assert person.date_of_birth == date(1979, 4, 22)
    (phone,) = person.details.phones
    assert (phone.number, phone.type, phone.verified, phone.country_calling_code) == (
        "07700 900461", "Mobile", True, "+44",
    )  # fmt: skip
    home, recovery = person.details.emails
    assert (home.address, home.type, home.verified) == ("g.penningtonvale@mail.example", "Home", True)
    assert (recovery.address, recovery.type, recovery.verified) == (
        "Gareth.P.Vale+backup@mail.example", "Recovery", False,
    )  # fmt: skip
    (address,) = person.details.addresses
    assert (address.type, address.street, address.city, address.zip_code, address.country) == (
        "Home", "14 Larkspur Close", "Maidstone", "ME99 1ZZ", "GB",
    )  # fmt: skip


def test_it_reads_the_reported_users_account(package):
    person = package.report.reported_person
    assert person.esp_identifier == "84002917731"
    assert person.esp_service == "Examplegram" and person.platform == "Examplegram"
    assert person.screen_name == "quietlantern_79"
    assert person.display_names == ("G P V",)
    assert person.profile_urls == ("https://examplegram.example/u/quietlantern_79",)
    assert person.prior_ct_reports == (190044871,)
    login, upload = person.ip_capture_events
    assert (login.ip_address, login.event_name, login.date_time, login.possible_proxy) == (
        "203.0.113.57", CaptureEvent.LOGIN, at("20:58:41"), None,
    )  # fmt: skip
    assert (upload.ip_address, upload.event_name, upload.date_time, upload.possible_proxy) == (
        "2001:db8:4a1::17", CaptureEvent.UPLOAD, at("21:13:55"), False,
    )  # fmt: skip
    (device,) = person.device_ids
    assert (device.id_type, device.id_value, device.event_name, device.date_time) == (
        "IMEI", "356938035643809", CaptureEvent.LOGIN, at("20:58:41"),
    )  # fmt: skip
    location = person.estimated_location
    assert (location.city, location.region, location.country_code, location.verified, location.timestamp) == (
        "Maidstone", "Kent", "GB", False, at("21:13:55"),
    )  # fmt: skip
    (account,) = person.associated_accounts
    assert (account.type, account.platform) == ("Email", "Examplemail")
    (email,) = account.emails
    assert (email.address, email.type) == ("lantern.quiet@othermail.example", "Home")


def test_it_reads_the_intended_recipient_as_their_own_person(package):
    (recipient,) = package.report.intended_recipients
    assert recipient.role is PersonRole.INTENDED_RECIPIENT
    assert recipient.details is None
    assert (recipient.esp_identifier, recipient.esp_service, recipient.screen_name) == (
        "84009911402", "Examplegram", "skater_girl_x",
    )  # fmt: skip
    assert recipient.estimated_location.country_code == "GB"
    assert recipient.estimated_location.verified is False and recipient.estimated_location.timestamp is None
    assert recipient.additional_info == ("Account holder states age 13.",)
    assert package.report.people == (package.report.reported_person, recipient)


def test_it_reads_each_file_details_document(package):
    first, second = package.files
    assert (first.file_id, first.file_name, first.original_file_name) == (
        "7d1e0c2a4b",
        "upload_0001.jpg",
        "IMG_2231.JPG",
    )
    assert first.uploaded_to_esp_timestamp == at("21:13:55")
    assert (first.file_viewed_by_esp, first.exif_viewed_by_esp, first.publicly_available) == (
        False,
        False,
        False,
    )
    assert first.file_relevance is FileRelevance.REPORTED
    assert first.annotations.possible_self_production is False and first.annotations.viral is None
    assert first.industry_classification is IndustryClassification.A1
    assert first.hash("md5") == "5f0c3b1e9a7d24c86e1b0f3a2d4c6e81"
    assert first.hash("SHA-1") == "0b6f1c9d2e3a4b5c6d7e8f9012a3b4c5d6e7f809"
    (upload,) = first.ip_capture_events
    assert (upload.ip_address, upload.event_name, upload.date_time) == (
        "2001:db8:4a1::17",
        CaptureEvent.UPLOAD,
        at("21:13:55"),
    )
    assert (second.file_id, second.file_name, second.original_file_name) == (
        "7d1e0c2a4c", "upload_0002.jpg", "received_88213.jpeg",
    )  # fmt: skip
    assert second.uploaded_to_esp_timestamp == at("21:14:02")
    assert (second.file_viewed_by_esp, second.exif_viewed_by_esp, second.publicly_available) == (
        True,
        None,
        False,
    )
    assert second.industry_classification is None and second.annotations is None
    assert [(h.hash_type, h.value) for h in second.hashes] == [("MD5", "a41b7c0d93e2f58a6b7c8d9e0f1a2b3c")]
    assert package.report_id is None  # the sample's fileDetails carry no reportId


def test_it_keeps_every_document_verbatim_with_its_sha256(package):
    for document, path in zip(package.documents, (REPORT, FILE_1, FILE_2), strict=True):
        content = path.read_bytes()
        assert document.name == path.name
        assert document.content == content
        assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert [d.root for d in package.documents] == ["report", "fileDetails", "fileDetails"]


def test_it_reads_the_same_package_from_a_zip_and_in_any_file_order(package):
    assert read_zip(sample_zip()) == package
    assert read_package(FILE_2, REPORT, FILE_1).report == package.report


def test_it_exposes_the_reported_persons_identifiers_normalised(package):
    found = {
        (i.kind, i.raw, i.normalised, i.platform, i.observed_at)
        for i in package.report.reported_person.identifiers()
    }
    assert found == {
        (IdentifierKind.EMAIL, "g.penningtonvale@mail.example", "g.penningtonvale@mail.example", "", None),
        (
            IdentifierKind.EMAIL,
            "Gareth.P.Vale+backup@mail.example",
            "gareth.p.vale+backup@mail.example",
            "",
            None,
        ),
        (IdentifierKind.PHONE, "07700 900461", "+447700900461", "", None),
        (IdentifierKind.USERNAME, "84002917731", "examplegram:#84002917731", "Examplegram", None),
        (IdentifierKind.USERNAME, "quietlantern_79", "examplegram:quietlantern_79", "Examplegram", None),
        (IdentifierKind.IP, "203.0.113.57", "203.0.113.57", "", at("20:58:41")),
        (IdentifierKind.IP, "2001:db8:4a1::17", "2001:db8:4a1::17", "", at("21:13:55")),
        (IdentifierKind.DEVICE, "356938035643809", "356938035643809", "", at("20:58:41")),
        (
            IdentifierKind.EMAIL,
            "lantern.quiet@othermail.example",
            "lantern.quiet@othermail.example",
            "",
            None,
        ),
    }
    sources = {i.raw: i.source for i in package.report.reported_person.identifiers()}
    assert sources["203.0.113.57"] == "/report/personOrUserReported/ipCaptureEvent"
    assert sources["2001:db8:4a1::17"] == "/report/personOrUserReported/ipCaptureEvent[2]"


def test_it_exposes_the_recipients_identifiers_on_the_reports_platform(package):
    (recipient,) = package.report.intended_recipients
    assert {i.normalised for i in recipient.identifiers()} == {
        "examplegram:#84009911402",
        "examplegram:skater_girl_x",
    }


@pytest.mark.skipif(not SHARED_SAMPLE_DIR.is_dir(), reason="shared/ is not beside this checkout")
def test_it_tests_the_sample_as_published_in_shared():
    for path in SAMPLE_PATHS:
        assert path.read_bytes() == (SHARED_SAMPLE_DIR / path.name).read_bytes()
