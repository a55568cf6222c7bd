"""Uploads through the API run on the task worker (issue 16): `POST /api/v1/referrals/cybertipline` stores the package
and answers 202 with its job; the worker imports it (run here as `winnow worker` runs it, on the test settings'
database task backend); `GET /api/v1/jobs/{id}` gives the state, then the result or the errors. Personas: the
uploader's unit (handler, supervisor), another unit, anonymous, a role that does not record referrals. Hostile
input is a 4xx, never a 500; every read of a job is audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.audit.services import audit_verify
from winnow.core.intake import fictional_referrals_csv
from winnow.referrals.models import RawPackage, Referral
from winnow.worker.models import Job
from winnow.worker.tests.support import run_jobs

SAMPLE = Path(__file__).resolve().parents[3] / "tests" / "core" / "cybertipline" / "sample"
API = "/api/v1/referrals/cybertipline"


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _package() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, (SAMPLE / name).read_bytes(), content_type="application/xml")
            for name in ("report-sample.xml", "filedetails-1.xml", "filedetails-2.xml")]


def _form(**extra: Any) -> dict[str, Any]:
    return {"unit": "north", "immediate_danger": "no", "files": _package(), **extra}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "request_id"} and body["error"]["status"] == status
    return dict(body["error"])


@pytest.fixture
def submitted(client: Client, handler: Any, token_for: Any) -> dict[str, Any]:
    """The handler's package, accepted and waiting for the worker."""
    response = client.post(API, _form(), **_bearer(token_for(handler)))
    assert response.status_code == 202, response.content
    return dict(response.json())


# ------------------------------------------------------------------------------------------ the job, end to end


def test_the_post_stores_the_package_and_answers_202_with_the_job(client: Client, handler: Any,
                                                                  token_for: Any) -> None:
    response = client.post(API, _form(report_id="123456789"), **_bearer(token_for(handler)))
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get()
    assert body == {"id": str(job.pk), "state": "waiting", "url": f"/api/v1/jobs/{job.pk}"}
    assert response["Location"] == body["url"]
    assert (job.kind, job.unit.code, job.created_by, job.params) == (
        "cybertipline", "north", handler, {"report_id": 123456789, "immediate_danger": False})
    assert [f["name"] for f in job.files] == ["report-sample.xml", "filedetails-1.xml", "filedetails-2.xml"]
    assert not Referral.objects.exists() and not RawPackage.objects.exists()  # nothing imported in the request


def test_the_job_waits_then_gives_the_import_as_the_old_answer_did(client: Client, handler: Any, token_for: Any,
                                                                   submitted: dict[str, Any]) -> None:
    token = token_for(handler)
    waiting = client.get(submitted["url"], **_bearer(token)).json()
    assert (waiting["state"], waiting["result"], waiting["errors"], waiting["progress"]) == ("waiting", None, [], None)
    assert waiting["kind"] == "cybertipline" and len(waiting["files"]) == 3

    assert run_jobs() == 1
    done = client.get(submitted["url"], **_bearer(token))
    assert done.status_code == 200
    body = done.json()
    referral = Referral.objects.get()
    assert (body["state"], body["attempts"], body["errors"]) == ("succeeded", 1, [])
    assert body["finished_at"] and body["message"] == f"CyberTipline package imported as referral {referral.reference}."
    result = body["result"]
    assert (result["id"], result["reference"], result["created"]) == (referral.pk, referral.reference, True)
    assert (result["people"], result["files"]) == (referral.subjects.count(), referral.reported_files.count())
    assert result["people"] >= 1 and result["files"] >= 1 and isinstance(result["links"], list)
    assert AuditEvent.objects.filter(action="cybertipline.import", actor=handler).count() == 1
    assert audit_verify().ok


def test_a_running_job_shows_its_progress(client: Client, handler: Any, token_for: Any,
                                         submitted: dict[str, Any]) -> None:
    Job.objects.filter(pk=submitted["id"]).update(state="running", progress_what="Reading the package", attempts=1)
    body = client.get(submitted["url"], **_bearer(token_for(handler))).json()
    assert body["state"] == "running" and body["progress"] == {"what": "Reading the package", "done": None,
                                                                "total": None}


