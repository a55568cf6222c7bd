"""Each role's landing page: its own panel with what needs that role now, only from its own units; anonymous
visitors go to sign in; the accessibility statement is public."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from winnow.audit.models import AuditEvent

GROOMING_WITH_ACCESS = {"lives_with_children": "yes", "grooming": "yes", "prior_contact_offence": "no"}


def _assess(referral: Any, handler: Any) -> Any:
    from winnow.assessments.services import assessment_record

    return assessment_record(actor=handler, subject=referral.subjects.get(), instrument_id="phased-prioritisation",
                             answers=GROOMING_WITH_ACCESS, evidence={"grooming": "Fictional chat logs."})


def test_it_sends_anonymous_visitors_to_sign_in(client: Any, db: Any) -> None:
    response = client.get("/today/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_shows_the_accessibility_statement_to_anyone(client: Any, db: Any) -> None:
    body = client.get("/accessibility/").content.decode()
    assert "Accessibility statement for Winnow" in body and "WCAG" in body


def test_it_lands_everyone_on_today(client: Any, handler: Any) -> None:
    client.force_login(handler)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/today/"


def test_it_shows_a_handler_what_is_still_to_assess(client: Any, handler: Any, referral: Any) -> None:
    client.force_login(handler)
    body = client.get("/today/").content.decode()
    assert "To assess: open referrals with no assessment yet (1)" in body and referral.reference in body
    assert "Record a referral" in body
    _assess(referral, handler)
    body = client.get("/today/").content.decode()
    assert "To assess: open referrals with no assessment yet (0)" in body
    assert "Supervisor" not in body  # a handler sees only the handler's panel


def test_it_shows_a_supervisor_the_decision_waiting_with_who_computed_it(
        client: Any, handler: Any, supervisor: Any, referral: Any) -> None:
    assessment = _assess(referral, handler)
    client.force_login(supervisor)
    body = client.get("/today/").content.decode()
    assert "Band decisions waiting (1)" in body
    assert assessment.get_absolute_url() in body and "computed by hannah.handler" in body
    assert "Unassigned (1)" in body


def test_it_hides_another_units_work_from_a_supervisor(client: Any, handler: Any, outsider_supervisor: Any,
                                                       referral: Any) -> None:
    _assess(referral, handler)
    client.force_login(outsider_supervisor)
    body = client.get("/today/").content.decode()
    assert referral.reference not in body and "Band decisions waiting (0)" in body and "Unassigned (0)" in body


def test_it_shows_an_investigator_their_own_work_overdue_by_days(client: Any, investigator: Any, supervisor: Any,
                                                                 referral: Any) -> None:
    from winnow.workload.services import referrals_assign

    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    referral.refresh_from_db()
    type(referral).objects.filter(pk=referral.pk).update(deadline_at=timezone.now() - timedelta(days=3, hours=1))
    client.force_login(investigator)
    body = client.get("/today/").content.decode()
    assert "My work (1)" in body and referral.reference in body and "overdue by 3 days" in body


def test_it_shows_a_forensic_officer_exhibits_waiting_for_a_scan(client: Any, make_person: Any, handler: Any,
                                                                  referral: Any) -> None:
    from winnow.triage.models import Exhibit

    fran = make_person("fran.forensic", "north", "forensic")
    exhibit = Exhibit.objects.create(referral=referral, unit=referral.unit, label="EX-1", description="Laptop",
                                     created_by=handler)
    client.force_login(fran)
    body = client.get("/today/").content.decode()
    assert "Waiting for a scan result (1)" in body and exhibit.get_absolute_url() in body
    outsider = make_person("otto.forensic", "east", "forensic")
    client.force_login(outsider)
    assert exhibit.get_absolute_url() not in client.get("/today/").content.decode()


def test_it_shows_an_offender_manager_their_panel(client: Any, make_person: Any) -> None:
    olly = make_person("olly.manager", "north", "offender_manager")
    client.force_login(olly)
    body = client.get("/today/").content.decode()
    assert "In-person lapses (0)" in body and "Register a managed offender" in body


def test_it_shows_an_analyst_figures_and_an_administrator_links(client: Any, make_person: Any, referral: Any) -> None:
    client.force_login(make_person("ana.analyst2", "north", "analyst"))
    body = client.get("/today/").content.decode()
    assert "Open referrals" in body and "/validation/" in body
    client.force_login(make_person("adam.admin", "north", "administrator"))
    body = client.get("/today/").content.decode()
    assert "Users, units and memberships" in body and "/tasks/" in body


def test_it_records_who_read_their_landing_page(client: Any, handler: Any) -> None:
    client.force_login(handler)
    client.get("/today/")
    event = AuditEvent.objects.filter(action="today.list").get()
    assert event.detail == {"roles": ["handler"]}


def test_it_refuses_a_superuser_with_no_unit(client: Any, db: Any) -> None:
    from winnow.accounts.models import User

    client.force_login(User.objects.create_superuser(username="root.day", password="x"))
    assert client.get("/today/").status_code == 403
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/triage/hash-sets/"
