"""Upload size limits enforced while the request body streams, never after a whole file has been spooled.

Django parses a multipart body the first time anything reads `request.POST` or `request.FILES` (the input guard,
CSRF), writing each file to memory or a temporary file as it arrives. So the limit is decided here, first, from the
URL (`limit_for`):

- a multipart request whose declared length is over the limit (Django never reads past CONTENT_LENGTH) is answered
  413 before one byte of its body is read;
- within that length, `LimitedUploadHandler` (first of FILE_UPLOAD_HANDLERS) counts each file's bytes as they
  stream and stops the upload (StopUpload) the moment one passes the limit: no file over it is ever completed, and
  the view does not run.

The answer is a GOV.UK page (or, under /api/, the API's one error shape) that gives the limit and says nothing was
stored. Views keep their own finer checks (a CyberTipline document inside a several-file package, for one).

Keeping an upload: `spool` streams it to a temporary file, hashing as it goes (SHA-256 and size, with an optional
limit), and `store_once` moves it to its content-addressed place under DATA_DIR; the upload jobs
(winnow.worker.jobs) and scan results (winnow.triage.services) both keep their files this way.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from winnow.core.cybertipline import DEFAULT_LIMITS
from winnow.errors import error_response

#: multipart framing and the form's other fields, beyond the file itself
OVERHEAD = 64 * 1024


def limit_for(path: str) -> int:
    """The largest file the page or endpoint at `path` accepts."""
    if path.startswith("/triage/"):  # scan results and hash sets
        return int(settings.WINNOW_SCAN_RESULT_MAX_BYTES)
    if path.startswith(("/referrals/cybertipline/", "/api/v1/referrals/cybertipline")):
        return DEFAULT_LIMITS.max_zip_bytes
    return int(settings.WINNOW_IMPORT_MAX_BYTES)  # referral imports, and any other form


class LimitedUploadHandler(FileUploadHandler):
    """Passes each chunk on to the next handler, counting; stops the upload once a file passes the limit."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = limit_for(request.path_info) if request is not None else int(settings.WINNOW_IMPORT_MAX_BYTES)
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request.upload_refused = self.file_name or "the file"  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=False)  # the rest (at most OVERHEAD) is read and dropped, not stored
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _too_large(request: HttpRequest, limit: int, name: str | None) -> HttpResponse:
    what = f"{name}: " if name else "The upload is "
    message = (f"{what}larger than the limit of {limit:,} bytes for this page; nothing was stored."
               if name else f"{what}larger than the limit of {limit:,} bytes for this page; nothing was read or stored.")
    if request.path_info.startswith("/api/"):
        return error_response(request, 413, "too_large", message, [{"field": "files", "reason": message}])
    body = render_to_string("413.html", {"message": message, "limit": limit}, request=request)
    return HttpResponse(body, status=413)


class UploadLimitMiddleware:
    """Before anything reads the body: refuse a multipart request declaring more than its URL's limit; before the
    view: refuse one whose file passed the limit while it streamed (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            limit = limit_for(request.path_info)
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0  # Django reads nothing of a body whose length it cannot read
            if declared > limit + OVERHEAD:
                return _too_large(request, limit, None)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> HttpResponse | None:
        """After the body was parsed (by the input guard, which answers a body it cannot decode with its 400) and
        before the view: a file that LimitedUploadHandler stopped means the view does not run."""
        refused = getattr(request, "upload_refused", None)
        if refused is not None:
            return _too_large(request, limit_for(request.path_info), refused)
        return None


# ------------------------------------------------------------------------------------------------ keeping uploads


def spool(chunks: Iterable[bytes], *, directory: Path, limit: int | None = None,
          too_large: Callable[[int], Exception] | None = None, fsync: bool = False) -> tuple[Path, str, int]:
    """Write `chunks` to a new temporary file in `directory`, hashing as they stream: (its path, SHA-256, size).
    Past `limit` bytes, `too_large(limit)` is raised (a ValueError without one) and the file is removed, as it is on
    any other error. `fsync`: the bytes reach the disk before this returns (they must outlive a crash of the
    machine). The caller moves the file (store_once) or removes it."""
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise too_large(limit) if too_large is not None else ValueError(f"larger than {limit:,} bytes")
                digest.update(chunk)
                out.write(chunk)
            if fsync:
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest(), size


def store_once(tmp: Path, final: Path) -> None:
    """Move a spooled file to its content-addressed place, read-only; the same bytes are stored once and never
    overwritten (when `final` exists, `tmp` is left for the caller to remove)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        os.replace(tmp, final)
        os.chmod(final, 0o440)
