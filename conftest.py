"""Shared personas for every test: a handler, investigator and supervisor in Northmoor, an outsider in Eastvale."""

from __future__ import annotations

import os
from typing import Any

import pytest


def pytest_configure(config: Any) -> None:
    """Tests create hundreds of users: hash their passwords cheaply (production keeps Django's PBKDF2 default)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def audit_checkpoints(tmp_path_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Each test its own audit checkpoint file (and any process it starts, through the environment), so no test
    writes checkpoints into the worktree's var/ or sees another test's."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("audit") / "checkpoints.jsonl"
    monkeypatch.setattr(settings, "WINNOW_AUDIT_CHECKPOINT_PATH", path)
    monkeypatch.setenv("WINNOW_AUDIT_CHECKPOINT_PATH", str(path))
    return path


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Each test its own DATA_DIR (uploads handed to the worker are stored there), never the worktree's var/."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("data")
    monkeypatch.setattr(settings, "DATA_DIR", path)
    return path


@pytest.fixture
def units(db: Any) -> dict[str, Any]:
    from winnow.accounts.models import Unit

    return {
        "north": Unit.objects.create(code="north", name="Northmoor Test Unit"),
        "east": Unit.objects.create(code="east", name="Eastvale Test Unit"),
    }


def _person(username: str, unit: Any, role: str) -> Any:
    from winnow.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password="correct-horse-battery-staple")
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def make_person(units: dict[str, Any]) -> Any:
    """For app-specific personas: make_person("fran.forensic", "north", "forensic")."""

    def make(username: str, unit: str, role: str) -> Any:
        return _person(username, units[unit], role)

    return make


@pytest.fixture
def handler(units: dict[str, Any]) -> Any:
    return _person("hannah.handler", units["north"], "handler")


@pytest.fixture
def investigator(units: dict[str, Any]) -> Any:
    return _person("ivan.investigator", units["north"], "investigator")


@pytest.fixture
def supervisor(units: dict[str, Any]) -> Any:
    return _person("sara.supervisor", units["north"], "supervisor")


@pytest.fixture
def analyst(units: dict[str, Any]) -> Any:
    return _person("ana.analyst", units["north"], "analyst")


@pytest.fixture
def outsider(units: dict[str, Any]) -> Any:
    """A handler in another unit: must get nothing of Northmoor's."""
    return _person("otto.outsider", units["east"], "handler")


@pytest.fixture
def outsider_supervisor(units: dict[str, Any]) -> Any:
    return _person("olga.outsider", units["east"], "supervisor")


@pytest.fixture
def forensic(make_person: Any) -> Any:
    return make_person("fran.forensic", "north", "forensic")


@pytest.fixture
def forensic_east(make_person: Any) -> Any:
    return make_person("edgar.eastforensic", "east", "forensic")


@pytest.fixture
def administrator(make_person: Any) -> Any:
    return make_person("ada.admin", "north", "administrator")


@pytest.fixture
def referral(handler: Any, units: dict[str, Any]) -> Any:
    """A Northmoor referral with one subject and three identifiers, recorded through the service."""
    from django.utils import timezone

    from winnow.context import acting
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    mapping = {
        "source": "ncmec",
        "source_reference": "CT-TEST-0001",
        "received_at": "2026-11-02T10:15:00+00:00",
        "summary": "Fictional test referral: an account uploaded files matching known hashes.",
        "immediate_danger": False,
        "subjects": [
            {
                "role": "reported",
                "given_names": "Testy",
                "family_name": "McFictional",
                "date_of_birth": "1980-04-01",
                "sex": "male",
                "addresses": ["1 Example Street, Testtown"],
                "identifiers": [
                    {"kind": "email", "value": "testy.mcfictional@example.com"},
                    {"kind": "phone", "value": "07700 900123"},
                    {"kind": "ip", "value": "192.0.2.44", "observed_at": "2026-10-30T22:01:00+00:00"},
                ],
            }
        ],
    }
    draft = referral_from_mapping(mapping, now=timezone.now())
    with acting(request_id="test-fixture", via="test"):  # as the middleware binds a request's id
        return referral_record(
            actor=handler, unit=units["north"], draft=draft, raw=canonical_json(mapping),
            media_type="application/json", via="form",
        )


@pytest.fixture
def token_for() -> Any:
    from winnow.accounts.models import ApiToken

    def issue(user: Any) -> str:
        return ApiToken.issue(user=user, name="test", scope="write")[1]  # read-only tokens: winnow.signin tests

    return issue


# --- browser tests ----------------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("WINNOW_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Any:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium; `make test` does it)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the same test are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_db(transactional_db: Any, live_server: Any) -> Any:
    """A live server on a committed database. The permanence guards (installed by the test database's migrate,
    never by a fixture, so the suite checks the migrate path) are lifted on SQLite for Django's flush, which
    deletes rows (PostgreSQL's TRUNCATE fires no row triggers); the flush ends with post_migrate, which puts
    them back for the next test."""
    from django.db import connection
    from django.urls import get_resolver

    from winnow import permanence

    # Import every view (faiss, splink, ...) now rather than in the server's first request, which on a loaded
    # machine took longer than a page's timeout.
    get_resolver().url_patterns  # noqa: B018
    yield live_server
    if connection.vendor == "sqlite":
        permanence.uninstall(connection)


@pytest.fixture
def page(browser: Any, live_db: Any) -> Any:
    context = browser.new_context(base_url=live_db.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
