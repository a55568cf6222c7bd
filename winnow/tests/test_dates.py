"""GOV.UK date inputs: each part in its own box; a bad entry names the part; UK time becomes UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django import forms

from winnow.dates import GovukDateField, GovukDateTimeField


class _Form(forms.Form):
    born = GovukDateField(label="Date of birth", required=False)
    seen = GovukDateTimeField(label="Received")


def _errors(data: dict[str, str]) -> dict[str, Any]:
    form = _Form(data)
    form.is_valid()
    return form.errors


def test_it_reads_day_month_year_and_uk_time_as_utc() -> None:
    form = _Form({"born-day": "1", "born-month": "4", "born-year": "1980", "seen-day": "20", "seen-month": "7",
                  "seen-year": "2026", "seen-hour": "14", "seen-minute": "30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1980, 4, 1)
    assert form.cleaned_data["seen"] == datetime(2026, 7, 20, 13, 30, tzinfo=UTC)  # BST is UTC+1


@pytest.mark.parametrize(("data", "message"), [
    ({"born-day": "1", "born-year": "1980"}, "Date of birth must include a month"),
    ({"born-day": "31", "born-month": "2", "born-year": "1980"}, "Date of birth must be a real date"),
    ({"born-day": "x", "born-month": "2", "born-year": "1980"}, "Date of birth must be a real date, in numbers"),
    ({"born-day": "1", "born-month": "2", "born-year": "80"}, "Year must include 4 numbers"),
])
def test_it_names_the_part_that_is_wrong(data: dict[str, str], message: str) -> None:
    assert _errors({**data, "seen": "2026-07-20T14:30"})["born"] == [message]


def test_it_asks_for_a_required_moment_and_its_time() -> None:
    assert _errors({})["seen"] == ["Enter received"]
    assert _errors({"seen-day": "1", "seen-month": "2", "seen-year": "2026"})["seen"] == [
        "Received must include an hour and a minute"]
    assert _errors({"seen-day": "1", "seen-month": "2", "seen-year": "2026", "seen-hour": "25", "seen-minute": "0"})[
        "seen"] == ["Received must be a real time, hour 0 to 23 and minute 0 to 59"]


def test_it_still_accepts_one_iso_value_for_scripts() -> None:
    form = _Form({"seen": "2026-01-05T09:00"})
    assert form.is_valid() and form.cleaned_data["seen"] == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_it_renders_three_boxes_with_the_entered_values_and_marks_the_bad_part() -> None:
    form = _Form({"born-day": "1", "born-year": "1980", "seen": "2026-01-05T09:00"})
    form.is_valid()
    html = str(form["born"])
    assert 'name="born-day"' in html and 'name="born-month"' in html and 'name="born-year"' in html
    assert 'value="1980"' in html and 'type="date"' not in html
    assert html.count("govuk-input--error") == 1  # only the month box
    assert form["born"].id_for_label == "id_born-day"  # the error summary links to the first box
