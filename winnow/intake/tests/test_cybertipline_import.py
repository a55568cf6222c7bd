"""The fictional sample CyberTipline package becomes one referral with every field where it belongs."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from winnow.audit.models import AuditEvent
from winnow.linkage.models import CyberTiplineReport, ReferralDocument, ReportedFile, ReportedPerson
from winnow.referrals.models import RawPackage, Referral

from .support import SAMPLE, SAMPLE_FILES, import_documents, sample_documents, sample_zip

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def test_it_puts_every_field_of_the_sample_where_it_belongs(handler: Any, units: dict[str, Any]) -> None:
    result = import_documents(sample_documents(), actor=handler, unit=units["north"], report_id=245551234, now=NOW)
    referral = result.referral
    assert result.created
    assert referral.source == "ncmec" and referral.source_reference == "245551234"
    assert referral.received_at == NOW  # when Winnow received it; the incident time is kept separately
    assert referral.immediate_danger is False  # no escalateToHighPriority in the sample
    assert "Child Pornography (possession, manufacture, and distribution)" in referral.summary
    assert "Platform: Examplegram." in referral.summary
    assert "CSAM solicitation" in referral.summary and "minor-to-minor interaction" in referral.summary
    assert "Files reported: 2 (industry classification A1)." in referral.summary

    report = referral.cybertipline
    assert report.incident_type.startswith("Child Pornography")
    assert report.incident_time == datetime(2026, 10, 3, 21, 14, 9, tzinfo=UTC)
    assert report.incident_time_description == "Time the files were detected on upload"
    assert report.platform == "Examplegram"
    assert report.annotations["csam_solicitation"] is True
    assert report.annotations["minor_to_minor_interaction"] is False
    assert report.annotations["sextortion"] is None  # not said is not "no"
    assert report.internet_details[0]["kind"] == "chatImIncident"
    assert report.internet_details[0]["chat_client"] == "Examplegram Direct"
    assert report.reporter["reporting_person"]["emails"][0]["address"] == "safety@examplegram.example"
    assert report.additional_info == "Account disabled after detection."

    reported, recipient = referral.subjects.order_by("id")
    assert (reported.role, reported.given_names, reported.family_name) == ("reported", "Gareth", "Pennington-Vale")
    assert reported.date_of_birth == date(1979, 4, 22)
    assert reported.addresses == ["14 Larkspur Close, Maidstone, ME99 1ZZ, GB"]
    idents = {(i.kind, i.normalised, i.observed_at) for i in reported.identifiers.all()}
    assert ("phone", "+447700900461", None) in idents
    assert ("email", "g.penningtonvale@mail.example", None) in idents
    assert ("email", "gareth.p.vale+backup@mail.example", None) in idents  # unknown provider: +tag kept
    assert ("email", "lantern.quiet@othermail.example", None) in idents  # associated account
    assert ("username", "examplegram:#84002917731", None) in idents
    assert ("username", "examplegram:quietlantern_79", None) in idents
    assert ("ip", "203.0.113.57", datetime(2026, 10, 3, 20, 58, 41, tzinfo=UTC)) in idents
    assert ("ip", "2001:db8:4a1::17", datetime(2026, 10, 3, 21, 13, 55, tzinfo=UTC)) in idents
    assert ("device", "356938035643809", datetime(2026, 10, 3, 20, 58, 41, tzinfo=UTC)) in idents
    # the upload IP of file 1 is the same sighting as the reported person's: recorded once
    assert reported.identifiers.filter(kind="ip", normalised="2001:db8:4a1::17").count() == 1

    details = reported.cybertipline.details
    assert reported.cybertipline.source == "/report/personOrUserReported"
    assert details["display_names"] == ["G P V"]
    assert details["profile_urls"] == ["https://examplegram.example/u/quietlantern_79"]
    assert details["prior_ct_reports"] == [190044871]
    assert details["estimated_location"]["city"] == "Maidstone"
    assert details["estimated_location"]["region"] == "Kent"
    assert details["esp_service"] == "Examplegram"
    events = {(i["normalised"], i["event"]) for i in details["identifiers"] if i["kind"] == "ip"}
    assert ("203.0.113.57", "Login") in events

    assert recipient.role == "intended_recipient" and recipient.display_name == "Unnamed subject"
    assert {i.normalised for i in recipient.identifiers.all()} == {
        "examplegram:#84009911402", "examplegram:skater_girl_x"}
    assert recipient.cybertipline.details["additional_info"] == ["Account holder states age 13."]

    first, second = ReportedFile.objects.filter(referral=referral).order_by("id")
    assert (first.file_id, first.file_name, first.original_file_name) == ("7d1e0c2a4b", "upload_0001.jpg", "IMG_2231.JPG")
    assert first.md5 == "5f0c3b1e9a7d24c86e1b0f3a2d4c6e81"
    assert first.sha1 == "0b6f1c9d2e3a4b5c6d7e8f9012a3b4c5d6e7f809"
    assert (first.viewed_by_esp, first.exif_viewed_by_esp, first.publicly_available) == (False, False, False)
    assert first.industry_classification == "A1" and first.file_relevance == "Reported"
    assert first.annotations["possible_self_production"] is False
    assert first.uploaded_to_esp_at == datetime(2026, 10, 3, 21, 13, 55, tzinfo=UTC)
    assert first.ip_capture_events[0]["ip_address"] == "2001:db8:4a1::17"
    assert (second.original_file_name, second.viewed_by_esp, second.industry_classification) == (
        "received_88213.jpeg", True, "")
    assert second.exif_viewed_by_esp is None
    assert second.hashes == [{"type": "MD5", "value": "a41b7c0d93e2f58a6b7c8d9e0f1a2b3c"}]


def test_it_keeps_every_document_verbatim(handler: Any, units: dict[str, Any]) -> None:
    referral = import_documents(sample_documents(), actor=handler, unit=units["north"]).referral
    documents = list(ReferralDocument.objects.filter(referral=referral).select_related("package"))
    assert [(d.role, d.name) for d in documents] == [
        ("report", "report-sample.xml"), ("file_details", "filedetails-1.xml"), ("file_details", "filedetails-2.xml")]
    for document in documents:
        original = (SAMPLE / document.name).read_bytes()
        assert bytes(document.package.content) == original
        assert document.package.sha256 == hashlib.sha256(original).hexdigest()
    assert referral.package == documents[0].package  # the report XML is the referral's package
    assert AuditEvent.objects.filter(action="cybertipline.import", target_id=str(referral.pk)).exists()


def test_it_imports_a_zip_keeping_the_zip_and_its_documents(handler: Any, units: dict[str, Any]) -> None:
    content = sample_zip()
    referral = import_documents([("tip.zip", content)], actor=handler, unit=units["north"]).referral
    assert bytes(referral.package.content) == content and referral.package.media_type == "application/zip"
    roles = list(ReferralDocument.objects.filter(referral=referral).values_list("role", flat=True))
    assert roles == ["zip", "report", "file_details", "file_details"]
    assert referral.reported_files.count() == 2


def test_it_is_idempotent_on_the_package_whatever_its_wrapping(handler: Any, units: dict[str, Any]) -> None:
    first = import_documents(sample_documents(), actor=handler, unit=units["north"])
    reordered = import_documents(list(reversed(sample_documents())), actor=handler, unit=units["north"])
    zipped = import_documents([("tip.zip", sample_zip())], actor=handler, unit=units["north"])
    assert not reordered.created and not zipped.created
    assert reordered.referral == zipped.referral == first.referral
    assert Referral.objects.count() == 1 and CyberTiplineReport.objects.count() == 1


def test_it_imports_the_same_package_separately_into_another_unit(handler: Any, outsider: Any, units: dict[str, Any]) -> None:
    import_documents(sample_documents(), actor=handler, unit=units["north"])
    other = import_documents(sample_documents(), actor=outsider, unit=units["east"])
    assert other.created and Referral.objects.count() == 2


def test_it_sets_immediate_danger_from_the_escalation(handler: Any, units: dict[str, Any]) -> None:
    report = (SAMPLE / "report-sample.xml").read_bytes().replace(
        b"<platform>Examplegram</platform>",
        b"<platform>Examplegram</platform><escalateToHighPriority>Child appears to be in the room now."
        b"</escalateToHighPriority>",
    )
    referral = import_documents([("report.xml", report)], actor=handler, unit=units["north"]).referral
    assert referral.immediate_danger is True
    assert referral.cybertipline.escalate_to_high_priority == "Child appears to be in the room now."
    assert "Escalated to high priority by the reporter: Child appears" in referral.summary


def test_it_imports_through_the_command(handler: Any, units: dict[str, Any], capsys: Any) -> None:
    paths = [str(SAMPLE / name) for name in SAMPLE_FILES]
    call_command("import-cybertip", *paths, "--unit", "north", "--user", "hannah.handler", "--report-id", "77",
                 "--immediate-danger", "no")
    assert "imported as referral NORTH-" in capsys.readouterr().out
    call_command("import-cybertip", *paths, "--unit", "north", "--user", "hannah.handler", "--report-id", "77",
                 "--immediate-danger", "no")
    assert "already imported" in capsys.readouterr().out
    assert Referral.objects.get().source_reference == "77"


def test_it_names_document_element_and_reason_in_the_command(handler: Any, units: dict[str, Any], tmp_path: Any) -> None:
    bad = tmp_path / "report.xml"
    bad.write_bytes((SAMPLE / "report-sample.xml").read_bytes().replace(b"1979-04-22", b"1979-13-45"))
    with pytest.raises(CommandError, match=r"report\.xml, element /report/personOrUserReported.*dateOfBirth"):
        call_command("import-cybertip", str(bad), "--unit", "north", "--user", "hannah.handler",
                     "--immediate-danger", "no")
    assert not Referral.objects.exists() and not RawPackage.objects.exists() and not ReportedPerson.objects.exists()


def test_it_refuses_a_user_outside_the_unit(outsider: Any) -> None:
    with pytest.raises(CommandError, match="does not record referrals"):
        call_command("import-cybertip", str(SAMPLE / "report-sample.xml"), "--unit", "north", "--user", "otto.outsider",
                     "--immediate-danger", "no")
