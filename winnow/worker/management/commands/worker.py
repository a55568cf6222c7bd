"""`winnow worker`: run enqueued tasks (django-tasks-db's worker, plus a heartbeat and the reclaim of tasks whose
worker died). Run as many as you like, on as many machines, against one PostgreSQL database.

Ctrl-C or SIGTERM: a worker between tasks stops at once; one running a task finishes it first (a second Ctrl-C
stops it at once, and the task goes back to the queue once its heartbeat is stale).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from winnow.startup import refuse_unsafe_start
from winnow.worker.services import heartbeat_beat, heartbeat_stop, tasks_reclaim_stale

logger = logging.getLogger("winnow.worker")


class HeartbeatWorker(Worker):
    """django-tasks-db's worker loop, with a thread that writes this worker's heartbeat and gives back tasks whose
    worker has gone silent. The thread has its own database connection."""

    def __init__(self, *, stale_after: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stale_after = stale_after
        self.beat_every = max(0.5, stale_after / 4)
        self._stop = threading.Event()

    def _beat(self) -> None:
        try:
            heartbeat_beat(worker_id=self.worker_id)
            tasks_reclaim_stale(stale_after=self.stale_after)
            for path in settings.WINNOW_WORKER_HEARTBEAT:  # e.g. the audit trail's timed checkpoint
                import_string(path)()
        except Exception:  # a missed beat is retried at the next; never kill the worker for it
            logger.exception("heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()

    def _beat_forever(self) -> None:
        while not self._stop.wait(self.beat_every):
            self._beat()

    def run(self) -> None:
        self._beat()  # before the first claim: a claimed task always has a live heartbeat behind it
        thread = threading.Thread(target=self._beat_forever, name="winnow-heartbeat", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            close_old_connections()
            try:
                heartbeat_stop(worker_id=self.worker_id)
            except Exception:
                logger.exception("could not remove the heartbeat of worker %s", self.worker_id)


class Command(DbWorkerCommand):
    help = "Run a background task worker (Django's Tasks API, database backend) with heartbeats and stale reclaim"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--stale-seconds", type=float, default=None,
            help="Give back a running task whose worker sent no heartbeat for this long "
                 "(default: WINNOW_TASK_STALE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_unsafe_start()  # production: never as a table owner or superuser (winnow.E011)
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        stale = options["stale_seconds"] or settings.WINNOW_TASK_STALE_SECONDS
        worker = HeartbeatWorker(
            queue_names=queue_names, interval=options["interval"], batch=options["batch"],
            backend_name=options["backend_name"], startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"], worker_id=options["worker_id"], excluded_queue_names=excluded,
            stale_after=stale,
        )
        # Apps prepare what their tasks need before the first claim (settings.WINNOW_WORKER_STARTUP: dotted paths,
        # so this infrastructure module imports no app).
        for path in settings.WINNOW_WORKER_STARTUP:
            import_string(path)()
        # No autoreload (db_worker's --reload): a reload can stop a task halfway; restart the worker instead.
        worker.configure_signals()
        worker.run()
