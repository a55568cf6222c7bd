"""Offline scoring of a CSV of answers (what `winnow assess INSTRUMENT.yaml ANSWERS.csv` prints)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.core.instruments import (
    NOT_SCORABLE,
    UNKNOWN,
    CsvError,
    Instrument,
    InstrumentError,
    assess_files,
    format_row,
    load_instrument,
    parse_answer,
    score_csv,
)
from winnow.core.instruments.schema import Item, ItemKind, Option

PHASED_HEADER = (
    "_label,prior_contact_offence,prior_noncontact_offence,sexual_convictions,previous_custody,lives_with_children,"
    "access_children_known,access_children_role,incitement,grooming,producing_iioc,sexual_communication,"
    "other_convictions,domestic_abuse,substance_misuse,_expected"
)


def csv(*rows: str, header: str = PHASED_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_it_scores_each_row(phased: Instrument) -> None:
    rows = score_csv(
        phased,
        csv(
            "contact history,yes,no,0,no,no,no,no,no,no,no,no,no,no,no,Very High",
            "all no,no,no,0,no,no,no,no,no,no,no,no,no,no,no,low",
            "nothing known,,,,,,,,,,,,,,,not scorable",
            "grooming unknown,no,no,0,no,no,no,no,no,unknown,no,no,no,no,no,Low",
        ),
    )

    assert [row.row for row in rows] == [2, 3, 4, 5]
    assert [row.label for row in rows] == ["contact history", "all no", "nothing known", "grooming unknown"]
    assert [row.result.band.label for row in rows if row.result and row.result.band] == [
        "Very High",
        "Low",
        NOT_SCORABLE.label,
        "Low",
    ]
    assert all(row.matches_expected for row in rows)
    assert rows[3].result is not None and rows[3].result.unknown_items == ("grooming",)


def test_a_bad_cell_is_an_error_naming_its_row_and_column(phased: Instrument) -> None:
    rows = score_csv(
        phased,
        csv(
            "ok,no,no,0,no,no,no,no,no,no,no,no,no,no,no,",
            "bad,no,maybe,-1,no,no,no,no,no,no,no,no,no,no,no,",
            "too many,no,no,300,no,no,no,no,no,no,no,no,no,no,no,",
        ),
    )

    assert rows[0].result is not None and rows[0].error is None
    assert rows[1].result is None
    assert rows[1].error == (
        "row 3, column 'prior_noncontact_offence': 'maybe' is not yes, no or unknown; "
        "row 3, column 'sexual_convictions': '-1' is not a whole number"
    )
    assert (
        rows[2].error == "row 4, column 'sexual_convictions': must be at least 0 and at most 200, found 300"
    )
    assert format_row(rows[1]).startswith("Row 3 (bad): ERROR row 3, column 'prior_noncontact_offence'")


def test_a_missing_column_is_unknown_for_every_row(phased: Instrument) -> None:
    (row,) = score_csv(phased, csv("yes", header="prior_contact_offence"))

    assert row.result is not None
    assert row.result.band.label == "Very High"  # type: ignore[union-attr]
    assert row.result.unknown_count == 13


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "prior_contact_offence,grooming,colour",
            "row 1, column 'colour': is not an item of phased-prioritisation",
        ),
        (
            "prior_contact_offence,any_access",
            "row 1, column 'any_access': is a derived item: it is computed, not answered",
        ),
        ("grooming,grooming", "row 1, column 'grooming': the column appears twice"),
    ],
)
def test_a_bad_header_rejects_the_whole_file(phased: Instrument, header: str, message: str) -> None:
    with pytest.raises(CsvError) as info:
        score_csv(phased, csv("yes,no", header=header))
    assert str(info.value) == message


def test_an_empty_csv_is_rejected(phased: Instrument) -> None:
    with pytest.raises(CsvError, match="empty"):
        score_csv(phased, "\n\n")


def test_row_numbers_count_blank_lines_like_a_spreadsheet(phased: Instrument) -> None:
    rows = score_csv(phased, "\ufeffgrooming\nyes\n\nno\n")
    assert [row.row for row in rows] == [2, 4]


def test_an_extra_cell_is_a_row_error(phased: Instrument) -> None:
    (row,) = score_csv(phased, csv("yes,no,extra", header="grooming,incitement"))
    assert row.error == "row 2: 3 cells but 2 columns"


def test_a_mismatch_with_the_expected_band_is_reported(phased: Instrument) -> None:
    (row,) = score_csv(phased, csv("yes,High", header="prior_contact_offence,_expected"))

    assert row.matches_expected is False
    assert "MISMATCH: expected High, got Very High" in format_row(row)


def test_cport_rows_can_carry_a_casic_score(cport: Instrument) -> None:
    header = "age_at_index,prior_criminal_history,contact_sexual_offending,conditional_release_failure,sexual_interest,more_boy_content_csam,more_boy_content_other,_result:casic"
    rows = score_csv(
        cport,
        csv(
            "30,yes,no,no,,no,no,4",
            "30,yes,no,no,,no,no,2",
            "30,yes,no,no,,no,no,",
            "30,1,0,0,,0,0,x",
            header=header,
        ),
    )

    assert [row.result.score for row in rows[:3]] == [3, 2, 2]  # type: ignore[union-attr]
    assert rows[2].result.score_max == 3  # type: ignore[union-attr]
    assert rows[3].error == "row 5, column '_result:casic': 'x' is not a whole-number score"
    assert "score 3" in format_row(rows[0])


def test_assess_files_prints_every_row_and_a_summary(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(
        csv("a,yes,,,,,,,,,,,,,,very_high", "b,no,no,0,no,yes,no,no,no,no,no,no,no,no,no,Medium"),
        encoding="utf-8",
    )
    instrument = Path(__file__).resolve().parents[3] / "instruments" / "phased-prioritisation.yaml"

    printed, status = assess_files(instrument, answers)

    assert status == 0
    assert printed.startswith("Row 2 (a): Winnow phased prioritisation aid (not KIRAT) 0.2.0: Very High")
    assert "Row 3 (b): Winnow phased prioritisation aid (not KIRAT) 0.2.0: Medium" in printed
    assert "NOT KIRAT" in printed
    assert printed.endswith("2 rows: 2 scored (0 not scorable), 0 with errors, 0 not as expected.")

    answers.write_text(csv("a,maybe,,,,,,,,,,,,,,"), encoding="utf-8")
    printed, status = assess_files(instrument, answers)
    assert status == 1
    assert "ERROR row 2, column 'prior_contact_offence'" in printed


def test_assess_files_reports_a_broken_instrument(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("a\n", encoding="utf-8")

    with pytest.raises(InstrumentError) as info:
        assess_files(broken, answers)
    assert info.value.path == str(broken)


def _item(kind: ItemKind, **extra: object) -> Item:
    return Item("x", kind, "X?", "", "s", 1, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "cell", "value"),
    [
        (_item(ItemKind.YESNO), " Yes ", True),
        (_item(ItemKind.YESNO), "n", False),
        (_item(ItemKind.YESNO), "0", False),
        (_item(ItemKind.YESNO), "", UNKNOWN),
        (_item(ItemKind.YESNO), "Unknown", UNKNOWN),
        (_item(ItemKind.COUNT), "12", 12),
        (
            _item(ItemKind.CHOICE, options=(Option("in_person", "In person"), Option("none", "None"))),
            "In Person",
            "in_person",
        ),
        (
            _item(ItemKind.CHOICE, options=(Option("in_person", "In person"), Option("none", "None"))),
            "none",
            "none",
        ),
        (_item(ItemKind.DATE), "2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_parse_answer_reads_each_kind(item: Item, cell: str, value: object) -> None:
    assert parse_answer(item, cell) == value or parse_answer(item, cell) is value


@pytest.mark.parametrize(
    ("item", "cell", "message"),
    [
        (_item(ItemKind.YESNO), "perhaps", "'perhaps' is not yes, no or unknown"),
        (_item(ItemKind.COUNT), "1.5", "'1.5' is not a whole number"),
        (_item(ItemKind.CHOICE, options=(Option("a", "A"), Option("b", "B"))), "c", "'c' is not one of a, b"),
        (_item(ItemKind.DATE), "2023-02-29", "'2023-02-29' is not a date (YYYY-MM-DD)"),
        (_item(ItemKind.DATE), "29/02/2024", "'29/02/2024' is not a date (YYYY-MM-DD)"),
    ],
)
def test_parse_answer_says_why_a_cell_is_not_an_answer(item: Item, cell: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_answer(item, cell)
    assert str(info.value) == message


def test_csv_syntax_errors_name_the_row(phased: Instrument) -> None:
    with pytest.raises(CsvError, match="row 2: not valid CSV"):
        score_csv(phased, 'grooming\n"ye"s\n')


def test_the_csv_reader_ignores_nothing_silently(phased: Instrument) -> None:
    text = textwrap.dedent(
        """\
        grooming,incitement
        yes,
        """
    )
    (row,) = score_csv(phased, text)
    assert row.result is not None
    assert row.result.answers["incitement"] is UNKNOWN


PHASED = load_instrument(Path(__file__).resolve().parents[3] / "instruments" / "phased-prioritisation.yaml")


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(
        st.sampled_from(["grooming", "sexual_convictions", "_label", "_expected", "_result:casic", "x"]),
        max_size=4,
    ),
    body=st.text(alphabet=st.sampled_from(list('yesno0123,"\n\r unknown;\x00é')), max_size=80),
)
def test_any_csv_gives_rows_or_a_csv_error(header: list[str], body: str) -> None:
    try:
        rows = score_csv(PHASED, ",".join(header) + "\n" + body)
    except CsvError as error:
        assert str(error).startswith("row ")
    else:
        for row in rows:
            assert (row.result is None) == (row.error is not None)
            format_row(row)
