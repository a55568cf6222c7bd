"""Reports shaped as NCMEC's documentation and public clients write them (tests/corpus/cybertipline) import through
the command, the page and the API (both through a job on the task worker) with the same rules: presence flags,
warnings for unknown constructs, the links the new referral makes. Personas: the right unit's handler, an outsider,
an investigator, anonymous."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from winnow.audit.models import AuditEvent
from winnow.linkage.models import CyberTiplineReport
from winnow.referrals.models import RawPackage, Referral
from winnow.worker.models import Job
from winnow.worker.tests.support import job_page, run_jobs

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "corpus" / "cybertipline"
FLAGS = [CORPUS / "presence-flags" / "report.xml", CORPUS / "presence-flags" / "fileDetails.xml"]
UNKNOWN = CORPUS / "unknown-constructs" / "report.xml"
API = "/api/v1/referrals/cybertipline"

# a report whose reported person shares the conftest referral's e-mail address: it must say it links there
LINKING = b"""<?xml version="1.0" encoding="UTF-8"?>
<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType>
<incidentDateTime>2026-11-15T08:00:00Z</incidentDateTime><reportAnnotations><spam/></reportAnnotations>
</incidentSummary><personOrUserReported><personOrUserReportedPerson><firstName>Tess</firstName>
<email>testy.mcfictional@example.com</email></personOrUserReportedPerson></personOrUserReported></report>"""


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _uploads(*paths: Path) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="application/xml") for p in paths]


def test_it_imports_presence_flags_through_the_command(handler: Any, units: Any, capsys: Any) -> None:
    call_command("import-cybertip", *map(str, FLAGS), "--unit", "north", "--user", "hannah.handler",
                 "--immediate-danger", "no")
    out = capsys.readouterr().out
    assert "imported as referral NORTH-" in out and "(3 people, 1 files)" in out
    assert "links to no known person or referral" in out and "warning" not in out
    report = CyberTiplineReport.objects.get()
    assert report.annotations["sextortion"] is True and report.annotations["informational"] is True
    assert report.warnings == []
    referral = report.referral
    assert referral.immediate_danger
    assert "Reporter's annotations: sextortion, CSAM solicitation, informational only." in referral.summary


def test_the_command_lists_each_unknown_construct_and_keeps_it_on_the_referral(
    handler: Any, units: Any, capsys: Any
) -> None:
    call_command("import-cybertip", str(UNKNOWN), "--unit", "north", "--user", "hannah.handler",
                 "--immediate-danger", "no")
    out = capsys.readouterr().out
    assert "2 construct(s) not read" in out
    assert "warning: report.xml: /report/incidentSummary/futureSummaryField: unknown element" in out
    assert "warning: report.xml: /report/personOrUserReported/screenName/@confidence: unknown attribute" in out
    report = CyberTiplineReport.objects.get()
    assert len(report.warnings) == 2
    assert RawPackage.objects.get().content == UNKNOWN.read_bytes()  # verbatim, unknown element included


def test_the_command_says_which_known_people_and_referrals_it_links_to(
    referral: Any, handler: Any, capsys: Any, tmp_path: Path
) -> None:
    path = tmp_path / "linking.xml"
    path.write_bytes(LINKING)
    call_command("import-cybertip", str(path), "--unit", "north", "--user", "hannah.handler",
                 "--immediate-danger", "no")
    out = capsys.readouterr().out
    assert "links to what the unit already holds (1):" in out
    assert f"Tess links to Testy McFictional in referral {referral.reference}" in out


def test_the_page_shows_the_warnings_on_the_referral(client: Any, handler: Any, units: Any) -> None:
    client.force_login(handler)
    job = job_page(client, client.post("/referrals/cybertipline/", {"unit": units["north"].pk,
                                                                    "files": _uploads(UNKNOWN),
                                                                    "immediate_danger": "no"}))
    assert "2 element(s) or attribute(s) of the package were not read" in job.content.decode()  # the job's note
    response = client.get(Referral.objects.get().get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "/report/incidentSummary/futureSummaryField: unknown element &lt;futureSummaryField&gt;" in text
    assert "What was not read" in text


def _imported(client: Any, token: str, data: dict[str, Any]) -> dict[str, Any]:
    """POST the package (202, stored, nothing imported yet), run the job as the worker does, read the job."""
    response = client.post(API, data, **_bearer(token))
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["state"] == "waiting" and response["Location"] == accepted["url"] == f"/api/v1/jobs/{accepted['id']}"
    assert run_jobs() == 1
    job = client.get(accepted["url"], **_bearer(token))
    assert job.status_code == 200, job.content
    return dict(job.json())


def test_the_api_imports_a_package_with_the_same_rules(client: Any, handler: Any, token_for: Any) -> None:
    token = token_for(handler)
    job = _imported(client, token, {"unit": "north", "immediate_danger": "no", "files": _uploads(*FLAGS)})
    assert (job["state"], job["errors"]) == ("succeeded", [])
    body = job["result"]
    assert (body["people"], body["files"], body["created"], body["warnings"]) == (3, 1, True, [])
    assert body["reference"] == Referral.objects.get().reference and body["id"] == Referral.objects.get().pk
    again = _imported(client, token, {"unit": "north", "immediate_danger": "no", "files": _uploads(*FLAGS)})
    assert again["state"] == "succeeded" and again["result"]["created"] is False
    assert again["result"]["reference"] == body["reference"] and "already imported" in again["message"]
    assert Referral.objects.count() == 1
    assert AuditEvent.objects.filter(action="cybertipline.import").count() == 1


def test_the_api_returns_warnings_and_links(client: Any, referral: Any, handler: Any, token_for: Any) -> None:
    token = token_for(handler)
    upload = SimpleUploadedFile("linking.xml", LINKING, content_type="application/xml")
    body = _imported(client, token, {"unit": "north", "immediate_danger": "no", "files": [upload]})["result"]
    assert body["links"] and referral.reference in body["links"][0]
    body = _imported(client, token, {"unit": "north", "immediate_danger": "no", "files": _uploads(UNKNOWN)})["result"]
    assert len(body["warnings"]) == 2


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "request_id"} and body["error"]["status"] == status
    return body["error"]


def test_the_api_job_names_document_element_and_reason_of_a_malformed_package(
    client: Any, handler: Any, token_for: Any
) -> None:
    bad = FLAGS[0].read_bytes().replace(b"2026-11-14T19:02:11Z", b"14/11/2026")
    upload = SimpleUploadedFile("report.xml", bad, content_type="application/xml")
    job = _imported(client, token_for(handler), {"unit": "north", "immediate_danger": "no", "files": [upload]})
    assert (job["state"], job["result"], job["message"]) == ("failed", None, "Nothing was imported.")
    (detail,) = job["errors"]
    assert detail["field"] == "report.xml /report/incidentSummary/incidentDateTime"
    assert "not a dateTime" in detail["reason"]
    assert not Referral.objects.exists() and not RawPackage.objects.exists()


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><report>&a;</report>',
    b"<report><incidentSummary>",
    b"PK\x03\x04 not really a zip",
    b"\x00\x01\x02 binary",
])
def test_the_api_job_refuses_hostile_and_broken_documents(
    client: Any, handler: Any, token_for: Any, payload: bytes
) -> None:
    upload = SimpleUploadedFile("report.xml", payload, content_type="application/xml")
    job = _imported(client, token_for(handler), {"unit": "north", "immediate_danger": "no", "files": [upload]})
    assert job["state"] == "failed" and job["errors"][0]["field"].startswith("report.xml")
    assert not Referral.objects.exists()


def test_the_api_refuses_a_unit_the_caller_is_not_in(client: Any, outsider: Any, token_for: Any) -> None:
    error = _error(client.post(API, {"unit": "north", "immediate_danger": "no", "files": _uploads(*FLAGS)}, **_bearer(token_for(outsider))), 400)
    assert error["details"] == [{"field": "unit", "reason": "'north' is not a unit you belong to"}]
    assert not Referral.objects.exists() and not Job.objects.exists()


def test_the_api_refuses_a_role_that_does_not_record(client: Any, investigator: Any, token_for: Any) -> None:
    response = client.post(API, {"unit": "north", "immediate_danger": "no", "files": _uploads(*FLAGS)}, **_bearer(token_for(investigator)))
    assert response.status_code == 403 and not Referral.objects.exists() and not Job.objects.exists()


def test_the_api_refuses_anonymous_callers(client: Any, units: Any) -> None:
    _error(client.post(API, {"unit": "north", "immediate_danger": "no", "files": _uploads(*FLAGS)}), 401)
    assert not Referral.objects.exists()


def test_the_api_refuses_no_files_and_a_bad_report_id(client: Any, handler: Any, token_for: Any) -> None:
    error = _error(client.post(API, {"unit": "north", "immediate_danger": "no"}, **_bearer(token_for(handler))), 400)
    assert error["details"][0]["field"] == "files"
    error = _error(client.post(API, {"unit": "north", "immediate_danger": "no", "report_id": "12ab", "files": _uploads(*FLAGS)},
                               **_bearer(token_for(handler))), 400)
    assert error["details"][0]["field"] == "report_id"
    error = _error(client.post(API, {"unit": "north", "files": _uploads(*FLAGS)}, **_bearer(token_for(handler))), 400)
    assert error["details"][0]["field"] == "immediate_danger" and not Referral.objects.exists()
    assert not Job.objects.exists()  # refused before anything was stored
