"""Refuse control characters in what people type, before any view sees them.

PostgreSQL cannot store NUL in text (SQLite can), so a NUL in a search box, a filter or a rationale was a 500 on one
database and stored on the other. No field Winnow has needs NUL or the other C0 controls (tab, line feed and carriage
return excepted), so a query string, a form field or a JSON string containing one is refused with a 400 that names
the field, the same on both databases. Uploaded files are not inspected here: their parsers refuse what they cannot
read, with the file and the place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from winnow.errors import error_response

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown(text: str, limit: int = 80) -> str:
    """A short excerpt for an error message: errors never echo more than `limit` characters of what was sent."""
    text = CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _strings(value: Any, place: str) -> Iterator[tuple[str, str]]:
    """(place, string) for every key and string in a decoded JSON document."""
    if isinstance(value, str):
        yield place, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{place}.{key}" if place else str(key), str(key)
            yield from _strings(item, f"{place}.{key}" if place else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{place}[{i}]")


def _fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for key in request.GET:
        yield f"query parameter {key!r}", key
        for value in request.GET.getlist(key):
            yield f"query parameter {key!r}", value
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key in request.POST:
            yield f"field {key!r}", key
            for value in request.POST.getlist(key):
                yield f"field {key!r}", value
        for key in request.FILES:
            for upload in request.FILES.getlist(key):
                yield f"file name of {key!r}", upload.name or ""
    elif content_type == "application/json" and request.body:
        try:
            document = json.loads(request.body)
        except (ValueError, RecursionError):
            return  # the view answers a malformed body with its own 400
        for place, value in _strings(document, ""):
            yield f"JSON field {place!r}" if place else "JSON body", value


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return error_response(request, 400, "invalid", f"The request is not valid; nothing was written: {problem}.",
                                  [{"field": problem.split(" ", 1)[0], "reason": problem}])
        return HttpResponseBadRequest(render_to_string("400.html", {"reason": problem}, request=request))

    @staticmethod
    def problem(request: HttpRequest) -> str | None:
        try:
            for place, value in _fields(request):
                match = CONTROL.search(value)
                if match:
                    return f"{shown(place)} contains the control character U+{ord(match.group()):04X}"
        except (RequestDataTooBig, TooManyFieldsSent):
            raise  # Django answers these with its own 400 (413 for size)
        except UnicodeDecodeError:
            return "the request is not UTF-8"
        return None


def max_page() -> int:
    """The highest page number any list accepts (a larger one is out of range, not a database error)."""
    return int(getattr(settings, "WINNOW_MAX_PAGE", 100_000))
