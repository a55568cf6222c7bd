"""The trends pages and their CSVs: analysts and supervisors of the unit; another unit 404, other roles 403,
anonymous to sign-in. Every figure equals independent SQL on the data, shows n, intervals, and no small cell."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.db import connection

from winnow.audit.models import AuditEvent
from winnow.research.gather import section_tables

from .factories import cases_with_facts

PAGES = ["profile", "concealment", "methods", "material", "interview", "reoffending", "youth"]


@pytest.fixture
def cases(units: Any, investigator: Any) -> list[Any]:
    return cases_with_facts(units["north"], investigator, 50)


def test_an_analyst_and_a_supervisor_of_the_unit_read_every_page(
    client: Any, cases: list[Any], analyst: Any, supervisor: Any
) -> None:
    for page in ["", *[f"trends/{p}/" for p in PAGES]]:
        for person in (analyst, supervisor):
            client.force_login(person)
            response = client.get(f"/research/{page}?unit=north")
            assert response.status_code == 200, (person, page)
            html = response.content.decode()
            assert "Covid-19 restrictions period, 23 March 2020" in html and "24 February 2022" in html
            if page and "reoffending" not in page:
                assert "n (cases recorded)" in html and "<svg" in html and "95%" in html and "n = " in html


def test_others_get_nothing(client: Any, cases: list[Any], handler: Any, investigator: Any,
                            outsider_supervisor: Any, make_person: Any) -> None:
    others = [handler, investigator, make_person("fran.forensic", "north", "forensic"),
              make_person("olly.manager", "north", "offender_manager"),
              make_person("adam.admin", "north", "administrator")]
    for page in ["", "trends/profile/", "trends/reoffending/", "trends/youth/", "trends/profile.csv"]:
        url = f"/research/{page}"
        client.logout()
        assert client.get(url).status_code == 302  # anonymous: to sign in
        for person in others:
            client.force_login(person)
            assert client.get(url + "?unit=north").status_code == 403, (person, page)
        client.force_login(outsider_supervisor)  # a supervisor, of another unit
        assert client.get(url + "?unit=north").status_code == 404
        assert "Testperson" not in client.get(url).content.decode()  # their own unit: nothing of Northmoor's


def _sql_year_counts(unit_id: int, measure: str) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, quarter / 10, COUNT(*) FROM research_casefact WHERE unit_id = %s AND current "
                       "AND measure = %s GROUP BY value, quarter / 10", [unit_id, measure])
        counts = {(v, str(y)): n for v, y, n in cursor.fetchall()}
        cursor.execute("SELECT quarter / 10, COUNT(DISTINCT subject_id) FROM research_casefact WHERE unit_id = %s "
                       "AND current AND measure = %s GROUP BY quarter / 10", [unit_id, measure])
        return counts, {str(y): n for y, n in cursor.fetchall()}


def test_every_figure_equals_independent_sql_or_is_suppressed(units: Any, cases: list[Any], settings: Any) -> None:
    settings.WINNOW_DISCLOSURE_THRESHOLD = 3  # so that most cells show and the comparison has teeth
    compared = 0
    for section in ("profile", "concealment", "methods", "material", "interview"):
        for tables in section_tables(units["north"].pk, section):
            counts, n = _sql_year_counts(units["north"].pk, tables.measure.code)
            table = tables.by_year
            for p, period in enumerate(table.periods):
                assert table.n[p] in (None, n.get(period, 0))
                for code, _ in table.options:
                    cell = table.cells[(code, period)]
                    if cell.count is not None:
                        assert cell.count == counts.get((code, period), 0)
                        compared += 1
            # The quarter table adds up to the year table wherever both show.
            for code, _ in table.options:
                for year in table.periods:
                    quarters = [tables.by_quarter.cells[(code, q)].count for q in tables.by_quarter.periods
                                if q.startswith(year)]
                    if None not in quarters and table.cells[(code, year)].count is not None:
                        assert sum(quarters) == table.cells[(code, year)].count
    assert compared > 100


def test_no_page_or_csv_shows_a_count_below_the_threshold(client: Any, cases: list[Any], analyst: Any) -> None:
    client.force_login(analyst)
    hidden = 0
    for section in ("profile", "concealment", "methods", "material", "interview", "youth"):
        for period in ("year", "quarter"):
            body = client.get(f"/research/trends/{section}.csv?unit=north&period={period}").content.decode()
            rows = list(csv.DictReader(io.StringIO(body)))
            assert rows
            for row in rows:
                for column in ("cases", "n"):
                    if row[column] == "[c]":
                        hidden += 1
                    else:
                        assert not 0 < int(row[column]) < 10, (section, period, row)
    assert hidden > 0  # 50 cases over 16 quarters: there are small cells, and they were hidden
    for period in ("year", "quarter"):
        html = client.get(f"/research/trends/profile/?unit=north&period={period}").content.decode()
        cells = [int(c) for c in re.findall(r'<td class="govuk-table__cell">(\d+)<', html)]
        assert all(not 0 < c < 10 for c in cells)
        assert "[c]" in html
        if period == "year":
            assert any(c >= 10 for c in cells)


def test_reading_the_trends_is_audited_and_unknown_pages_are_404(client: Any, cases: list[Any], analyst: Any) -> None:
    client.force_login(analyst)
    assert client.get("/research/trends/nonsense/").status_code == 404
    assert client.get("/research/trends/reoffending.csv").status_code == 404
    client.get("/research/trends/material/?unit=north&period=quarter")
    client.get("/research/trends/material.csv?unit=north")
    read, export = AuditEvent.objects.filter(action__in=["trends.read", "trends.export"]).order_by("seq")
    assert read.detail == {"unit": "north", "page": "material", "period": "quarter"}
    assert export.actor == analyst and export.detail["page"] == "material"
