"""Per request, for a signed-in person: the idle and absolute timeouts, the second factor, and no caching.

- Idle: signed out after WINNOW_IDLE_TIMEOUT_MINUTES without a request; absolute: SESSION_COOKIE_AGE after
  signing in, however busy (a session cookie's own expiry moves on with every save, so it is not enough alone).
- Second factor: someone who has a TOTP device, or everyone when WINNOW_MFA_REQUIRED, reaches nothing but the
  verify, set-up and sign-out pages until django-otp says the session is verified.
- `Cache-Control: no-store` on every response that is not a static file: Winnow's pages and API answers carry
  personal data, and no browser or proxy should keep them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_otp import device_classes

from winnow.audit.services import AuditAction, audit_record
from winnow.permissions import memoise_for_request

SIGNED_IN_AT = "winnow_signed_in_at"
LAST_SEEN = "winnow_last_seen"
_TOUCH_EVERY = 30  # seconds: the last-seen time is saved at most this often, not on every request


def _exempt(path: str) -> bool:
    return path.startswith(("/static/", "/account/verify/", "/account/two-step/", "/logout/", "/login/"))


def _has_device(user: Any) -> bool:
    """django_otp.user_has_device (a confirmed device of any kind) in one query, not one per kind of device."""
    first, *rest = (model.objects.devices_for_user(user, confirmed=True).order_by().values("pk")
                    for model in device_classes())
    return bool(first.union(*rest).exists())


class SignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._gate(request) or self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True)
        return response

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not hasattr(request, "session"):
            return None
        memoise_for_request(user)
        now = time.time()
        last_seen = request.session.get(LAST_SEEN)
        # Set by the sign-in views; a session made another way (a test's force_login) starts counting now.
        signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
        idle = last_seen is not None and now - last_seen > settings.WINNOW_IDLE_TIMEOUT_MINUTES * 60
        too_old = now - signed_in_at > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            with transaction.atomic():
                audit_record(actor=user, action=AuditAction.SIGNIN_IDLE_TIMEOUT, unit_id=None, target=user,
                             detail={"reason": "idle" if idle else "absolute",
                                     "idle_seconds": int(now - (last_seen or now))})
            logout(request)
            query = urlencode({"timeout": "idle" if idle else "absolute", "next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('login')}?{query}")
        if last_seen is None or now - last_seen > _TOUCH_EVERY:
            request.session[LAST_SEEN] = now
        if _exempt(request.path) or request.user.is_verified():  # type: ignore[union-attr]
            return None
        if _has_device(user):
            return HttpResponseRedirect(f"{reverse('signin:verify')}?{urlencode({'next': request.get_full_path()})}")
        if settings.WINNOW_MFA_REQUIRED:
            return HttpResponseRedirect(f"{reverse('signin:setup')}?{urlencode({'next': request.get_full_path()})}")
        return None
