"""Uploads imported by the task worker, not inside the request: one job model, one task, one page.

A page that takes a big upload (a hash set, a referral file, a CyberTipline package) checks it cheaply in the
request (its size while it streams, winnow.uploads; the form's fields), then calls `job_create`: the files are
stored under DATA_DIR (content-addressed by SHA-256, so they survive a restart of web or worker), and the `Job` row
and its `job_run` task row are written in one transaction (the database task backend writes the task in the
caller's transaction, so a job never lacks its task and a task never names a rolled-back job). The user is sent to
the job's page, which refreshes itself while the job waits or runs.

`job_run` looks up the import for the job's kind in settings.WINNOW_JOB_RUNNERS (dotted paths: the imports live in
apps above this one) and calls it with the stored files, the uploader as the actor and a `Progress`. The import
keeps its own all-or-nothing transaction and its idempotency (the same file twice creates nothing, and says so).
An import refuses bad input by raising `JobRefused` with the messages the page showed when it imported in the
request; the job then fails with them and "nothing was imported". A worker that dies mid-import leaves nothing
(the import's transaction never committed); the task is reclaimed (winnow.worker.services.tasks_reclaim_stale) and
run again from the start, and when it has been given up `jobs_fail_lost` (a worker heartbeat hook) fails the job
clearly, so no job waits forever.

State only moves forward: waiting -> running -> succeeded | failed (a running job that is run again after its worker
died stays running, with its attempt counted). Each transition is a conditional UPDATE, so two runs cannot both
finish a job.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from winnow.context import acting
from winnow.uploads import spool, store_once

from .models import Job
from .retry import GiveUp, retrying_task

logger = logging.getLogger(__name__)

NOTHING_IMPORTED = "Nothing was imported."
TASK_PATH = "winnow.worker.jobs.job_run"


class JobRefused(Exception):
    """The upload cannot be imported: `errors` name the file, row or element and the reason; nothing was written.
    `details` are the same problems as {"field", "reason"} for the API (by default each error under "files")."""

    def __init__(self, errors: Iterable[str], details: Iterable[dict[str, str]] | None = None) -> None:
        self.errors = [str(e) for e in errors]
        self.details = list(details) if details is not None else details_of(self.errors)
        super().__init__("; ".join(self.errors))


def details_of(errors: Iterable[str]) -> list[dict[str, str]]:
    """Page messages as API error details: each under "files", without the closing "Nothing was imported"."""
    return [{"field": "files", "reason": e} for e in errors if not e.startswith("Nothing was imported")]


# ------------------------------------------------------------------------------------------------ in the request


def _uploads_dir() -> Path:
    d = Path(settings.DATA_DIR) / "uploads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def upload_store(chunks: Iterable[bytes], *, name: str) -> dict[str, Any]:
    """Write an upload under DATA_DIR/uploads/<sha256[:2]>/<sha256>, hashing as it streams; content-addressed, so
    the same bytes are stored once and never overwritten. Returns the job's record of the file."""
    # fsync: the bytes must outlive a crash of this machine, not only of the worker
    tmp, sha256, size = spool(chunks, directory=_uploads_dir(), fsync=True)
    storage_name = f"uploads/{sha256[:2]}/{sha256}"
    try:
        store_once(tmp, Path(settings.DATA_DIR) / storage_name)
    finally:
        tmp.unlink(missing_ok=True)
    return {"name": name[:255], "storage_name": storage_name, "sha256": sha256, "size": size}


def job_create(*, actor: Any, kind: str, unit_id: int | None, uploads: Iterable[Any], params: dict[str, Any]) -> Job:
    """Store the uploaded files, then record the job and enqueue its task in one transaction."""
    files = [upload_store(upload.chunks(), name=upload.name) for upload in uploads]
    with transaction.atomic():
        job = Job.objects.create(kind=kind, unit_id=unit_id, created_by=actor, files=files, params=params)
        if isinstance(job_run.get_backend(), DatabaseBackend):
            job_run.enqueue(job_id=str(job.pk))
        else:
            transaction.on_commit(lambda: job_run.enqueue(job_id=str(job.pk)), robust=True)
    return job


# ------------------------------------------------------------------------------------------------ on the worker


class Progress:
    """What the import reports as it goes: `progress("Checking the file", done, total)`. Written at once (outside
    the import's transaction, which nobody else sees until it commits), at most every `every` items."""

    def __init__(self, job: Job, *, every: int = 10_000) -> None:
        self.job = job
        self.every = every

    def __call__(self, what: str, done: int | None = None, total: int | None = None) -> None:
        Job.objects.filter(pk=self.job.pk, state=Job.State.RUNNING, attempts=self.job.attempts).update(
            progress_what=what[:200], progress_done=done, progress_total=total)


