"""The validation report page, its CSVs and `winnow validate --instrument`: analysts and supervisors only."""

from __future__ import annotations

import json
import random
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from winnow.assessments.models import Assessment, BandDecision
from winnow.audit.models import AuditEvent
from winnow.core.intake import referral_from_mapping
from winnow.intake.services import canonical_json, referral_record
from winnow.referrals.services import referral_transition
from winnow.validation.services import outcome_record

RATES = {"very_high": 0.7, "high": 0.45, "medium": 0.2, "low": 0.08}


def closed_cases(unit: Any, handler: Any, supervisor: Any, count: int, seed: int = 1, version: str = "0.2.0") -> None:
    """Fictional closed referrals, each assessed, decided and with an outcome."""
    rng = random.Random(seed)
    for i in range(count):
        mapping = {"source": "public", "received_at": "2026-01-05T10:00:00+00:00",
                   "summary": f"Fictional validation test referral {i}", "immediate_danger": False,
                   "subjects": [{"role": "reported", "given_names": "Fictional", "family_name": f"Person{i}",
                                 "sex": "male", "identifiers": []}]}
        from django.utils import timezone
        draft = referral_from_mapping(mapping, now=timezone.now())
        referral = referral_record(actor=handler, unit=unit, draft=draft, raw=canonical_json(mapping),
                                   media_type="application/json", via="form")
        subject = referral.subjects.get()
        band = rng.choice(list(RATES))
        assessment = Assessment.objects.create(
            referral=referral, subject=subject, instrument_id="phased-prioritisation", instrument_version=version,
            instrument_sha256="0" * 64, instrument_title="Test", answers={}, band=band, band_label=band,
            decided_by="test", explanation=[], unknown_count=rng.choice([0, 1, 2]), created_by=handler)
        BandDecision.objects.create(assessment=assessment, referral=referral, supervisor=supervisor,
                                    decision="confirm", computed_band=band, decided_band=band, rationale="test")
        for status in ("assessment", "awaiting_action"):  # the decision above was made directly, not by the service
            referral_transition(actor=supervisor, referral=referral, to_status=status)
        referral_transition(actor=supervisor, referral=referral, to_status="closed", disposition="nfa", reason="t")
        found = "charged" if rng.random() < RATES[band] else ("unknown" if rng.random() < 0.05 else "none_found")
        outcome_record(actor=supervisor, subject=subject, contact_offending=found, children_safeguarded=None,
                       victims_identified=None)


@pytest.fixture
def cases(units: Any, handler: Any, supervisor: Any) -> None:
    closed_cases(units["north"], handler, supervisor, 60)


def test_an_analyst_sees_the_report_with_n_and_intervals(client: Any, cases: None, analyst: Any) -> None:
    client.force_login(analyst)
    page = client.get("/validation/?instrument=phased-prioritisation")
    html = page.content.decode()
    assert page.status_code == 200
    assert "AUC (discrimination)" in html and "(DeLong)" in html and "Too small to judge" in html
    assert "<svg" in html and "ROC curve" in html and "Cut-off explorer" in html
    assert "What this rests on, and its limits" in html
    assert AuditEvent.objects.filter(action="validation.report").exists()


def test_the_csv_has_the_rates_table(client: Any, cases: None, supervisor: Any) -> None:
    client.force_login(supervisor)
    response = client.get("/validation/report.csv?instrument=phased-prioritisation&table=rates")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Band,Cases,With the outcome,Rate,95% low,95% high")
    assert [line.split(",")[0] for line in lines[1:]] == ["Low", "Medium", "High", "Very High"]
    assert client.get("/validation/report.csv?instrument=phased-prioritisation&table=nope").status_code == 404


def test_an_outsider_analyst_sees_none_of_northmoors_cases(client: Any, cases: None, make_person: Any) -> None:
    client.force_login(make_person("ed.eastvale", "east", "analyst"))
    html = client.get("/validation/?instrument=phased-prioritisation").content.decode()
    assert "No report: there are no cases to validate" in html


