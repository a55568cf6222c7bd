"""NCMEC report handling: informational reports are marked and closed with a reason (kept, never deleted); reports
about the same viral file are grouped and worked once; personas on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.intake import ncmec
from winnow.referrals.models import Disposition, IllegalTransition, Referral, Status, StatusChange

from .support import SAMPLE

MD5 = "5f0c3b1e9a7d24c86e1b0f3a2d4c6e81"


def _import(handler: Any, unit: Any, n: int, *, informational: bool = False, viral: bool = False) -> Referral:
    from .support import import_documents

    report = (SAMPLE / "report-sample.xml").read_text().replace(
        "Conversation withheld from sample.", f"Conversation withheld from sample {n}.")
    if informational:
        report = report.replace("<csamSolicitation>true</csamSolicitation>",
                                "<csamSolicitation>true</csamSolicitation><informational/>")
    details = (SAMPLE / "filedetails-1.xml").read_text()
    if viral:
        details = details.replace("<fileAnnotations>", "<fileAnnotations>\n    <viral/>")
    return import_documents([("report-sample.xml", report.encode()), ("filedetails-1.xml", details.encode())],
                            actor=handler, unit=unit).referral


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_marks_an_informational_report_and_closes_it_with_a_reason(handler: Any, investigator: Any,
                                                                        units: Any) -> None:
    info = _import(handler, units["north"], 1, informational=True)
    plain = _import(handler, units["north"], 2)
    assert info.informational and not plain.informational
    page = _client(investigator).get("/referrals/cybertipline/reports/").content.decode()
    assert info.reference in page and "Informational" in page and plain.reference not in page.split("same file")[0]
    response = _client(investigator).post(f"/referrals/cybertipline/reports/{info.pk}/close/",
                                          {"reason": "Informational: an account report with no imagery."})
    assert response.status_code == 302
    info.refresh_from_db()
    assert (info.status, info.disposition) == (Status.CLOSED, Disposition.INFORMATIONAL)
    assert StatusChange.objects.filter(referral=info, disposition="informational").exists()
    assert Referral.objects.filter(pk=info.pk).exists()  # kept
    with pytest.raises(IllegalTransition, match="not a CyberTipline report marked informational"):
        ncmec.informational_close(actor=investigator, referral=plain, reason="Trying.")
    assert info.reference not in _client(investigator).get("/referrals/cybertipline/reports/").content.decode()


def test_it_refuses_closing_without_a_reason(handler: Any, investigator: Any, units: Any) -> None:
    info = _import(handler, units["north"], 1, informational=True)
    _client(investigator).post(f"/referrals/cybertipline/reports/{info.pk}/close/", {"reason": " "})
    info.refresh_from_db()
    assert info.status != Status.CLOSED


def test_it_groups_reports_about_one_viral_file_and_works_them_once(handler: Any, supervisor: Any,
                                                                     units: Any) -> None:
    reports = [_import(handler, units["north"], n, viral=(n == 1)) for n in range(1, 4)]
    groups = ncmec.viral_groups({units["north"].pk})
    assert len(groups) == 1
    group = groups[0]
    assert group.digest == MD5 and group.viral and [r.pk for r in group.referrals] == [r.pk for r in reports]
    client = _client(supervisor)
    listing = client.get("/referrals/cybertipline/reports/").content.decode()
    assert MD5 in listing and "Viral" in listing and "To work" in listing
    url = f"/referrals/cybertipline/groups/{units['north'].pk}/{MD5}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"lead": reports[0].pk, "reason": "One viral meme; worked once."})
    assert response.status_code == 302
    closed = Referral.objects.filter(pk__in=[r.pk for r in reports[1:]])
    assert {(r.status, r.disposition) for r in closed} == {(Status.CLOSED, Disposition.DUPLICATE)}
    assert all(reports[0].reference in r.closure_reason and MD5 in r.closure_reason for r in closed)
    assert Referral.objects.get(pk=reports[0].pk).status != Status.CLOSED
    assert AuditEvent.objects.filter(action="viralgroup.work").count() == 1
    assert "Worked" in client.get("/referrals/cybertipline/reports/").content.decode()
    assert client.post(url, {"lead": reports[0].pk, "reason": "Again."}).status_code == 302  # nothing left to work
    assert Referral.objects.filter(status=Status.CLOSED).count() == 2


def test_it_refuses_a_group_form_without_a_reason(handler: Any, supervisor: Any, units: Any) -> None:
    reports = [_import(handler, units["north"], n) for n in range(1, 3)]
    url = f"/referrals/cybertipline/groups/{units['north'].pk}/{MD5}/"
    response = _client(supervisor).post(url, {"lead": reports[0].pk, "reason": ""})
    assert response.status_code == 400
    assert not Referral.objects.filter(status=Status.CLOSED).exists()


def test_personas_on_the_ncmec_pages(handler: Any, outsider_supervisor: Any, analyst: Any, units: Any) -> None:
    info = _import(handler, units["north"], 1, informational=True)
    _import(handler, units["north"], 2)
    url = f"/referrals/cybertipline/groups/{units['north'].pk}/{MD5}/"
    other = _client(outsider_supervisor)
    assert other.get(url).status_code == 404
    assert other.post(url, {"lead": info.pk, "reason": "x"}).status_code == 404
    assert other.post(f"/referrals/cybertipline/reports/{info.pk}/close/", {"reason": "x"}).status_code == 404
    assert info.reference not in other.get("/referrals/cybertipline/reports/").content.decode()
    wrong = _client(analyst)  # reads the unit's reports, closes nothing
    assert wrong.get(url).status_code == 200
    assert wrong.post(url, {"lead": info.pk, "reason": "x"}).status_code == 403
    assert wrong.post(f"/referrals/cybertipline/reports/{info.pk}/close/", {"reason": "x"}).status_code == 403
    anonymous = Client()
    for target in ("/referrals/cybertipline/reports/", url):
        assert anonymous.get(target).status_code == 302
    assert not Referral.objects.filter(status=Status.CLOSED).exists()


def test_the_referral_page_marks_informational_reports_and_viral_files(handler: Any, units: Any) -> None:
    info = _import(handler, units["north"], 1, informational=True, viral=True)
    page = _client(handler).get(info.get_absolute_url()).content.decode()
    assert "Informational</strong>" in page and "Viral</strong>" in page
    plain = _import(handler, units["north"], 2)
    page = _client(handler).get(plain.get_absolute_url()).content.decode()
    assert "Informational</strong>" not in page and "Viral</strong>" not in page
