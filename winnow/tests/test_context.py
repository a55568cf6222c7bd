"""Who is acting and under which request id reaches the audit trail through one mechanism, not parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from winnow.audit.models import AuditEvent
from winnow.audit.services import AuditAction, audit_record
from winnow.context import acting, current


def test_it_binds_and_restores() -> None:
    assert current().request_id == ""
    with acting(request_id="outer-0001", via="task") as outer:
        assert current() is outer
        with acting(request_id="inner-0002", via="command"):
            assert current().request_id == "inner-0002"
        assert current().request_id == "outer-0001"
    assert current().request_id == ""


@pytest.mark.django_db
def test_an_audit_event_carries_the_bound_request_id(handler: Any) -> None:
    with acting(request_id="bound-12345678", via="command"), transaction.atomic():
        event = audit_record(actor=handler, action=AuditAction.REFERRAL_LIST, unit_id=None)
    assert event.request_id == "bound-12345678"


@pytest.mark.django_db
def test_a_web_request_id_reaches_its_audit_events(client: Any, handler: Any) -> None:
    client.force_login(handler)
    response = client.get("/referrals/", HTTP_X_REQUEST_ID="from-the-proxy-42")
    assert response["X-Request-ID"] == "from-the-proxy-42"
    assert AuditEvent.objects.filter(request_id="from-the-proxy-42", action=AuditAction.REFERRAL_LIST).exists()


@pytest.mark.django_db
def test_a_command_run_through_the_cli_has_one_id(
    handler: Any, units: dict[str, Any], tmp_path: Any, monkeypatch: Any
) -> None:
    from django.core import management

    from winnow.cli import main

    # Django's own runner closes every connection when the command ends, which would end the test's transaction;
    # run the same command in-process instead: what is tested is the context main() binds around it.
    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: management.call_command(*argv[1:]))

    csv = tmp_path / "r.csv"
    csv.write_text("source,received_at,summary,immediate_danger\nncmec,2026-11-20 14:30,A fictional report,false\n")
    main(["winnow", "import-referrals", str(csv), "--unit", "north", "--user", "hannah.handler"])
    ids = set(AuditEvent.objects.filter(action__in=["import.create", "referral.create"]).values_list("request_id", flat=True))
    assert len(ids) == 1 and next(iter(ids)).startswith("cli-")


def test_no_service_takes_a_request_id_parameter() -> None:
    """The context is the one way a request id travels: no function in the apps threads it by hand."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    threaded = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name in ("context.py", "middleware.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in (*node.args.args, *node.args.kwonlyargs)]
                if "request_id" in names:
                    threaded.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    assert threaded == []
