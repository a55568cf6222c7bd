"""Production refuses to start with the demo's logins (winnow.E020), without a second factor or without HTTPS."""

from __future__ import annotations

import importlib
from typing import Any

from winnow.accounts.models import User
from winnow.signin.checks import production_sign_in

seed = importlib.import_module("winnow.demo.management.commands.seed-demo")


def _ids() -> list[str]:
    return [e.id for e in production_sign_in(None)]


def test_it_refuses_production_while_a_demo_login_has_the_demo_password(settings: Any, db: Any) -> None:
    settings.WINNOW_ENV = "production"
    settings.WINNOW_MFA_REQUIRED = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert _ids() == []
    user = User.objects.create_user(username="supervisor", password=seed.DEMO_PASSWORD)
    errors = production_sign_in(None)
    assert [e.id for e in errors] == ["winnow.E020"] and "supervisor" in errors[0].msg
    user.set_password("tidal-lantern-orchid-47")  # a real person who happens to be called that
    user.save()
    assert _ids() == []
    user.set_password(seed.DEMO_PASSWORD)
    user.is_active = False
    user.save()
    assert _ids() == []


def test_it_refuses_production_without_a_second_factor_or_https(settings: Any, db: Any) -> None:
    settings.WINNOW_ENV = "production"
    settings.WINNOW_MFA_REQUIRED = False
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    assert _ids() == ["winnow.E021", "winnow.E022"]


def test_it_says_nothing_outside_production(settings: Any, db: Any) -> None:
    settings.WINNOW_ENV = "development"
    settings.WINNOW_MFA_REQUIRED = False
    User.objects.create_user(username="supervisor", password=seed.DEMO_PASSWORD)
    assert _ids() == []


def test_the_wsgi_application_refuses_to_start_when_a_check_fails(tmp_path: Any) -> None:
    """gunicorn runs no checks itself: importing winnow.wsgi in production runs them and stops on an error."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "WINNOW_ENV": "production", "SECRET_KEY": "x" * 60,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}"}  # production needs PostgreSQL: E003
    done = subprocess.run([sys.executable, "-c", "import winnow.wsgi"], env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "refuses to start" in done.stderr and "winnow.E003" in done.stderr
