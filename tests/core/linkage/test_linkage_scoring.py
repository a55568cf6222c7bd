"""Person linkage on plain records: the same person is proposed with per-field weights; different people are not."""

from __future__ import annotations

from datetime import date

import pytest

from winnow.core.linkage import LinkageError, PersonRecord, explain, link_people, score_people

GARETH = PersonRecord("1", "Gareth", "Pennington-Vale", date(1979, 4, 22), "ME99 1ZZ", "14 Larkspur Close, Maidstone")
GARETH_TYPO = PersonRecord("2", "Gareth", "Penington-Vale", date(1979, 4, 22), "ME99 1ZZ", "14 Larkspur Cl, Maidstone")
OTHER = PersonRecord("3", "Morwenna", "Tregothnan", date(1991, 12, 3), "TR99 9XX", "2 Example Row, Truro")


def test_it_proposes_the_same_person_with_a_typo_and_explains_each_field() -> None:
    pairs = score_people([GARETH, GARETH_TYPO, OTHER])
    assert [(p.left_id, p.right_id) for p in pairs] == [("1", "2")]
    pair = pairs[0]
    assert pair.match_probability > 0.99
    weights = pair.weights()
    assert set(weights) == {"given_names", "family_name", "date_of_birth", "postcode", "address"}
    assert weights["date_of_birth"] > weights["given_names"] > 0  # a date of birth is rarer than a first name
    family = next(f for f in pair.fields if f.field == "family_name")
    assert family.left == "pennington-vale" and family.right == "penington-vale"
    assert "exact" not in family.level.lower()
    assert "date of birth" in explain(pair)


def test_it_does_not_propose_a_shared_first_name_alone() -> None:
    a = PersonRecord("a", "Gareth", "Pennington-Vale", date(1979, 4, 22))
    b = PersonRecord("b", "Gareth", "Oakhampton", date(1988, 1, 9))
    assert score_people([a, b]) == []


def test_it_weighs_a_missing_field_as_no_evidence() -> None:
    a = PersonRecord("a", "Gareth", "Pennington-Vale", date(1979, 4, 22))
    b = PersonRecord("b", "Gareth", "Pennington-Vale", None)
    pair = score_people([a, b], threshold=0.0)[0]
    assert pair.weights()["date_of_birth"] == 0
    assert pair.weights()["postcode"] == 0


def test_it_keeps_only_pairs_involving_new_records_when_asked() -> None:
    twin = PersonRecord("9", "Morwenna", "Tregothnan", date(1991, 12, 3), "TR99 9XX", "2 Example Row, Truro")
    pairs = score_people([GARETH, GARETH_TYPO, OTHER, twin], only_involving={"9"})
    assert [(p.left_id, p.right_id) for p in pairs] == [("3", "9")]


def test_it_links_two_lists() -> None:
    right = [PersonRecord("r1", "Garreth", "Pennington-Vale", "1979-04-22", "ME99 1ZZ"), OTHER]
    pairs = link_people([GARETH], right)
    assert [(p.left_id, p.right_id) for p in pairs] == [("1", "r1")]


def test_it_handles_too_few_records() -> None:
    assert score_people([]) == []
    assert score_people([GARETH]) == []
    assert link_people([], [GARETH]) == []


def test_it_refuses_duplicate_ids() -> None:
    with pytest.raises(LinkageError, match="given twice"):
        score_people([GARETH, GARETH])
