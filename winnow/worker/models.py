"""Worker heartbeats: how the worker pool tells a task whose worker died from one still running.

django-tasks-db marks a claimed task RUNNING and leaves it so if its worker is killed (SIGKILL, out of memory, a
machine lost): nothing in it notices. Each `winnow worker` writes its heartbeat here every few seconds; a RUNNING
task whose worker's heartbeat is older than WINNOW_TASK_STALE_SECONDS is given back to the queue
(`winnow.worker.services.tasks_reclaim_stale`). A heartbeat is operational state, not a record: it is updated in
place and deleted when its worker stops.

A `Job` is an upload handed to the worker (a hash set, a referral file, a CyberTipline package): a record, kept.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.permanence import PermanentModel, UnitScopedQuerySet


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname or '?'} (pid {self.pid})"


class JobQuerySet(UnitScopedQuerySet):
    def visible_to(self, user: Any) -> Any:
        """The uploader's units' jobs; a job with no unit (a hash set imported by a superuser who belongs to none)
        only to its uploader."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(unit_id__in=user.unit_ids()) | models.Q(unit__isnull=True, created_by=user))


class Job(PermanentModel):
    """An upload whose import runs on the task worker (`winnow.worker.jobs`): what was uploaded (stored files with
    their SHA-256s and the form's fields), and how the import went. Kept forever; its state only moves forward
    (waiting -> running -> succeeded | failed); the transitions are conditional UPDATEs in `winnow.worker.jobs`."""

    class Kind(models.TextChoices):
        HASH_SET = "hash_set", "Hash set import"
        REFERRAL_IMPORT = "referral_import", "Referral file import"
        CYBERTIPLINE = "cybertipline", "CyberTipline package import"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    FINISHED: ClassVar[frozenset[str]] = frozenset({State.SUCCEEDED, State.FAILED})

    mutable_fields = frozenset({"state", "attempts", "started_at", "finished_at", "progress_done", "progress_total",
                                "progress_what", "outcome", "errors", "error_details"})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    #: [{"name", "storage_name" (under DATA_DIR), "sha256", "size"}], in upload order
    files = models.JSONField(default=list)
    #: the form's other fields, as the import takes them
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveBigIntegerField(null=True, blank=True)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress_what = models.CharField(max_length=200, blank=True)
    #: on success: {"message", "level" (success | info), "notes": [...], "links": [{"text", "url"}]}
    outcome = models.JSONField(default=dict)
    #: on failure: the same file/row/field messages the page showed when it imported inside the request
    errors = models.JSONField(default=list)
    #: on failure: the same problems as [{"field", "reason"}], the API's error details (field names the file, and the
    #: element or row where the import says where)
    error_details = models.JSONField(default=list)

    objects: ClassVar[models.Manager[Job]] = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("job", kwargs={"pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def filenames(self) -> str:
        return ", ".join(f["name"] for f in self.files)
