"""Values: times, dates of birth, choices, booleans and identifiers, each refused with row, field and reason."""

from __future__ import annotations

import pytest

from winnow.core.identifiers import normalise

from .support import csv_bytes, find, good_row, parse, refused


def _reason(row: dict[str, str], field: str) -> str:
    return find(refused(csv_bytes([row])), row=2, field=field).reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20/11/2026 09:30", "not an ISO 8601 date and time"),
        ("2026-11-20", "has no time of day"),
        ("2026-13-01T09:30", "not a valid date and time"),
        ("2026-02-30T09:30", "not a valid date and time"),
        ("2026-11-20T25:00", "not a valid date and time"),
        ("１９９９-01-01T00:00", "not an ISO 8601"),  # full-width digits are not ISO 8601
        ("1989-12-31T23:59:59Z", "before 1990"),
        ("0001-01-01T00:00+14:00", "before 1990"),  # no overflow converting year 1 across an offset
        ("9999-12-31T23:59-14:00", "in the future"),
        ("2026-11-21T12:06:00Z", "in the future"),
        ("", "is required"),
        ("2026-03-29 01:30", "does not exist in UK time"),
        ("2026-10-25 01:30", "happens twice in UK time"),
    ],
)
def test_it_refuses_bad_received_times(value: str, expected: str) -> None:
    assert expected in _reason(good_row(received_at=value), "received_at")


def test_it_allows_five_minutes_of_clock_difference() -> None:
    (draft,) = parse(csv_bytes([good_row(received_at="2026-11-21T12:04:59Z")]))
    assert draft.received_at.minute == 4


def test_it_accepts_an_explicit_offset_at_a_clock_change() -> None:
    (draft,) = parse(csv_bytes([good_row(received_at="2026-10-25T01:30:00+01:00")]))
    assert draft.received_at.isoformat() == "2026-10-25T00:30:00+00:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("06/05/2014", "YYYY-MM-DD"),
        ("2014-5-6", "YYYY-MM-DD"),
        ("2014-02-30", "not a valid date"),
        ("1899-12-31", "before 1900"),
        ("2026-11-22", "in the future"),
        ("2014-05-06T00:00", "YYYY-MM-DD"),
    ],
)
def test_it_refuses_bad_dates_of_birth(value: str, expected: str) -> None:
    assert expected in _reason(good_row(subject_date_of_birth=value), "subject_date_of_birth")


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("source", "CEOP", "nca_ceop, ncmec, force_intelligence, other_agency, public"),
        ("source", "", "is required"),
        ("subject_role", "suspect", "reported, intended_recipient, victim, other"),
        ("subject_role", "", "is required"),  # a victim must never default to "reported"
        ("subject_sex", "M", "male, female, other, unknown"),
        ("immediate_danger", "maybe", "yes, no, true, false"),
        ("immediate_danger", "", "is required"),  # unknown is not no
        ("immediate_danger", "1", "yes, no, true, false"),
    ],
)
def test_it_refuses_bad_choices_listing_the_allowed_ones(field: str, value: str, allowed: str) -> None:
    assert allowed in _reason(good_row(**{field: value}), field)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("emails", "alex@example.com;not-an-email", "not an email address"),
        ("phones", "12", "phone number"),
        ("usernames", "alex_example", "not platform:name"),
        ("usernames", ":alex", "not platform:name"),
        ("ip_addresses", "192.0.2.300", "not an IPv4 or IPv6 address"),
        ("ip_addresses", "192.0.2.1@", "no time after it"),
        ("ip_addresses", "192.0.2.1@last tuesday", "not an ISO 8601"),
        ("ip_addresses", "192.0.2.1@2027-01-01T00:00Z", "in the future"),
        ("device_ids", "IMEI#123", "device id"),
        ("emails", "alex@example.com; ALEX@example.com", "given twice"),
    ],
)
def test_it_refuses_bad_identifiers_with_the_normaliser_reason(field: str, value: str, expected: str) -> None:
    assert expected in _reason(good_row(**{field: value}), field)


def test_it_reads_several_identifiers_per_cell_and_ipv6_with_time() -> None:
    (draft,) = parse(csv_bytes([good_row(
        emails="a@example.com; b@example.org", phones="+44 7700 900123;07700 900456",
        usernames="exampleapp:a;OtherApp:@b.c", ip_addresses="2001:db8::1@2026-11-01 10:00;198.51.100.7",
        device_ids="35-209900-176148-1",
    )]))
    idents = [(i.kind.value, i.value, i.platform, i.observed_at is not None) for i in draft.subjects[0].identifiers]
    assert idents == [
        ("email", "a@example.com", "", False), ("email", "b@example.org", "", False),
        ("phone", "+44 7700 900123", "", False), ("phone", "07700 900456", "", False),
        ("username", "a", "exampleapp", False), ("username", "@b.c", "OtherApp", False),
        ("ip", "2001:db8::1", "", True), ("ip", "198.51.100.7", "", False),
        ("device", "35-209900-176148-1", "", False),
    ]
    for ident in draft.subjects[0].identifiers:  # the normaliser's own rules are tested with it
        assert ident.normalised == normalise(ident.kind, ident.value, platform=ident.platform)


def test_it_refuses_values_over_their_length_limits() -> None:
    errors = refused(csv_bytes([good_row(
        source_reference="R" * 101, subject_given_names="A" * 201, subject_address="x" * 501,
        summary="s" * 20_001,
    )]))
    assert {e.field for e in errors} == {"source_reference", "subject_given_names", "subject_address", "summary"}
    assert all("the limit is" in e.reason for e in errors)
