"""The hash-set import as a worker job (winnow.worker.jobs): what `/triage/hash-sets/` hands to the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from winnow.worker.jobs import JobRefused, Progress
from winnow.worker.models import Job

from .models import HashSet
from .services import TriageError, hash_set_import


def _conflict_note(hash_set: HashSet) -> str:
    c = hash_set.conflicts_found
    if c is None or not c.total:
        return ""
    return (f" Category conflict: {c.within:,} hash(es) under two categories in this set, {c.between:,} categorised "
            "differently from an earlier set; both categories are kept (see the table).")


def _segments_note(hash_set: HashSet) -> str:
    n = hash_set.report.get("segmented_media", 0)
    if not n:
        return ""
    return (f" {n:,} video{'s' if n != 1 else ''} categorised by segment, each taking its most severe segment’s "
            "category (the segments are listed in the table).")


def hash_set_job(*, job: Job, files: list[tuple[str, Path]], actor: Any, progress: Progress) -> dict[str, Any]:
    (filename, path), = files
    p = job.params
    try:
        result = hash_set_import(actor=actor, path=path, name=p["name"], filename=filename,
                                 format=p.get("format") or None, scheme=p.get("scheme") or None,
                                 known_files=bool(p.get("known_files")), progress=progress)
    except TriageError as exc:
        raise JobRefused([f"{exc}."]) from None
    s = result.hash_set
    links = [{"text": "Hash sets", "url": reverse("triage:hash-sets")}]
    if result.created:
        return {"level": "success", "links": links,
                "message": f"Imported {s.entries:,} entries as “{s.name}”." + _conflict_note(s) + _segments_note(s)}
    return {"level": "info", "links": links,
            "message": f"That file was already imported as “{s.name}”; nothing new was created."}
