"""The lockout backend: django-axes, for sign-ins that come from a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username before the password is checked. Every web sign-in (Winnow's page, the admin's)
    passes its request; `authenticate()` without one (the test client's `login`, a shell) is not a web sign-in and
    is not counted, rather than failing as django-axes would."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