def test_a_handler_may_not_see_the_report(client: Any, cases: None, handler: Any) -> None:
    client.force_login(handler)
    assert client.get("/validation/").status_code == 403
    assert client.get("/validation/report.csv?table=rates").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Any) -> None:
    response = client.get("/validation/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_command_validates_the_units_closed_referrals(cases: None, units: Any) -> None:
    out = StringIO()
    call_command("validate", "--instrument", "phased-prioritisation", "--unit", "north", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["n"] + data["excluded_unknown"] == 60
    assert data["too_small_to_judge"] and len(data["sensitivity_high_or_very_high"]) == 3
    assert data["computed_vs_decided"]["difference"] == 0


def test_the_command_names_an_unknown_unit(cases: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no unit with code nowhere"):
        call_command("validate", "--instrument", "phased-prioritisation", "--unit", "nowhere")


def test_calibration_uses_the_expected_rates_an_instrument_file_declares(
    client: Any, cases: None, analyst: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Winnow ships no expected rates; a force that declares them in its instrument file gets E/O, intercept and
    slope against them on the page and in `validate --json`."""
    import dataclasses

    from winnow.assessments.registry import registry
    from winnow.core.instruments.schema import ExpectedRates

    kind = type(registry())
    original = kind.get
    declared = ExpectedRates("Fictional five-year follow-up (test)", "band", tuple(RATES.items()))

    def with_rates(self: Any, instrument_id: str, version: str) -> Any:
        found = original(self, instrument_id, version)
        return dataclasses.replace(found, expected_rates=declared) if found is not None else None

    monkeypatch.setattr(kind, "get", with_rates)
    client.force_login(analyst)
    html = client.get("/validation/?instrument=phased-prioritisation").content.decode()
    assert "Calibration against the declared expected rates" in html
    assert "Fictional five-year follow-up (test)" in html and "(exact Poisson)" in html
    out = StringIO()
    call_command("validate", "--instrument", "phased-prioritisation", "--unit", "north", "--json", stdout=out)
    data = json.loads(out.getvalue())
    expected = sum(RATES[a.band] for a in Assessment.objects.all() if a.subject.outcomes.get().event is not None)
    assert data["expected_events"] == pytest.approx(expected, abs=0.01)
    low, value, high = data["expected_over_observed"][1], data["expected_over_observed"][0], data["expected_over_observed"][2]
    assert low < value < high and data["calibration"]["slope"][0] is not None


def test_without_declared_rates_the_report_says_calibration_is_not_computed(client: Any, cases: None,
                                                                            analyst: Any) -> None:
    client.force_login(analyst)
    html = client.get("/validation/?instrument=phased-prioritisation").content.decode()
    assert "declares no expected rates" in html and "Calibration against the declared" not in html


def test_the_command_names_an_instrument_that_is_not_loaded() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError) as info:
        call_command("validate", "--instrument", "no-such")
    assert "no instrument 'no-such' is loaded (loaded: casic, cport," in str(info.value)
    assert info.value.returncode == 2


def test_an_earlier_version_is_read_on_the_loaded_versions_bands(units: Any, handler: Any, supervisor: Any) -> None:
    closed_cases(units["north"], handler, supervisor, 12, version="0.1.0")  # made before the file moved to 0.2.0
    out = StringIO()
    call_command("validate", "--instrument", "phased-prioritisation", "--version", "0.1.0", "--json", stdout=out)
    assert json.loads(out.getvalue())["n"] > 0


def test_a_later_contact_conviction_reaches_the_follow_up_table(client: Any, cases: None, analyst: Any,
                                                               supervisor: Any) -> None:
    from datetime import date

    from winnow.validation.models import SubjectOutcome
    from winnow.validation.services import followup_record

    outcome = SubjectOutcome.objects.exclude(contact_offending="unknown").first()
    followup_record(actor=supervisor, outcome=outcome, occurred_on=date(2026, 6, 1), contact_offence=True,
                    detail="Fictional later conviction")
    out = StringIO()
    call_command("validate", "--instrument", "phased-prioritisation", "--json", stdout=out)
    rows = json.loads(out.getvalue())["follow_ups"]
    assert sum(r["n"] for r in rows) == 60
    assert sum(round(r["later_contact_conviction"][0] * r["n"]) for r in rows if r["n"]) == 1
    client.force_login(analyst)
    assert "Follow-ups after closure" in client.get("/validation/?instrument=phased-prioritisation").content.decode()



def test_the_latest_decision_is_the_decided_band_and_each_case_keeps_its_own(
        units: Any, handler: Any, supervisor: Any) -> None:
    from winnow.assessments.registry import registry
    from winnow.validation.services import validation_cases

    closed_cases(units["north"], handler, supervisor, 4)
    first, *others = Assessment.objects.order_by("id")
    back = {p.value: b for b, p in registry().priority_bands("phased-prioritisation").items()}
    override = next(value for value, band in back.items() if band != first.band)
    BandDecision.objects.create(assessment=first, referral=first.referral, supervisor=supervisor,
                                decision="override", computed_band=first.band, decided_band=override,
                                rationale="test: a later override")
    gathered = validation_cases(instrument_id="phased-prioritisation", version=None, unit_ids=[units["north"].pk])
    pairs = sorted(zip(gathered.cases.band, gathered.cases.decided_band, strict=True))
    assert pairs == sorted([(first.band, back[override])] + [(a.band, a.band) for a in others])
    assert len(gathered.cases) == 4 and gathered.without_assessment == 0 and gathered.not_scorable == 0


def test_the_report_filters_by_closing_dates_in_govuk_boxes(client: Any, cases: None, analyst: Any) -> None:
    """Closed from / to as day, month and year boxes; the old ISO form still reads; a bad date is named and the
    report is not drawn on a misread range."""
    from django.utils import timezone

    client.force_login(analyst)
    today = timezone.localdate()
    page = client.get("/validation/?instrument=phased-prioritisation").content.decode()
    assert 'name="date_from-day"' in page and 'name="date_to-year"' in page
    boxes = client.get("/validation/", {"instrument": "phased-prioritisation", "date_from-day": str(today.day),
                                        "date_from-month": str(today.month), "date_from-year": str(today.year)})
    assert "AUC (discrimination)" in boxes.content.decode()
    future = client.get("/validation/", {"instrument": "phased-prioritisation", "date_from": "2999-01-01"})
    assert "there are no cases to validate" in future.content.decode()
    bad = client.get("/validation/", {"instrument": "phased-prioritisation", "date_to-day": "30",
                                      "date_to-month": "2", "date_to-year": "2026"}).content.decode()
    assert "Closed to must be a real date" in bad and "AUC (discrimination)" not in bad
    event = AuditEvent.objects.filter(action="validation.report").order_by("-seq").first()
    assert event is not None and "date_to" in event.detail