def test_a_package_that_fails_gives_its_errors_and_imports_nothing(client: Client, handler: Any,
                                                                  token_for: Any) -> None:
    token = token_for(handler)
    bad = SimpleUploadedFile("report.xml", b"<report><incidentSummary>", content_type="application/xml")
    accepted = client.post(API, {"unit": "north", "immediate_danger": "yes", "files": [bad]}, **_bearer(token)).json()
    run_jobs()
    body = client.get(accepted["url"], **_bearer(token)).json()
    assert (body["state"], body["message"], body["result"]) == ("failed", "Nothing was imported.", None)
    (error,) = body["errors"]
    assert set(error) == {"field", "reason"} and error["field"].startswith("report.xml") and error["reason"]
    assert not Referral.objects.exists() and not RawPackage.objects.exists()


def test_a_referral_file_jobs_errors_name_the_row_and_field(client: Client, handler: Any, token_for: Any,
                                                            units: Any) -> None:
    web = Client()
    web.force_login(handler)
    web.post("/referrals/import/", {"unit": units["north"].pk,
                                    "file": SimpleUploadedFile("bad.csv", fictional_referrals_csv(5, bad_row=4))})
    run_jobs()
    job = Job.objects.get()
    body = client.get(f"/api/v1/jobs/{job.pk}", **_bearer(token_for(handler))).json()
    assert body["state"] == "failed" and body["kind"] == "referral_import"
    assert body["errors"][0]["field"] == "bad.csv row 5 received_at" and body["errors"][0]["reason"]


# ----------------------------------------------------------------------------------------------------- personas


def test_the_uploaders_unit_reads_the_job(client: Client, supervisor: Any, token_for: Any,
                                          submitted: dict[str, Any]) -> None:
    assert client.get(submitted["url"], **_bearer(token_for(supervisor))).status_code == 200


def test_another_unit_gets_404(client: Client, outsider: Any, token_for: Any, submitted: dict[str, Any]) -> None:
    _error(client.get(submitted["url"], **_bearer(token_for(outsider))), 404)
    assert not AuditEvent.objects.filter(actor=outsider, action="job.read").exists()


def test_anonymous_gets_401(client: Client, submitted: dict[str, Any]) -> None:
    _error(client.get(submitted["url"]), 401)
    _error(client.get(submitted["url"], **_bearer("not-a-token")), 401)


def test_a_role_that_does_not_record_referrals_gets_403(client: Client, investigator: Any, token_for: Any,
                                                       submitted: dict[str, Any]) -> None:
    error = _error(client.get(submitted["url"], **_bearer(token_for(investigator))), 403)
    assert error["details"] == [{"field": "capability", "reason": "needs record_referrals"}]
    assert not AuditEvent.objects.filter(actor=investigator, action="job.read").exists()


def test_another_unit_cannot_submit_and_anonymous_gets_401(client: Client, outsider: Any, investigator: Any,
                                                            token_for: Any, units: Any) -> None:
    error = _error(client.post(API, _form(), **_bearer(token_for(outsider))), 400)
    assert error["details"] == [{"field": "unit", "reason": "'north' is not a unit you belong to"}]
    _error(client.post(API, _form()), 401)
    _error(client.post(API, _form(), **_bearer(token_for(investigator))), 403)
    assert not Job.objects.exists()


def test_a_hash_set_job_is_read_by_importers_of_its_unit(client: Client, administrator: Any, handler: Any,
                                                         token_for: Any) -> None:
    web = Client()
    web.force_login(administrator)
    web.post("/triage/hash-sets/", {"name": "Fictional list", "known_files": "on",
                                    "file": SimpleUploadedFile("list.txt", b"0" * 31 + b"1\n")})
    run_jobs()
    job = Job.objects.get()
    body = client.get(f"/api/v1/jobs/{job.pk}", **_bearer(token_for(administrator))).json()
    assert (body["kind"], body["state"], body["result"]) == ("hash_set", "succeeded", None)
    assert body["message"].startswith("Imported 1 entries")
    _error(client.get(f"/api/v1/jobs/{job.pk}", **_bearer(token_for(handler))), 403)  # records, does not import


