"""System checks that refuse unsafe production configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=False)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.WINNOW_ENV != "production":
        return []
    errors = []
    from winnow.settings import DEV_SECRET_KEY

    if settings.SECRET_KEY == DEV_SECRET_KEY or len(settings.SECRET_KEY) < 50:
        errors.append(Error("SECRET_KEY is the development key or too short", hint="Set SECRET_KEY (50+ random characters).", id="winnow.E001"))
    if settings.DEBUG:
        errors.append(Error("DEBUG is on in production", hint="Unset DEBUG or set DEBUG=False.", id="winnow.E002"))
    if not settings.DATABASE_URL.startswith(("postgres://", "postgresql://")):
        errors.append(Error("production needs PostgreSQL", hint="Set DATABASE_URL=postgres://…", id="winnow.E003"))
    return errors
