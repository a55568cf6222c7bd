"""What every serving process runs first: in production, every system check including the database's, and a
refusal to start on any error (e.g. serving as a table owner, winnow.E011)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    if settings.WINNOW_ENV != "production":
        return
    messages = checks.run_checks(include_deployment_checks=True, databases=["default"])
    errors = [m for m in messages if m.level >= checks.ERROR and not m.is_silenced()]
    if errors:
        raise ImproperlyConfigured("Winnow refuses to start in production:\n" + "\n".join(
            f"{m.id}: {m.msg}" + (f" ({m.hint})" if m.hint else "") for m in errors))
