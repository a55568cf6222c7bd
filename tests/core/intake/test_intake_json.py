"""JSON files and single referrals (API body, web form): shapes, types, unknown and repeated keys, duplicates."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from winnow.core.intake import IntakeError, referral_from_mapping

from .support import GOOD_ITEM, NOW, find, json_bytes, parse, refused


def _item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(GOOD_ITEM)
    item.update(changes)
    return item


def _subject(**changes: Any) -> dict[str, Any]:
    subject: dict[str, Any] = copy.deepcopy(GOOD_ITEM["subjects"][0])
    subject.update(changes)
    return subject


def _mapping_errors(data: Any, **kwargs: Any) -> list[Any]:
    with pytest.raises(IntakeError) as caught:
        referral_from_mapping(data, now=NOW, **kwargs)
    return caught.value.errors


def test_it_validates_a_single_referral_mapping_with_no_row() -> None:
    draft = referral_from_mapping(_item(), now=NOW)
    assert draft.locator == "" and draft.subjects[0].family_name == "Example"
    errors = _mapping_errors(_item(summary=""))
    assert [(e.row, e.field, str(e)) for e in errors] == [(None, "summary", "field 'summary': is required")]


def test_it_says_item_n_when_a_mapping_comes_from_a_file() -> None:
    (error,) = _mapping_errors(_item(source="fax"), row=4)
    assert str(error).startswith("item 4, field 'source': 'fax' is not one of:")
    assert referral_from_mapping(_item(), now=NOW, row=4).locator == "item 4"


def test_it_accepts_python_dates_and_times_from_python_callers() -> None:
    draft = referral_from_mapping(
        _item(received_at=datetime(2026, 7, 1, 10, 0), subjects=[_subject(date_of_birth=date(2014, 5, 6))]), now=NOW
    )
    assert draft.received_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert draft.subjects[0].date_of_birth == date(2014, 5, 6)


def test_it_requires_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        referral_from_mapping(_item(), now=datetime(2026, 11, 21, 12, 0))


def test_it_names_unknown_keys_at_every_level() -> None:
    subject = _subject(nickname="Al", identifiers=[{"kind": "email", "value": "a@example.com", "confidence": 1}])
    errors = refused(json_bytes({"referrals": [_item(priority=1, subjects=[subject])], "meta": {}}))
    assert {(e.row, e.field) for e in errors} == {
        (None, "meta"), (1, "priority"), (1, "subjects[1].nickname"), (1, "subjects[1].identifiers[1].confidence"),
    }
    assert "source_reference" in find(errors, row=1, field="priority").reason


def test_it_names_keys_given_twice_which_json_would_silently_overwrite() -> None:
    text = json_bytes([_item()]).decode().replace('"summary":', '"summary": "first", "summary":', 1)
    (error,) = refused(text.encode())
    assert (error.row, error.field) == (1, "summary") and "more than once" in error.reason


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"immediate_danger": "true"}, "immediate_danger", "JSON boolean"),
        ({"immediate_danger": 1}, "immediate_danger", "JSON boolean"),
        ({"immediate_danger": None}, "immediate_danger", "is required"),
        ({"summary": 42}, "summary", "must be text, not a number"),
        ({"source_reference": ["a"]}, "source_reference", "must be text, not a list"),
        ({"subjects": {"role": "victim"}}, "subjects", "must be a list"),
        ({"subjects": ["Alex"]}, "subjects[1]", "must be an object"),
        ({"subjects": [{"role": "victim", "addresses": "1 Example St"}]}, "subjects[1].addresses", "must be a list"),
        ({"subjects": [{"role": "victim", "addresses": [1]}]}, "subjects[1].addresses[1]", "must be text"),
        ({"subjects": [{"given_names": "Alex"}]}, "subjects[1].role", "is required"),
        ({"subjects": [{"role": "victim", "identifiers": [{"kind": "fax", "value": "1"}]}]},
         "subjects[1].identifiers[1].kind", "email, phone, username, ip, device"),
        ({"subjects": [{"role": "victim", "identifiers": [{"kind": "email"}]}]},
         "subjects[1].identifiers[1].value", "is required"),
        ({"subjects": [{"role": "victim", "identifiers": [{"kind": "username", "value": "alex"}]}]},
         "subjects[1].identifiers[1].platform", "needs its platform"),
        ({"subjects": [{"role": "victim", "identifiers": [{"kind": "ip", "value": "192.0.2.1",
                                                           "observed_at": "1970-01-01T00:00Z"}]}]},
         "subjects[1].identifiers[1].observed_at", "before 1990"),
        ({"subjects": [_subject(), _subject(identifiers=[])]}, "subjects[2]", "repeats the subject in subjects[1]"),
    ],
)
def test_it_refuses_wrong_types_and_values_naming_the_path(changes: dict[str, Any], field: str, expected: str) -> None:
    error = find(refused(json_bytes([_item(), _item(**{"source_reference": "CT-2", **changes})])), row=2, field=field)
    assert expected in error.reason


def test_it_refuses_an_item_that_is_not_an_object() -> None:
    errors = refused(json_bytes([_item(), "referral", None]))
    assert [(e.row, e.field) for e in errors] == [(2, ""), (3, "")]


def test_it_refuses_a_wrapper_without_a_list() -> None:
    for document, expected in (({"items": []}, "missing"), ({"referrals": {}}, "must be a list")):
        assert any(expected in e.reason for e in refused(json_bytes(document)))


def test_it_refuses_two_items_with_the_same_source_reference_naming_both() -> None:
    errors = refused(json_bytes([_item(), _item(summary="Other text")]))
    assert [(e.row, e.field) for e in errors] == [(2, "source_reference")]
    assert "item 1" in errors[0].reason


def test_it_allows_the_same_source_reference_from_different_sources() -> None:
    assert len(parse(json_bytes([_item(), _item(source="nca_ceop")]))) == 2


def test_it_refuses_an_identical_item_without_a_reference() -> None:
    errors = refused(json_bytes([_item(source_reference=""), _item(source_reference=None)]))
    assert [(e.row, e.reason) for e in errors] == [(2, "is identical to item 1")]


def test_it_accepts_null_for_optional_fields() -> None:
    subject = {"role": "victim", "given_names": None, "date_of_birth": None, "sex": None, "addresses": None,
               "identifiers": [{"kind": "ip", "value": "192.0.2.1", "platform": None, "observed_at": None}]}
    (draft,) = parse(json_bytes([_item(source_reference=None, subjects=[subject])]))
    assert draft.source_reference == "" and draft.subjects[0].identifiers[0].observed_at is None
