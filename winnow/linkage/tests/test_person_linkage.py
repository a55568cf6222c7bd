"""Person linkage proposes probable same people with per-field weights; accepting merges them into one Person
(reversible by an undo record, audited); a rejected pair is never proposed again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from winnow.audit.models import AuditEvent
from winnow.linkage import services
from winnow.linkage.models import LinkProposal, Merge, Person, PersonMembership

from .support import record


def _person(given: str, family: str, dob: str, address: str = "") -> list[dict[str, Any]]:
    return [{"role": "reported", "given_names": given, "family_name": family, "date_of_birth": dob,
             "addresses": [address] if address else []}]


@pytest.fixture
def three(handler: Any, units: dict[str, Any]) -> list[Any]:
    """Three referrals about one fictional man (one typo), and one about someone else."""
    north = units["north"]
    made = [
        record(handler, north, subjects=_person("Gareth", "Pennington-Vale", "1979-04-22", "14 Larkspur Close, Maidstone ME99 1ZZ")),
        record(handler, north, subjects=_person("Gareth", "Penington-Vale", "1979-04-22", "14 Larkspur Cl, Maidstone ME99 1ZZ")),
        record(handler, north, subjects=_person("Gareth", "Pennington-Vale", "1979-04-22")),
        record(handler, north, subjects=_person("Morwenna", "Tregothnan", "1991-12-03", "2 Example Row, Truro TR99 9XX")),
    ]
    return [r.subjects.get() for r in made]


def _proposal(a: Any, b: Any) -> LinkProposal:
    left, right = sorted((a.pk, b.pk))
    return LinkProposal.objects.get(left_subject_id=left, right_subject_id=right)


def test_it_proposes_the_same_person_with_weights_per_field(three: list[Any], units: dict[str, Any]) -> None:
    run = services.people_link(unit=units["north"])
    pairs = {tuple(sorted((p.left_subject_id, p.right_subject_id))) for p in LinkProposal.objects.all()}
    a, b, c, other = (s.pk for s in three)
    assert pairs == {(a, b), (a, c), (b, c)}
    assert run.proposals_created == 3 and run.subjects == 4
    fields = {f["field"]: f for f in _proposal(three[0], three[1]).fields}
    assert fields["date_of_birth"]["match_weight"] > 10 and fields["date_of_birth"]["left"] == "1979-04-22"
    assert fields["postcode"]["left"] == "me99 1zz"
    assert AuditEvent.objects.filter(action="linkage.run", target_id=str(run.pk)).exists()


def test_it_never_proposes_a_rejected_pair_again(three: list[Any], handler: Any, units: dict[str, Any]) -> None:
    services.people_link(unit=units["north"])
    proposal = _proposal(three[0], three[2])
    services.proposal_decide(proposal=proposal, accept=False, actor=handler, reason="Different middle names.")
    again = services.people_link(unit=units["north"])
    assert again.proposals_created == 0
    assert LinkProposal.objects.filter(left_subject=proposal.left_subject, right_subject=proposal.right_subject).count() == 1
    with pytest.raises(services.LinkageRefused, match="already been decided"):
        services.proposal_decide(proposal=proposal, accept=True, actor=handler)


def test_it_merges_on_accept_and_undoes(three: list[Any], handler: Any, units: dict[str, Any]) -> None:
    services.people_link(unit=units["north"])
    a, b, c = three[:3]
    services.proposal_decide(proposal=_proposal(a, b), accept=True, actor=handler)
    person = Person.objects.get()
    assert {s.pk for s in services.person_members(person)} == {a.pk, b.pk}
    services.proposal_decide(proposal=_proposal(b, c), accept=True, actor=handler)
    assert {s.pk for s in services.person_members(person)} == {a.pk, b.pk, c.pk}
    with pytest.raises(services.LinkageRefused, match="already the same person"):
        services.proposal_decide(proposal=_proposal(a, c), accept=True, actor=handler)

    first, second = Merge.objects.order_by("id")
    with pytest.raises(services.LinkageRefused, match=f"Undo the later merge {second.pk} first"):
        services.merge_undo(merge=first, actor=handler, reason="Wrong.")
    services.merge_undo(merge=second, actor=handler, reason="Gareth is a cousin.")
    assert {s.pk for s in services.person_members(person)} == {a.pk, b.pk}
    services.merge_undo(merge=first, actor=handler, reason="Not enough.")
    assert services.person_members(person) == []
    assert PersonMembership.objects.count() == 3  # nothing deleted: the undo rows decide
    assert AuditEvent.objects.filter(action="merge.undo").count() == 2
    assert AuditEvent.objects.filter(action="proposal.decide").count() == 2


def test_it_merges_two_people_into_one(handler: Any, units: dict[str, Any]) -> None:
    north = units["north"]
    subjects = [record(handler, north, subjects=_person("Gareth", "Pennington-Vale", "1979-04-22")).subjects.get()
                for _ in range(4)]
    services.people_link(unit=north)
    a, b, c, d = subjects
    services.proposal_decide(proposal=_proposal(a, b), accept=True, actor=handler)
    services.proposal_decide(proposal=_proposal(c, d), accept=True, actor=handler)
    services.proposal_decide(proposal=_proposal(b, c), accept=True, actor=handler)
    persons = services.current_person_ids(s.pk for s in subjects)
    assert len(set(persons.values())) == 1 and len(persons) == 4
    services.merge_undo(merge=Merge.objects.order_by("id").last(), actor=handler, reason="Split again.")
    persons = services.current_person_ids(s.pk for s in subjects)
    assert persons[a.pk] == persons[b.pk] != persons[c.pk] == persons[d.pk]


def test_it_runs_from_the_command(three: list[Any], capsys: Any) -> None:
    call_command("link-people", "--unit", "north")
    assert "3 new proposals" in capsys.readouterr().out


def test_it_shows_the_weights_and_lets_a_handler_decide(three: list[Any], handler: Any, units: dict[str, Any]) -> None:
    services.people_link(unit=units["north"])
    proposal = _proposal(three[0], three[1])
    client = Client()
    client.force_login(handler)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Date of birth" in page and "1979-04-22" in page and "Accept: the same person" in page
    referral_page = client.get(three[0].referral.get_absolute_url()).content.decode()
    assert f"Review proposal {proposal.pk}" in referral_page and "match weight per field" in referral_page
    left, right = proposal.left_subject, proposal.right_subject  # the panel names both sides and their referrals
    assert f"{left.display_name} ({left.referral.reference}) and {right.display_name} ({right.referral.reference})" \
        in referral_page
    response = client.post(proposal.get_absolute_url(), {"outcome": "accept", "reason": "Same DOB and address."})
    assert response.status_code == 302
    assert f"Review proposal {proposal.pk}" not in client.get(three[0].referral.get_absolute_url()).content.decode()
    person = Person.objects.get()
    assert "Gareth Penington-Vale" in client.get(person.get_absolute_url()).content.decode()
    client.post(f"/linkage/merges/{Merge.objects.get().pk}/undo/", {"reason": "Checked again."})
    assert services.person_members(person) == []


def test_it_keeps_proposals_inside_the_unit(three: list[Any], outsider: Any, investigator: Any, units: dict[str, Any]) -> None:
    services.people_link(unit=units["north"])
    proposal = _proposal(three[0], three[1])
    outside = Client()
    outside.force_login(outsider)
    assert outside.get(proposal.get_absolute_url()).status_code == 404
    assert outside.post(proposal.get_absolute_url(), {"outcome": "accept"}).status_code == 404
    assert "Pennington" not in outside.get("/linkage/proposals/").content.decode()
    reader = Client()
    reader.force_login(investigator)  # may read, may not decide
    assert reader.get(proposal.get_absolute_url()).status_code == 200
    assert reader.post(proposal.get_absolute_url(), {"outcome": "accept"}).status_code == 403
    assert reader.post("/linkage/proposals/run/", {"unit": units["north"].pk}).status_code == 403
    assert not Person.objects.exists()
    anonymous = Client()
    assert "/login/" in anonymous.get(proposal.get_absolute_url())["Location"]
    assert "/login/" in anonymous.get("/linkage/proposals/")["Location"]


def test_it_keeps_people_and_undo_inside_the_unit(three: list[Any], handler: Any, outsider: Any, investigator: Any,
                                                 units: dict[str, Any]) -> None:
    services.people_link(unit=units["north"])
    services.proposal_decide(proposal=_proposal(three[0], three[1]), accept=True, actor=handler)
    person, merge = Person.objects.get(), Merge.objects.get()
    outside = Client()
    outside.force_login(outsider)
    assert outside.get(person.get_absolute_url()).status_code == 404
    assert outside.post(f"/linkage/merges/{merge.pk}/undo/", {"reason": "x"}).status_code == 404
    reader = Client()
    reader.force_login(investigator)
    assert reader.get(person.get_absolute_url()).status_code == 200
    assert reader.post(f"/linkage/merges/{merge.pk}/undo/", {"reason": "x"}).status_code == 403
    assert not hasattr(Merge.objects.get(), "undo")
    assert "/login/" in Client().get(person.get_absolute_url())["Location"]


def test_it_runs_from_the_proposals_page(three: list[Any], handler: Any, units: dict[str, Any]) -> None:
    client = Client()
    client.force_login(handler)
    response = client.post("/linkage/proposals/run/", {"unit": units["north"].pk}, follow=True)
    assert "3 new proposals" in response.content.decode()
    assert "Proposal" in client.get("/linkage/proposals/").content.decode()
