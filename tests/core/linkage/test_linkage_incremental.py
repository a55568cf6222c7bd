"""Incremental linkage: new records are blocked and scored against those held, never the held against each other,
and a pair scores exactly as a full run scores it."""

from __future__ import annotations

from winnow.core.linkage import PersonRecord, match_new_people, score_people

HELD = [
    PersonRecord("1", "Jonathan", "Testington", "1984-03-02", "ME99 1ZZ", "14 Larkspur Close, Maidstone ME99 1ZZ"),
    PersonRecord("2", "Alice", "Example", "1990-01-01", "SW1A 1AA", "1 Example Street, Testtown"),
    # 4 and 5 are one person held twice: a full run proposes them, an incremental run for someone else must not.
    PersonRecord("4", "Bertram", "Fictitious", "1971-07-07", "ZZ1 1AA", "2 Sample Road, Testtown"),
    PersonRecord("5", "Bertram", "Fictitious", "1971-07-07", "ZZ1 1AA", "2 Sample Road, Testtown"),
]
# Shares no identifier with 1; the name is spelled differently, the date of birth and address are the same.
NEW = PersonRecord("3", "Jonathon", "Tesstington", "1984-03-02", "ME99 1ZZ", "14 Larkspur Close, Maidstone ME99 1ZZ")


def test_it_finds_the_new_record_match_with_the_full_runs_score_and_explanation() -> None:
    incremental = match_new_people([NEW], HELD)
    full = score_people([*HELD, NEW], only_involving={"3"})
    assert [(p.left_id, p.right_id) for p in incremental] == [("1", "3")]
    assert incremental == full


def test_it_does_not_compare_held_records_with_each_other() -> None:
    assert ("4", "5") in {(p.left_id, p.right_id) for p in score_people([*HELD, NEW])}
    assert ("4", "5") not in {(p.left_id, p.right_id) for p in match_new_people([NEW], HELD)}


def test_it_compares_new_records_with_each_other() -> None:
    twin = PersonRecord("6", "Jonathon", "Tesstington", "1984-03-02", "ME99 1ZZ", "14 Larkspur Close")
    pairs = {(p.left_id, p.right_id) for p in match_new_people([NEW, twin], HELD)}
    assert {("1", "3"), ("3", "6"), ("1", "6")} <= pairs


def test_it_treats_a_record_in_both_lists_as_new_and_returns_nothing_without_others() -> None:
    assert match_new_people([NEW], [NEW]) == []
    assert match_new_people([], HELD) == []