def stored_files(job: Job) -> list[tuple[str, Path]]:
    """The job's files, each checked against the SHA-256 taken when it was uploaded."""
    found = []
    for f in job.files:
        path = Path(settings.DATA_DIR) / f["storage_name"]
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            raise JobRefused([f"{f['name']}: the uploaded file is no longer in storage ({f['storage_name']}); "
                              "upload it again"]) from None
        if digest.hexdigest() != f["sha256"]:
            raise JobRefused([f"{f['name']}: the stored file no longer matches its SHA-256 taken at upload; "
                              "upload it again"])
        found.append((f["name"], path))
    return found


def _start(job: Job) -> bool:
    now = timezone.now()
    started = Job.objects.filter(pk=job.pk, state__in=[Job.State.WAITING, Job.State.RUNNING]).update(
        state=Job.State.RUNNING, attempts=job.attempts + 1, started_at=job.started_at or now,
        progress_done=None, progress_total=None, progress_what="Starting")
    if started:
        job.refresh_from_db()
    return bool(started)


def _finish(job: Job, *, state: str, outcome: dict[str, Any] | None = None, errors: list[str] | None = None) -> bool:
    return bool(Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
        state=state, finished_at=timezone.now(), outcome=outcome or {}, errors=errors or [], progress_what=""))


def job_fail(job: Job, errors: list[str], details: list[dict[str, str]] | None = None) -> bool:
    """Fail a waiting or running job with `errors` (and "Nothing was imported.") and their API `details`. False if
    it had finished."""
    if details is None:
        details = details_of(errors)
    if not any(e.startswith("Nothing was imported") for e in errors):
        errors = [*errors, NOTHING_IMPORTED]
    return bool(Job.objects.filter(pk=job.pk, state__in=[Job.State.WAITING, Job.State.RUNNING]).update(
        state=Job.State.FAILED, finished_at=timezone.now(), errors=errors, error_details=details,
        progress_what=""))


Runner = Callable[..., dict[str, Any]]


@retrying_task()
def job_run(*, job_id: str) -> dict[str, Any]:
    """Run one job's import. Idempotent: a finished job is left as it is; a job run again after its worker died
    starts again from the start (its import wrote nothing, or committed and is then found already imported)."""
    job = Job.objects.select_related("unit", "created_by").filter(pk=job_id).first()
    if job is None:
        raise GiveUp(f"job {job_id} does not exist")
    if job.finished or not _start(job):
        return {"job": job_id, "state": job.state, "ran": False}
    actor = get_user_model().objects.get(pk=job.created_by_id)
    runner: Runner = import_string(settings.WINNOW_JOB_RUNNERS[job.kind])
    progress = Progress(job)
    with acting(request_id=f"job-{job.pk}", actor=actor, via="task"):
        try:
            outcome = runner(job=job, files=stored_files(job), actor=actor, progress=progress)
        except JobRefused as exc:
            job_fail(job, exc.errors, exc.details)
            return {"job": job_id, "state": Job.State.FAILED, "ran": True}
        except Exception:
            if job.attempts >= settings.WINNOW_TASK_MAX_ATTEMPTS:
                job_fail(job, [f"{job.filenames}: the import stopped with an unexpected error on each of "
                               f"{job.attempts} attempts; an administrator can see why on the task page"])
            raise  # retried with backoff (winnow.worker.retry), from the start
    _finish(job, state=Job.State.SUCCEEDED, outcome=outcome)
    return {"job": job_id, "state": Job.State.SUCCEEDED, "ran": True}


def _tasks_of(job: Job) -> Any:
    return DBTaskResult.objects.filter(task_path=TASK_PATH, args_kwargs__kwargs__job_id=str(job.pk))


def jobs_fail_lost() -> list[str]:
    """Worker heartbeat hook: fail every unfinished job none of whose task rows can still run (each failed, or the
    reclaim gave it up after its workers died), so that the page says so instead of waiting forever."""
    failed = []
    for job in Job.objects.exclude(state__in=Job.FINISHED).select_related(None):
        rows = _tasks_of(job)
        if not rows.exists() or rows.exclude(status=TaskResultStatus.FAILED).exists():
            continue
        if job_fail(job, [f"{job.filenames}: the worker stopped while importing this upload, and it was not "
                          "tried again; upload it again, or ask an administrator (the task page says why)"]):
            logger.warning("job %s failed: no task of it can run", job.pk)
            failed.append(str(job.pk))
    return failed
