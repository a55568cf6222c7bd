"""Give every request an id that its audit events carry, and echo it back to the client.

The id (and, once authentication has run, the user) is bound in `winnow.context` for the whole request, so
services and the audit trail read it from there instead of taking it as a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from winnow.context import acting, new_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_ID.match(supplied) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        via = "api" if request.path.startswith("/api/") else "web"
        with acting(request_id=request_id, via=via):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
