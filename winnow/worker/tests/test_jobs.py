"""Upload jobs (winnow.worker.jobs): the upload pages store the file and return at once; the worker imports it; the
job page shows waiting, running, succeeded or failed, to the uploader's unit only; a job is kept and only moves
forward; a worker that dies mid-import leaves nothing and the job still ends, done or clearly failed."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow.audit.models import AuditEvent
from winnow.audit.services import audit_verify
from winnow.core.intake import fictional_referrals_csv
from winnow.permanence import ImmutableError
from winnow.referrals.models import ImportBatch, RawPackage, Referral
from winnow.triage.models import HashSet
from winnow.worker.jobs import TASK_PATH, job_run, jobs_fail_lost
from winnow.worker.models import Job
from winnow.worker.services import tasks_reclaim_stale

from .support import job_page, run_jobs


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_import(client: Client, unit: Any, content: bytes, name: str = "batch.csv") -> Any:
    return client.post("/referrals/import/", {"unit": unit.pk, "file": SimpleUploadedFile(name, content)})


def test_the_job_goes_from_waiting_to_succeeded_through_the_worker(handler: Any, units: Any) -> None:
    client = _client(handler)
    content = fictional_referrals_csv(3)
    response = _post_import(client, units["north"], content)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.state, job.kind, job.unit, job.created_by) == ("waiting", "referral_import", units["north"], handler)
    stored = job.files[0]
    assert stored["sha256"] == hashlib.sha256(content).hexdigest() and stored["size"] == len(content)
    from django.conf import settings
    assert (Path(settings.DATA_DIR) / stored["storage_name"]).read_bytes() == content
    task = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert task.args_kwargs["kwargs"] == {"job_id": str(job.pk)} and task.status == TaskResultStatus.READY
    assert not Referral.objects.exists()  # nothing is imported inside the request

    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting" in waiting and "winnow/job.js" in waiting and "Refresh this page" in waiting

    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.state == "succeeded" and job.attempts == 1 and job.finished_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "batch.csv: 3 referrals imported." in page and 'href="/referrals/"' in page
    assert "winnow/job.js" not in page  # a finished page stops updating itself
    assert Referral.objects.count() == 3
    # the audit events are the import's, as before, with the uploader as the actor
    events = AuditEvent.objects.filter(action__in=["import.create", "referral.create"])
    assert events.count() == 4 and set(events.values_list("actor", flat=True)) == {handler.pk}
    assert audit_verify().ok
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == TaskResultStatus.SUCCESSFUL


def test_a_failing_file_shows_its_errors_on_the_job_page_and_writes_nothing(handler: Any, units: Any) -> None:
    client = _client(handler)
    writes = AuditEvent.objects.exclude(action="job.read")  # reading the job page is audited, and writes nothing
    before = writes.count()
    page = job_page(client, _post_import(client, units["north"], fictional_referrals_csv(5, bad_row=4), name="bad.csv"))
    body = page.content.decode()
    job = Job.objects.get()
    assert job.state == "failed"
    assert "There is a problem" in body and "bad.csv: row 5" in body and "received_at" in body
    assert "Nothing was imported" in body and "Upload a corrected file" in body
    assert (Referral.objects.count(), RawPackage.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)
    assert writes.count() == before
    assert AuditEvent.objects.filter(action="job.read", target_id=str(job.pk)).count() == 1
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == TaskResultStatus.SUCCESSFUL  # not retried


def test_a_4000_row_import_no_longer_runs_in_the_request(handler: Any, units: Any) -> None:
    client = _client(handler)
    content = fictional_referrals_csv(4000)
    start = time.perf_counter()
    response = _post_import(client, units["north"], content, name="big.csv")
    in_request = time.perf_counter() - start
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert not Referral.objects.exists() and Job.objects.get().state == "waiting"  # the request returned first
    assert in_request < 5, in_request
    start = time.perf_counter()
    run_jobs()
    on_worker = time.perf_counter() - start
    print(f"\n4,000-referral CSV ({len(content):,} bytes): request {in_request:.2f} s, worker {on_worker:.1f} s")
    assert Job.objects.get().state == "succeeded"
    assert Referral.objects.count() == 4000
    assert "big.csv: 4000 referrals imported." in client.get(response["Location"]).content.decode()


def test_the_same_file_twice_creates_nothing_new_and_says_so(handler: Any, units: Any) -> None:
    client = _client(handler)
    content = fictional_referrals_csv(2)
    job_page(client, _post_import(client, units["north"], content))
    writes = AuditEvent.objects.exclude(action__endswith=".list").exclude(action="job.read").count()
    again = job_page(client, _post_import(client, units["north"], content, name="copy.csv")).content.decode()
    assert "copy.csv was already imported" in again and "Nothing new was created" in again
    assert (Referral.objects.count(), ImportBatch.objects.count(), RawPackage.objects.count()) == (2, 1, 1)
    assert AuditEvent.objects.exclude(action__endswith=".list").exclude(action="job.read").count() == writes
    assert list(Job.objects.values_list("state", flat=True)) == ["succeeded", "succeeded"]


# --------------------------------------------------------------------------------------------------- personas


@pytest.fixture
def referral_job(handler: Any, units: Any) -> Job:
    _post_import(_client(handler), units["north"], fictional_referrals_csv(1))
    return Job.objects.get()


def test_the_uploaders_unit_sees_the_job(referral_job: Job, supervisor: Any) -> None:
    assert _client(supervisor).get(referral_job.get_absolute_url()).status_code == 200  # same unit, records too


def test_another_unit_gets_nothing(referral_job: Job, outsider: Any) -> None:
    assert _client(outsider).get(referral_job.get_absolute_url()).status_code == 404


def test_anonymous_is_sent_to_sign_in(referral_job: Job) -> None:
    response = Client().get(referral_job.get_absolute_url())
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_role_that_does_not_record_referrals_is_refused(referral_job: Job, investigator: Any) -> None:
    assert _client(investigator).get(referral_job.get_absolute_url()).status_code == 403


def test_an_unknown_job_is_not_found(handler: Any) -> None:
    assert _client(handler).get("/jobs/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_the_upload_page_lists_the_uploaders_own_recent_uploads(referral_job: Job, handler: Any,
                                                                  supervisor: Any) -> None:
    """Someone who left a job's page finds it again on the page they uploaded from; nobody sees another's list."""
    page = _client(handler).get("/referrals/import/").content.decode()
    assert "Your recent uploads" in page and referral_job.get_absolute_url() in page and "batch.csv" in page
    assert "Your recent uploads" not in _client(supervisor).get("/referrals/import/").content.decode()
    run_jobs()
    assert "Succeeded" in _client(handler).get("/referrals/import/").content.decode()


def _hash_upload(name: str = "list.txt", lines: int = 3) -> dict[str, Any]:
    body = "".join(f"{hashlib.md5(str(i).encode(), usedforsecurity=False).hexdigest()}\n" for i in range(lines)).encode()
    return {"name": "Fictional known files", "known_files": "on", "file": SimpleUploadedFile(name, body)}


def test_a_hash_set_job_is_for_importers_in_the_uploaders_unit(administrator: Any, forensic: Any,
                                                                make_person: Any) -> None:
    client = _client(administrator)
    page = job_page(client, client.post("/triage/hash-sets/", _hash_upload()))
    assert "Imported 3 entries as “Fictional known files”." in page.content.decode()
    job = Job.objects.get()
    assert job.unit.code == "north" and HashSet.objects.get().imported_by == administrator
    assert job.get_absolute_url() in client.get("/triage/hash-sets/").content.decode()  # its recent uploads
    assert _client(forensic).get(job.get_absolute_url()).status_code == 403  # reads hash sets, does not import
    assert _client(make_person("erin.admin", "east", "administrator")).get(job.get_absolute_url()).status_code == 404
    assert Client().get(job.get_absolute_url()).status_code == 302


def test_a_superuser_without_a_unit_sees_their_own_hash_set_job_only(units: Any) -> None:
    from winnow.accounts.models import User

    root = User.objects.create_superuser("root", password="correct-horse-battery-staple")
    other = User.objects.create_superuser("root2", password="correct-horse-battery-staple")
    client = _client(root)
    job_page(client, client.post("/triage/hash-sets/", _hash_upload()))
    job = Job.objects.get()
    assert job.unit is None and client.get(job.get_absolute_url()).status_code == 200
    assert _client(other).get(job.get_absolute_url()).status_code == 404


# ------------------------------------------------------------------------------------ progress, permanence, loss


def test_a_hash_set_reports_progress_while_it_is_checked(administrator: Any, monkeypatch: Any) -> None:
    from winnow.triage import services
    from winnow.worker import jobs

    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen: list[tuple[str, int | None, str]] = []
    real = jobs.Progress.__call__

    def spy(self: Any, what: str, done: int | None = None, total: int | None = None) -> None:
        real(self, what, done, total)
        job = Job.objects.get(pk=self.job.pk)
        seen.append((job.progress_what, job.progress_done, job.state))

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    client = _client(administrator)
    job_page(client, client.post("/triage/hash-sets/", _hash_upload(lines=5)))
    assert seen[:2] == [("Checking the file: entries read", 2, "running"),
                        ("Checking the file: entries read", 4, "running")]
    assert seen[-1] == ("Checked 5 entries; writing them (all or nothing)", None, "running")
    job = Job.objects.get()
    assert job.state == "succeeded" and job.progress_what == ""


def test_a_running_job_shows_its_progress(handler: Any, referral_job: Job) -> None:
    Job.objects.filter(pk=referral_job.pk).update(state="running", progress_what="Checking the file: entries read",
                                                  progress_done=350000)
    page = _client(handler).get(referral_job.get_absolute_url()).content.decode()
    assert "Running" in page and "Checking the file: entries read: 350000" in page and "winnow/job.js" in page


def test_the_pages_poll_answers_state_and_progress_alone_unaudited(handler: Any, referral_job: Job,
                                                                  outsider: Any, investigator: Any) -> None:
    """The script polls ?status every two seconds: the state and count only (no file names), no read event each
    time, the same visibility as the page; the page itself, reloaded once the job ends, is audited."""
    Job.objects.filter(pk=referral_job.pk).update(state="running", progress_what="Recording referrals")
    client, url = _client(handler), referral_job.get_absolute_url()
    page = client.get(url).content.decode()
    assert f'data-job-poll="{url}?status"' in page
    reads = AuditEvent.objects.filter(action="job.read", target_id=str(referral_job.pk))
    before = reads.count()
    poll = client.get(f"{url}?status").content.decode()
    assert 'id="job-status"' in poll and "Recording referrals" in poll and "data-job-poll" in poll
    assert "<html" not in poll and referral_job.files[0]["name"] not in poll and "SHA-256" not in poll
    assert reads.count() == before
    assert _client(outsider).get(f"{url}?status").status_code == 404
    assert _client(investigator).get(f"{url}?status").status_code == 403
    assert Client().get(f"{url}?status").status_code == 302
    Job.objects.filter(pk=referral_job.pk).update(state="succeeded")
    assert "data-job-poll" not in client.get(f"{url}?status").content.decode()  # finished: the script reloads


def test_a_job_is_kept_and_only_moves_forward(handler: Any, referral_job: Job) -> None:
    run_jobs()
    job = Job.objects.get()
    with pytest.raises(ImmutableError):
        job.delete()
    with pytest.raises(ImmutableError):
        Job.objects.filter(pk=job.pk).update(kind="hash_set")
    job_run.enqueue(job_id=str(job.pk))  # a task run twice does nothing the second time
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 1) and Referral.objects.count() == 1


def test_a_changed_stored_file_fails_the_job_clearly(handler: Any, referral_job: Job) -> None:
    from django.conf import settings

    stored = Path(settings.DATA_DIR) / referral_job.files[0]["storage_name"]
    stored.chmod(0o640)
    stored.write_bytes(b"changed\n")
    run_jobs()
    job = Job.objects.get()
    assert job.state == "failed" and "no longer matches its SHA-256" in job.errors[0]
    assert job.errors[-1] == "Nothing was imported." and not Referral.objects.exists()


def test_a_missing_stored_file_fails_the_job_clearly(handler: Any, referral_job: Job) -> None:
    from django.conf import settings

    (Path(settings.DATA_DIR) / referral_job.files[0]["storage_name"]).unlink()
    run_jobs()
    assert "no longer in storage" in Job.objects.get().errors[0]


def test_a_worker_that_dies_mid_import_leaves_nothing_and_the_job_then_completes(
    handler: Any, units: Any, monkeypatch: Any
) -> None:
    """The worker is killed halfway through the import's transaction: nothing of it commits, the task is
    reclaimed, and the next worker imports the file from the start."""
    from winnow.intake import services

    _post_import(_client(handler), units["north"], fictional_referrals_csv(20))
    job = Job.objects.get()
    row = DBTaskResult.objects.get(task_path=TASK_PATH)
    real = services._record_one
    recorded = []

    def die_after_ten(**kwargs: Any) -> Any:
        if len(recorded) == 10:
            raise SystemExit("worker killed")  # not an Exception: no retry is enqueued, as with SIGKILL
        recorded.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services, "_record_one", die_after_ten)
    row.claim("doomed")  # what a worker does, then it runs the task's function and is killed inside it
    with pytest.raises(SystemExit):
        job_run.func(SimpleNamespace(task_result=row), job_id=str(job.pk))
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING  # as a killed worker leaves it
    assert Job.objects.get().state == "running"
    assert (Referral.objects.count(), RawPackage.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)
    assert "Running" in _client(handler).get(job.get_absolute_url()).content.decode()

    monkeypatch.setattr(services, "_record_one", real)
    from django.utils import timezone

    assert tasks_reclaim_stale(now=timezone.now() + timezone.timedelta(seconds=120)) == [str(row.pk)]
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 2)
    assert Referral.objects.count() == 20
    assert "attempt 2" in _client(handler).get(job.get_absolute_url()).content.decode()


def test_a_job_whose_task_was_given_up_fails_clearly(handler: Any, referral_job: Job) -> None:
    """The reclaim gives up a task whose workers kept dying; the heartbeat hook then fails its job."""
    assert jobs_fail_lost() == []  # its task can still run
    DBTaskResult.objects.filter(task_path=TASK_PATH).update(status=TaskResultStatus.FAILED)
    assert jobs_fail_lost() == [str(referral_job.pk)]
    page = _client(handler).get(referral_job.get_absolute_url()).content.decode()
    assert "the worker stopped while importing this upload" in page and "Nothing was imported." in page
    assert not Referral.objects.exists()


def test_an_import_that_keeps_failing_fails_the_job_on_its_last_attempt(handler: Any, referral_job: Job,
                                                                        monkeypatch: Any, settings: Any) -> None:
    from winnow.intake import services

    settings.WINNOW_TASK_MAX_ATTEMPTS = 2
    settings.WINNOW_TASK_RETRY_SECONDS = 1

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_record_one", broken)
    run_jobs()  # attempt 1 fails; attempt 2 waits a second
    assert Job.objects.get().state == "running"
    from django.utils import timezone

    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_jobs()
    job = Job.objects.get()
    assert job.state == "failed" and "unexpected error on each of 2 attempts" in job.errors[0]
    assert not Referral.objects.exists()
