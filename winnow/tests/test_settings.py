"""Settings come from the environment, strictly; production refuses development secrets and DEBUG."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from winnow.settings import env_bool, env_int


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "WINNOW_ENV", "DATABASE_URL")}
    # Production needs the audit keys too (winnow.E010, winnow/audit/tests/test_db_roles.py).
    keys = {"WINNOW_AUDIT_KEY": "a" * 40, "WINNOW_CHECKPOINT_KEY": "c" * 40}
    return subprocess.run(
        [sys.executable, "-m", "winnow", "check"], env=base | keys | env, capture_output=True, text=True, timeout=60
    )


def test_it_refuses_the_development_key_in_production() -> None:
    result = _check({"WINNOW_ENV": "production", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/winnow"})
    assert result.returncode != 0
    assert "winnow.E001" in result.stderr


def test_it_refuses_debug_in_production() -> None:
    result = _check({"WINNOW_ENV": "production", "DEBUG": "True", "SECRET_KEY": "k" * 60,
                     "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/winnow"})
    assert result.returncode != 0
    assert "winnow.E002" in result.stderr and "winnow.E001" not in result.stderr


def test_it_accepts_a_proper_production_configuration() -> None:
    result = _check({"WINNOW_ENV": "production", "SECRET_KEY": "k" * 60,
                     "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/winnow"})
    assert result.returncode == 0, result.stderr


def test_it_refuses_an_unknown_environment_name() -> None:
    result = _check({"WINNOW_ENV": "prod"})
    assert result.returncode != 0 and "WINNOW_ENV must be" in result.stderr


@pytest.mark.parametrize("raw", ["yes", "on", "TRUE ", ""])
def test_it_parses_booleans_strictly(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_it_parses_whole_numbers_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "10MB")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_it_reports_health(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_has_no_missing_migrations(db) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_it_seeds_fictional_demo_data_with_one_login_per_role(db) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    from winnow.accounts.models import User
    from winnow.audit.services import audit_verify
    from winnow.permissions import Role
    from winnow.referrals.models import Identifier, Referral

    out = StringIO()
    call_command("seed-demo", referrals=15, stdout=out)
    assert "winnow-demo-only" in out.getvalue()
    roles = set(User.objects.values_list("memberships__role", flat=True))
    assert roles >= set(Role.values)
    # 15 per unit, the story's CyberTipline report and "known again" referral, Northmoor's history for the trends
    assert Referral.objects.count() == 47 + 4 * 15
    _it_tells_the_story()
    for ip in Identifier.objects.filter(kind="ip").values_list("normalised", flat=True):
        assert ip.startswith(("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"))
    for email in Identifier.objects.filter(kind="email").values_list("normalised", flat=True):
        assert email.endswith(("@example.com", "@example.org", "@example.net", ".example"))
    for phone in Identifier.objects.filter(kind="phone").values_list("normalised", flat=True):
        assert phone.startswith("+447700900")
    assert audit_verify().ok
    call_command("seed-demo", stdout=out)
    assert "already present" in out.getvalue() and Referral.objects.count() == 47 + 4 * 15
    logins = StringIO()
    call_command("seed-demo", logins_only=True, port=8123, stdout=logins)
    assert logins.getvalue().strip().startswith("Winnow demo: http://127.0.0.1:8123")
    assert Referral.objects.count() == 47 + 4 * 15  # printing the logins seeds nothing


def _it_tells_the_story() -> None:
    """One of each thing a unit meets, and deadlines spread so that only some open referrals are overdue."""
    from django.utils import timezone

    from winnow.assessments.models import Assessment
    from winnow.linkage.models import CyberTiplineReport, LinkProposal
    from winnow.notifications.models import Notification
    from winnow.referrals.models import Referral
    from winnow.triage.models import CollectionSummary, Exhibit, HashSet

    assert CyberTiplineReport.objects.count() == 1 and HashSet.objects.count() == 2
    summary = CollectionSummary.objects.get()
    assert summary.data  # the scan of generated pictures was matched and summarised
    assert Exhibit.objects.count() == 2  # one summarised, one waiting for its scan
    assert LinkProposal.objects.count() >= 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) >= {"investigator"}
    awaiting = Assessment.objects.filter(band="very_high", decisions__isnull=True)
    assert awaiting.exists()  # a computed Very High waiting for the supervisor
    northmoor = Referral.objects.filter(unit__code="nmr")
    assert 0 < northmoor.overdue(timezone.now()).count() < northmoor.open().count() / 2
