"""A supervisor approves a research export on the page, with its purpose and recipient; the command as the issue
writes it, `winnow research-export --unit CODE --out DIR [--record-level]`, then writes that approved export, and
without an approval says what is missing and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.cli import main
from winnow.research.models import ExportApproval, ResearchExport

from .factories import cases_with_facts

URL = "/research/exports/"
KEY = "fictional-test-key-not-for-use"


@pytest.fixture(autouse=True)
def _keep_connection(monkeypatch: Any) -> None:
    # Django's command runner closes every connection when a command ends, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def winnow(*args: str) -> None:
    """The command line (`winnow.cli.main`, Django's own argument parsing and exit status), in this process so it
    sees the test database, exactly as an administrator types it."""
    main(["winnow", *args])


def _approve(client: Client, *, record_level: bool = False, unit: str = "north") -> Any:
    data = {"purpose": "Fictional study of concealment trends", "recipient": "Example University, Dr Fictional"}
    if record_level:
        data["record_level"] = "on"
    return client.post(f"{URL}?unit={unit}", data)


@pytest.fixture
def facts(units: Any, investigator: Any) -> list[Any]:
    return cases_with_facts(units["north"], investigator, 60, years=(2020, 2021), alike=True)


def test_the_command_as_written_writes_the_export_a_supervisor_approved(
    facts: list[Any], supervisor: Any, client: Client, tmp_path: Path, settings: Any, capsys: Any
) -> None:
    settings.WINNOW_RESEARCH_KEY = KEY
    client.force_login(supervisor)
    assert _approve(client).status_code == 302
    approval = ExportApproval.objects.get()
    event = AuditEvent.objects.get(action="research.export_approve")
    assert event.actor == supervisor and event.detail["purpose"] == "Fictional study of concealment trends"
    assert event.detail["recipient"] == "Example University, Dr Fictional" and event.detail["record_level"] is False

    out = tmp_path / "aggregate"
    winnow("research-export", "--unit", "north", "--out", str(out))
    assert f"approval {approval.pk}" in capsys.readouterr().out
    export = ResearchExport.objects.get()
    assert export.approval == approval and export.approved_by == supervisor and not export.record_level
    assert export.purpose == approval.purpose and export.recipient == approval.recipient
    assert not (out / "extract.csv").exists() and (out / "data_dictionary.csv").exists()
    assert json.loads((out / "manifest.json").read_text())["approval"] == approval.pk
    written = AuditEvent.objects.get(action="research.export")
    assert written.detail["approval"] == approval.pk and written.actor == supervisor

    # Used once: the same command again is refused, naming what is missing, and writes nothing.
    with pytest.raises(SystemExit) as exit_:
        winnow("research-export", "--unit", "north", "--out", str(tmp_path / "again"))
    assert exit_.value.code == 2
    assert "no approval for a research export of north is recorded (or every one is used)" in capsys.readouterr().err
    assert not (tmp_path / "again").exists() and ResearchExport.objects.count() == 1

    # The record-level extract needs an approval that covers it.
    assert _approve(client).status_code == 302
    with pytest.raises(SystemExit):
        winnow("research-export", "--unit", "north", "--out", str(tmp_path / "extract"), "--record-level")
    assert "do not cover the record-level extract" in capsys.readouterr().err
    assert _approve(client, record_level=True).status_code == 302
    winnow("research-export", "--unit", "north", "--out", str(tmp_path / "extract"), "--record-level")
    assert (tmp_path / "extract" / "extract.csv").exists()
    assert ResearchExport.objects.filter(record_level=True).get().approval.record_level is True
    page = client.get(f"{URL}?unit=north")
    assert page.status_code == 200 and b"Not yet written" in page.content and b"Written " in page.content


def test_without_any_approval_the_command_says_what_is_missing(
    facts: list[Any], tmp_path: Path, capsys: Any
) -> None:
    with pytest.raises(SystemExit) as exit_:
        winnow("research-export", "--unit", "north", "--out", str(tmp_path / "x"))
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "no approval for a research export of north is recorded" in err
    assert "a supervisor of north approves one, with its purpose and recipient" in err
    with pytest.raises(SystemExit):
        winnow("research-export", "--unit", "north", "--out", str(tmp_path / "x"), "--approved-by", "sara.supervisor")
    assert "--purpose, --recipient missing" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not ResearchExport.objects.exists()


def test_the_approval_page_refuses_a_missing_purpose_and_writes_nothing(supervisor: Any, client: Client) -> None:
    client.force_login(supervisor)
    response = client.post(f"{URL}?unit=north", {"purpose": " ", "recipient": "Example University"})
    assert response.status_code == 400 and b"There is a problem" in response.content
    assert not ExportApproval.objects.exists()


def test_only_supervisors_of_the_unit_see_or_approve(
    units: Any, supervisor: Any, analyst: Any, investigator: Any, outsider: Any, outsider_supervisor: Any,
    client: Client,
) -> None:
    client.force_login(supervisor)
    page = client.get(f"{URL}?unit=north")
    assert page.status_code == 200 and b"winnow research-export --unit north --out DIR" in page.content
    assert AuditEvent.objects.filter(action="research.export_list", actor=supervisor).exists()
    assert b"research exports</a>" in client.get("/research/?unit=north").content
    for person in (analyst, investigator, outsider):  # no power to approve anywhere: 403
        client.force_login(person)
        assert client.get(f"{URL}?unit=north").status_code == 403
        assert _approve(client).status_code == 403
    client.force_login(analyst)
    assert b"research exports</a>" not in client.get("/research/?unit=north").content
    client.force_login(outsider_supervisor)  # a supervisor elsewhere: Northmoor is not theirs
    assert client.get(f"{URL}?unit=north").status_code == 404
    assert _approve(client).status_code == 404
    client.logout()
    assert client.get(f"{URL}?unit=north").status_code == 302
    assert _approve(client).status_code == 302
    assert not ExportApproval.objects.exists()
