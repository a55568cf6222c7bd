"""Production refuses to start without the audit keys (winnow.E010) or as a database owner or superuser
(winnow.E011, a database check: `winnow check --deploy --database default`, and at every start of the web
application and the worker, winnow.startup)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError

from .roles import role_problems


@register()
def audit_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.WINNOW_ENV != "production":
        return []
    audit, checkpoint = settings.WINNOW_AUDIT_KEY, settings.WINNOW_CHECKPOINT_KEY
    if len(audit) < 32 or len(checkpoint) < 32 or len({audit, checkpoint, settings.SECRET_KEY}) < 3:
        return [Error(
            "WINNOW_AUDIT_KEY and WINNOW_CHECKPOINT_KEY must each be set (32+ random characters), differ from each "
            "other and from SECRET_KEY", hint="Keep them outside the database, e.g. in the service's environment.",
            id="winnow.E010")]
    return []


@register(Tags.database)
def database_role(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.WINNOW_ENV != "production" or not databases or "default" not in databases:
        return []
    try:
        problems = role_problems("default")
    except DatabaseError as error:
        return [Warning(f"could not check the database role: {error}".strip(), id="winnow.W011")]
    return [Error(
        f"production must not serve as a database owner or superuser: {problem}",
        hint="Run `winnow db-roles --apply` once as a superuser, migrate with `winnow migrate --database owner` "
             "(WINNOW_OWNER_DATABASE_URL) and serve with DATABASE_URL naming the application role.",
        id="winnow.E011") for problem in problems]
