"""Incremental person linkage after intake: a new referral's subjects are compared with the unit's people, not the
whole unit again; proposals are written exactly as a full run writes them; rejected pairs stay rejected; running
twice proposes nothing new."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.core import linkage as core_linkage
from winnow.linkage import services
from winnow.linkage.models import LinkageRun, LinkProposal

from .support import record

ADDRESS = "14 Larkspur Close, Maidstone ME99 1ZZ"


def _subjects(given: str, family: str, dob: str, address: str = ADDRESS) -> list[dict[str, Any]]:
    return [{"role": "reported", "given_names": given, "family_name": family, "date_of_birth": dob,
             "addresses": [address]}]


@pytest.fixture
def held(handler: Any, units: dict[str, Any]) -> dict[str, Any]:
    """Known to Northmoor: Gareth, and a pair of records of Morwenna no one has linked yet."""
    north = units["north"]
    return {
        "gareth": record(handler, north, subjects=_subjects("Gareth", "Pennington-Vale", "1979-04-22")).subjects.get(),
        "morwenna_1": record(handler, north, subjects=_subjects("Morwenna", "Tregothnan", "1991-12-03",
                                                               "2 Example Row, Truro TR99 9XX")).subjects.get(),
        "morwenna_2": record(handler, north, subjects=_subjects("Morwenna", "Tregothnan", "1991-12-03",
                                                               "2 Example Row, Truro TR99 9XX")).subjects.get(),
    }


def _new(handler: Any, units: dict[str, Any]) -> Any:
    # Shares no identifier with Gareth's record: the name is spelled differently, date of birth and address match.
    return record(handler, units["north"], subjects=_subjects("Garreth", "Penington-Vale", "1979-04-22")).subjects.get()


def test_it_proposes_the_new_subject_with_the_full_runs_explanation(held: dict[str, Any], handler: Any,
                                                                      units: dict[str, Any]) -> None:
    new = _new(handler, units)
    run = services.people_link_new(unit=units["north"], subject_ids=[new.pk])
    proposal = LinkProposal.objects.get()
    assert {proposal.left_subject_id, proposal.right_subject_id} == {held["gareth"].pk, new.pk}
    assert run.proposals_created == 1 and run.subjects == 1 and run.model == "prior, incremental"
    fields = {f["field"]: f for f in proposal.fields}
    assert fields["date_of_birth"]["level"].startswith("Exact") and fields["address"]["match_weight"] > 10
    # The same pair from a full run would carry the same probability and weights.
    full = core_linkage.score_people([services.person_record(held["gareth"]), services.person_record(new)])
    assert full[0].match_probability == pytest.approx(proposal.match_probability)
    assert [f.match_weight for f in full[0].fields] == [f["match_weight"] for f in proposal.fields]


def test_it_does_not_rerun_over_everyone(held: dict[str, Any], handler: Any, units: dict[str, Any]) -> None:
    new = _new(handler, units)
    services.people_link_new(unit=units["north"], subject_ids=[new.pk])
    # The two unlinked Morwenna records are for a full run (or a later referral about her) to find.
    assert not LinkProposal.objects.touching_subjects([held["morwenna_1"].pk]).exists()
    assert services.people_link(unit=units["north"]).proposals_created == 1


def test_it_is_idempotent(held: dict[str, Any], handler: Any, units: dict[str, Any]) -> None:
    new = _new(handler, units)
    services.people_link_new(unit=units["north"], subject_ids=[new.pk])
    again = services.people_link_new(unit=units["north"], subject_ids=[new.pk])
    assert again.proposals_created == 0 and again.pairs_scored == 1
    assert LinkProposal.objects.count() == 1 and LinkageRun.objects.count() == 2


def test_it_never_proposes_a_rejected_pair_again(held: dict[str, Any], handler: Any, units: dict[str, Any]) -> None:
    new = _new(handler, units)
    services.people_link_new(unit=units["north"], subject_ids=[new.pk])
    services.proposal_decide(proposal=LinkProposal.objects.get(), accept=False, actor=handler, reason="Brothers.")
    assert services.people_link_new(unit=units["north"], subject_ids=[new.pk]).proposals_created == 0
    assert services.people_link(unit=units["north"], only_subjects=[new.pk]).proposals_created == 0


def test_it_keeps_to_the_unit(held: dict[str, Any], handler: Any, outsider: Any, units: dict[str, Any]) -> None:
    east = record(outsider, units["east"], subjects=_subjects("Garreth", "Penington-Vale", "1979-04-22")).subjects.get()
    run = services.people_link_new(unit=units["east"], subject_ids=[east.pk])
    assert run.proposals_created == 0 and not LinkProposal.objects.exists()
    # A subject of another unit given by mistake is not linked into this one.
    assert services.people_link_new(unit=units["north"], subject_ids=[east.pk]).subjects == 0


def test_the_worker_cache_sees_subjects_recorded_since(held: dict[str, Any], handler: Any, units: dict[str, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_CLEANED", {})
    monkeypatch.setitem(services._KEEP, "on", True)
    first = _new(handler, units)
    services.people_link_new(unit=units["north"], subject_ids=[first.pk])
    assert len(services._CLEANED[units["north"].pk]) == 3  # the held subjects, cleaned once
    second = _new(handler, units)  # recorded after the cache was filled
    run = services.people_link_new(unit=units["north"], subject_ids=[second.pk])
    assert run.proposals_created == 2  # with Gareth's record and with the first new one
    assert len(services._CLEANED[units["north"].pk]) == 4
