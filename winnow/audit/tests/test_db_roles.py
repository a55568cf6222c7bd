"""Least-privilege roles on the real PostgreSQL: the application role cannot truncate, alter, disable or drop the
guards, or silence triggers; production refuses to serve as a superuser or owner (winnow.E011)."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from winnow.audit.roles import roles_apply, roles_sql

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles, privileges and ownership exist on PostgreSQL only; SQLite has none to test",
)


def test_it_refuses_to_print_roles_for_sqlite(db: Any) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite refusal")
    with pytest.raises(CommandError, match="database roles are for PostgreSQL"):
        call_command("db-roles", stdout=StringIO())


@pytest.fixture
def roles(transactional_db: Any) -> Any:
    """Roles named after this test database (roles are cluster-wide), applied and committed; dropped after."""
    suffix = connection.settings_dict["NAME"].replace("-", "_")
    owner, app = f"winnow_owner_{suffix}", f"winnow_app_{suffix}"
    roles_apply(roles_sql(owner=owner, app=app))
    yield owner, app
    with connection.cursor() as cursor:
        cursor.execute(f"REASSIGN OWNED BY {owner} TO CURRENT_USER")
        cursor.execute(f"DROP OWNED BY {owner}")
        cursor.execute(f"DROP OWNED BY {app}")
        cursor.execute(f"DROP ROLE {owner}")
        cursor.execute(f"DROP ROLE {app}")


def _connect_as(role: str) -> Any:
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, dbname=s["NAME"], user=role, autocommit=True)


REFUSED = [
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER winnow_guard_delete",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER winnow_guard_delete ON audit_auditevent",
    "SET session_replication_role = replica",
    "UPDATE audit_auditevent SET action = 'x'",
    "DELETE FROM audit_auditevent",
    "UPDATE referrals_referral SET summary = 'x'",
    "CREATE TABLE winnow_intruder (id int)",
]


@needs_postgresql
def test_the_application_role_cannot_truncate_alter_disable_or_silence_triggers(roles: Any) -> None:
    """One role set-up for every statement (a committed database per test is slow on PostgreSQL)."""
    import psycopg

    allowed = []
    for statement in REFUSED:
        with _connect_as(roles[1]) as app:
            try:
                app.execute(statement)
                allowed.append(statement)
            except psycopg.errors.InsufficientPrivilege:
                pass
    assert allowed == []


@needs_postgresql
def test_the_application_role_can_do_its_work(roles: Any) -> None:
    with _connect_as(roles[1]) as app:
        app.execute("SELECT count(*) FROM audit_auditevent")
        app.execute("UPDATE referrals_referral SET status = status")  # a state column: granted by column
        app.execute("DELETE FROM django_session")
        app.execute("INSERT INTO accounts_unit (code, name, created_at) VALUES ('zz', 'Fictional Unit', now())")
    with _connect_as(roles[0]) as owner:  # the owner migrates: it can alter its tables
        owner.execute("ALTER TABLE accounts_unit ALTER COLUMN name SET DEFAULT ''")


def _check(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)} | {
        "WINNOW_ENV": "production", "SECRET_KEY": "k" * 60, "DATABASE_URL": database_url,
        "WINNOW_AUDIT_KEY": "a" * 40, "WINNOW_CHECKPOINT_KEY": "c" * 40}
    return subprocess.run([sys.executable, "-m", "winnow", "check", "--deploy", "--database", "default"],
                          env=env, capture_output=True, text=True, timeout=120)


def _url(role: str) -> str:
    s = connection.settings_dict
    return f"postgres://{role}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@needs_postgresql
def test_production_refuses_to_start_as_superuser_or_owner_and_starts_as_the_app_role(roles: Any) -> None:
    superuser = _check(_url(connection.settings_dict["USER"]))
    assert superuser.returncode != 0 and "winnow.E011" in superuser.stderr and "is a superuser" in superuser.stderr
    owner = _check(_url(roles[0]))
    assert owner.returncode != 0 and "winnow.E011" in owner.stderr and "tables' owner's rights" in owner.stderr
    app = _check(_url(roles[1]))
    assert "winnow.E011" not in app.stderr, app.stderr


@needs_postgresql
def test_the_web_application_refuses_to_load_as_superuser(db: Any) -> None:
    env = dict(os.environ) | {"WINNOW_ENV": "production", "SECRET_KEY": "k" * 60,
                              "DATABASE_URL": _url(connection.settings_dict["USER"]),
                              "WINNOW_AUDIT_KEY": "a" * 40, "WINNOW_CHECKPOINT_KEY": "c" * 40}
    result = subprocess.run([sys.executable, "-c", "import winnow.wsgi"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "Winnow refuses to start in production" in result.stderr and "winnow.E011" in result.stderr


def test_production_refuses_to_start_without_the_audit_keys() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WINNOW_") or k == "WINNOW_AUDIT_CHECKPOINT_PATH"}
    env |= {"WINNOW_ENV": "production", "SECRET_KEY": "k" * 60,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/winnow"}
    result = subprocess.run([sys.executable, "-m", "winnow", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "winnow.E010" in result.stderr
