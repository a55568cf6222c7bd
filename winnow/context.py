"""Who is acting, and under which request id, for the code that runs on their behalf.

One mechanism instead of `request_id=` parameters threaded through every service: the web middleware binds a
context for each request, the command line for each command, the task worker for each task, and the audit trail
reads it. Built on `contextvars`, so threads and asyncio tasks each see their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActingContext:
    request_id: str
    actor: Any = None  # the signed-in user, or None for the system (a command without --user, a task)
    via: str = ""  # "web", "api", "command", "task"


_NONE = ActingContext(request_id="")
_current: ContextVar[ActingContext] = ContextVar("winnow_acting_context", default=_NONE)


def current() -> ActingContext:
    return _current.get()


def new_request_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}"


@contextmanager
def acting(*, request_id: str | None = None, actor: Any = None, via: str = "") -> Iterator[ActingContext]:
    """Bind a context for the code inside the block (a request, a command, a task); restored on the way out."""
    context = ActingContext(request_id=request_id or new_request_id(), actor=actor, via=via)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def set_actor(actor: Any) -> None:
    """The user becomes known after the context is bound (authentication runs after the request-id middleware)."""
    context = _current.get()
    _current.set(ActingContext(request_id=context.request_id, actor=actor, via=context.via))
