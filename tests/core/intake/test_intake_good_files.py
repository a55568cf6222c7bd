"""Good CSV and JSON files become the same drafts; the template is itself a good file."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake import COLUMNS, ReferralDraft, Sex, Source, SubjectRole, csv_template

from .support import GOOD_ITEM, csv_bytes, good_row, json_bytes, parse


def _without_locator(drafts: list[ReferralDraft]) -> list[ReferralDraft]:
    return [replace(d, locator="") for d in drafts]


def _two_referrals_csv(newline: str = "\r\n") -> bytes:
    return csv_bytes(
        [
            good_row(),
            good_row(
                subject_role="victim", subject_given_names="Sam", subject_family_name="Sample",
                subject_date_of_birth="2014-05-06", subject_sex="female", subject_address="",
                emails="", phones="", usernames="", ip_addresses="", device_ids="",
            ),
            good_row(
                source="force_intelligence", source_reference="", received_at="2026-11-21 09:15",
                summary="Second fictional referral.\nIt has two lines.", immediate_danger="yes",
                subject_role="", subject_given_names="", subject_family_name="", subject_date_of_birth="",
                subject_sex="", subject_address="", emails="", phones="", usernames="", ip_addresses="",
            ),
        ],
        newline=newline,
    )


def _two_referrals_json() -> list[dict[str, object]]:
    first = copy.deepcopy(GOOD_ITEM)
    first["subjects"].append(
        {"role": "victim", "given_names": "Sam", "family_name": "Sample", "date_of_birth": "2014-05-06", "sex": "female"}
    )
    second = {
        "source": "force_intelligence",
        "received_at": "2026-11-21 09:15",
        "summary": "Second fictional referral.\r\nIt has two lines.",
        "immediate_danger": True,
    }
    return [first, second]


def test_it_reads_a_good_csv_and_a_good_json_into_identical_drafts() -> None:
    from_csv = parse(_two_referrals_csv())
    from_json = parse(json_bytes(_two_referrals_json()))
    assert _without_locator(from_csv) == _without_locator(from_json)
    assert [d.locator for d in from_csv] == ["rows 2-3", "row 4"]
    assert [d.locator for d in from_json] == ["item 1", "item 2"]


def test_it_accepts_the_wrapped_json_form() -> None:
    wrapped = parse(json_bytes({"referrals": _two_referrals_json()}))
    assert _without_locator(wrapped) == _without_locator(parse(json_bytes(_two_referrals_json())))


def test_it_fills_the_drafts_with_typed_normalised_values() -> None:
    first, second = parse(_two_referrals_csv())
    assert first.source is Source.NCMEC and first.source_reference == "CT-0001"
    assert first.received_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert first.immediate_danger is False and second.immediate_danger is True
    reported, victim = first.subjects
    assert (reported.role, victim.role) == (SubjectRole.REPORTED, SubjectRole.VICTIM)
    assert victim.sex is Sex.FEMALE and victim.date_of_birth == date(2014, 5, 6)
    assert victim.addresses == () and victim.identifiers == ()
    assert [(i.kind, i.normalised) for i in reported.identifiers] == [
        (IdentifierKind.EMAIL, "alex@example.com"),
        (IdentifierKind.PHONE, "+447700900123"),
        (IdentifierKind.USERNAME, "exampleapp:alex_example"),
        (IdentifierKind.IP, "192.0.2.10"),
    ]
    username = reported.identifiers[2]
    assert (username.value, username.platform) == ("alex_example", "exampleapp")
    assert reported.identifiers[3].observed_at == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)
    # naive time is UK local time: 09:15 GMT in November is 09:15 UTC; the CRLF inside the summary became LF
    assert second.received_at == datetime(2026, 11, 21, 9, 15, tzinfo=UTC)
    assert second.summary == "Second fictional referral.\nIt has two lines."
    assert second.subjects == ()


def test_it_reads_uk_summer_time_as_an_hour_ahead_of_utc() -> None:
    (draft,) = parse(csv_bytes([good_row(received_at="2026-07-01 10:00")]))
    assert draft.received_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert draft.received_at.tzinfo is UTC


def test_it_trims_whitespace_and_treats_empty_optional_cells_as_empty() -> None:
    (draft,) = parse(csv_bytes([good_row(
        summary="  padded  ", subject_given_names="  Alex ", subject_date_of_birth=" ", subject_sex="",
        emails=" alex@example.com ; ; ", phones="", usernames="", ip_addresses="", subject_address=" a | | b ",
    )]))
    subject = draft.subjects[0]
    assert draft.summary == "padded" and subject.given_names == "Alex"
    assert subject.date_of_birth is None and subject.sex is Sex.UNKNOWN
    assert subject.addresses == ("a", "b")
    assert [i.value for i in subject.identifiers] == ["alex@example.com"]


def test_it_accepts_a_utf8_bom_case_insensitive_header_and_choices() -> None:
    header, rest = csv_bytes([good_row(source="NCMEC", subject_role="Victim", immediate_danger="TRUE")]).split(b"\r\n", 1)
    (draft,) = parse(b"\xef\xbb\xbf" + header.upper() + b"\r\n" + rest)
    assert draft.source is Source.NCMEC and draft.immediate_danger is True
    assert draft.subjects[0].role is SubjectRole.VICTIM


def test_it_accepts_csv_with_only_the_required_columns() -> None:
    columns = ["source", "received_at", "summary", "immediate_danger"]
    (draft,) = parse(csv_bytes([good_row()], columns=columns))
    assert draft.subjects == () and draft.source_reference == ""


def test_it_keeps_non_adjacent_rows_of_one_referral_together_in_file_order() -> None:
    rows = [
        good_row(),
        good_row(source_reference="CT-0002", subject_given_names="Bo"),
        good_row(subject_given_names="Cy", emails="cy@example.com"),
    ]
    first, second = parse(csv_bytes(rows))
    assert first.locator == "rows 2, 4" and second.locator == "row 3"
    assert [s.given_names for s in first.subjects] == ["Alex", "Cy"]


def test_it_skips_blank_rows_but_still_counts_them() -> None:
    data = csv_bytes([good_row(), {}, good_row(source_reference="CT-0002")])
    drafts = parse(data)
    assert [d.locator for d in drafts] == ["row 2", "row 4"]


def test_it_offers_a_template_that_is_itself_a_valid_file() -> None:
    template = csv_template()
    header = template.splitlines()[0]
    assert header.split(",") == list(COLUMNS)
    (draft,) = parse(template.encode("utf-8"))
    assert draft.locator == "row 2"
    assert "example.com" in template and "192.0.2." in template  # fictional: documentation domains and IPs
