"""The one error shape of the JSON API, below every app so each app's router answers in it.

`{"error": {"status", "code", "message", "details": [{"field", "reason"}]}, "request_id"}`.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja import Schema


class ErrorDetail(Schema):
    field: str
    reason: str


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorBody
    request_id: str


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> HttpResponse:
    body = {
        "error": {"status": status, "code": code, "message": message, "details": details or []},
        "request_id": getattr(request, "request_id", ""),
    }
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
