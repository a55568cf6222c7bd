"""System checks that refuse a production start with weak sign-in: the demo's logins (their password is
published), no second factor, or no HTTPS. `winnow.wsgi` runs the checks before serving in production."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, register
from django.db import DatabaseError


def demo_logins_present() -> list[str]:
    """Usernames of the demo's logins that exist, are active and still have the demo's published password."""
    seed = importlib.import_module("winnow.demo.management.commands.seed-demo")
    User = get_user_model()  # noqa: N806 - the model class; checks load before the apps are ready to import it
    names = [username for username, _role, _units in seed.LOGINS]
    return [user.username for user in User.objects.filter(username__in=names, is_active=True)
            if user.check_password(seed.DEMO_PASSWORD)]


@register()
def production_sign_in(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.WINNOW_ENV != "production":
        return []
    errors = []
    try:
        present = demo_logins_present()
    except DatabaseError:  # not migrated yet: there can be no demo login either
        present = []
    if present:
        errors.append(Error(
            f"demo logins with the published demo password exist: {', '.join(present)}",
            hint="Deactivate or delete them (admin, or `winnow shell`), or set each a new password.", id="winnow.E020"))
    if not settings.WINNOW_MFA_REQUIRED:
        errors.append(Error("two-step verification is not required in production",
                            hint="Unset WINNOW_MFA_REQUIRED (it defaults to True in production).", id="winnow.E021"))
    if not settings.SECURE_SSL_REDIRECT or settings.SECURE_HSTS_SECONDS < 86_400:
        errors.append(Error("production must redirect to HTTPS and send HSTS for at least a day",
                            hint="Unset SECURE_SSL_REDIRECT and SECURE_HSTS_SECONDS (their production defaults are "
                                 "on and one year).", id="winnow.E022"))
    return errors
