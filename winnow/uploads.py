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
"""

from __future__ import annotations

from collections.abc import Callable
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
