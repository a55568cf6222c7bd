"""The one error shape of the JSON API, below every app so each app's router answers in it.

`{"error": {"status", "code", "message", "details": [{"field", "reason"}]}, "request_id"}`.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import ValidationError
from pydantic import ValidationInfo, model_validator


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


class StrictQuery(Schema):
    """Query parameters of a list: one the operation does not declare is a 400 naming it (a misspelt `?stauts=`
    would otherwise be ignored and answer with the whole list). django-ninja hands the model only the declared
    keys, so the request's own query string is read from the validation context ninja passes."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown(cls, data: Any, info: ValidationInfo) -> Any:
        request = (info.context or {}).get("request")
        if request is not None:
            known = {field.alias or name for name, field in cls.model_fields.items()}
            unknown = sorted(key for key in request.GET if key not in known)
            if unknown:  # raised past pydantic (not a ValueError), so the API's 400 names each parameter
                takes = ", ".join(sorted(known))
                raise ValidationError([{"loc": ("query", key[:40]), "msg": f"not a parameter of this operation, "
                                                                          f"which takes {takes}"}
                                       for key in unknown[:5]])
        return data