# ------------------------------------------------------------------------------------------------------- audit


def test_each_read_of_a_job_is_audited_in_its_unit(client: Client, handler: Any, token_for: Any,
                                                   submitted: dict[str, Any]) -> None:
    token = token_for(handler)
    client.get(submitted["url"], **_bearer(token))
    web = Client()
    web.force_login(handler)
    assert web.get(f"/jobs/{submitted['id']}/").status_code == 200
    reads = list(AuditEvent.objects.filter(action="job.read").order_by("id"))
    assert [(e.actor, e.target_type, e.target_id, e.unit.code) for e in reads] == [
        (handler, "job", submitted["id"], "north")] * 2
    assert [e.detail["via"] for e in reads] == ["api", "page"]
    assert audit_verify().ok


# ----------------------------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("job_id", ["not-a-uuid", "1", "00000000-0000-4000-8000-00000000000g", "%00", "' OR 1=1",
                                    "0" * 5000])
def test_a_malformed_job_id_is_a_400(client: Client, handler: Any, token_for: Any, job_id: str) -> None:
    _error(client.get(f"/api/v1/jobs/{job_id}", **_bearer(token_for(handler))), 400)


def test_an_unknown_job_is_a_404(client: Client, handler: Any, token_for: Any) -> None:
    _error(client.get(f"/api/v1/jobs/{uuid.uuid4()}", **_bearer(token_for(handler))), 404)


@pytest.mark.parametrize(("fields", "field"), [
    ({"unit": "no\x00rth"}, "unit"),
    ({"immediate_danger": "n\x00o"}, "immediate_danger"),
    ({"report_id": "12\x0034"}, "report_id"),
    ({"report_id": "9" * 10_000}, "report_id"),
    ({"report_id": "-1"}, "report_id"),
    ({"report_id": "١٢٣"}, "report_id"),  # Arabic-Indic digits: isdigit() but not a report number
    ({"immediate_danger": "maybe"}, "immediate_danger"),
    ({"unit": "x" * 100_000}, "unit"),
])
def test_hostile_fields_are_a_400_and_store_nothing(client: Client, handler: Any, token_for: Any,
                                                     fields: dict[str, str], field: str) -> None:
    error = _error(client.post(API, _form(**fields), **_bearer(token_for(handler))), 400)
    (detail,) = error["details"]
    assert detail["field"] == field or repr(field) in detail["reason"]  # a control character: the input guard's 400
    assert not Job.objects.exists()


def test_an_empty_file_is_a_400_and_stores_nothing(client: Client, handler: Any, token_for: Any) -> None:
    empty = SimpleUploadedFile("report.xml", b"", content_type="application/xml")
    error = _error(client.post(API, {"unit": "north", "immediate_danger": "no", "files": [empty]},
                               **_bearer(token_for(handler))), 400)
    assert error["details"] == [{"field": "report.xml", "reason": "the file is empty"}]
    assert not Job.objects.exists()


def test_no_files_is_a_400(client: Client, handler: Any, token_for: Any) -> None:
    error = _error(client.post(API, {"unit": "north", "immediate_danger": "no"}, **_bearer(token_for(handler))), 400)
    assert error["details"][0]["field"] == "files" and not Job.objects.exists()


def test_a_file_name_with_control_characters_is_stored_safely(client: Client, handler: Any, token_for: Any) -> None:
    """PostgreSQL cannot store NUL in JSON text: the name is stored without it, and the job still runs."""
    token = token_for(handler)
    files = _package()
    files[0].name = "report\x00-sample\x07.xml"
    response = client.post(API, {"unit": "north", "immediate_danger": "no", "files": files}, **_bearer(token))
    assert response.status_code == 202, response.content
    assert Job.objects.get().files[0]["name"] == "report-sample.xml"  # Django's multipart parser drops them
    run_jobs()
    assert client.get(response["Location"], **_bearer(token)).json()["state"] == "succeeded"
