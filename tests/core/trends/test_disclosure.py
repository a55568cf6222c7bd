"""Small-cell suppression, secondary suppression, k-anonymity, pseudonyms and age bands."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winnow.core.trends import HIDDEN, age_band, pseudonym, smallest_class, suppress, trend_table


def test_it_hides_every_count_from_one_to_threshold_minus_one_but_not_zero() -> None:
    cells = {"a": 0, "b": 1, "c": 9, "d": 10, "e": 250}
    assert suppress(cells, [], 10) == {"b", "c"}


def test_a_lone_hidden_cell_in_a_group_with_a_published_total_takes_the_next_smallest_with_it() -> None:
    cells = {"a": 3, "b": 40, "c": 12, "d": 0, "total": 55}
    hidden = suppress(cells, [["a", "b", "c", "d", "total"]], 10)
    assert hidden == {"a", "c"}  # 12 is the smallest non-zero other cell; the zero is not chosen first


def test_secondary_suppression_spreads_across_overlapping_groups_until_none_has_one_hidden_cell() -> None:
    # Two years by two quarters: the quarter columns and the year rows are both published.
    cells = {(y, q): v for (y, q), v in zip(itertools.product("XY", "12"), [4, 30, 25, 31], strict=True)}
    rows = [[("X", "1"), ("X", "2")], [("Y", "1"), ("Y", "2")]]
    cols = [[("X", "1"), ("Y", "1")], [("X", "2"), ("Y", "2")]]
    hidden = suppress(cells, rows + cols, 10)
    assert hidden == set(cells)  # a 2x2 table with one small cell cannot be protected any other way
    for group in rows + cols:
        assert sum(1 for key in group if key in hidden) != 1


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # the shared machine is loaded
@given(st.lists(st.integers(0, 40), min_size=2, max_size=8), st.integers(2, 12))
def test_no_group_is_left_with_exactly_one_hidden_cell(values: list[int], threshold: int) -> None:
    cells = {i: v for i, v in enumerate(values)}
    cells["n"] = sum(values)
    hidden = suppress(cells, [list(cells)], threshold)
    assert all(not 0 < cells[k] < threshold for k in cells if k not in hidden)
    assert sum(1 for k in cells if k in hidden) != 1


def test_the_table_shows_c_for_hidden_cells_and_their_shares() -> None:
    table = trend_table(
        measure="sex", label="Sex", options=[("male", "Male"), ("female", "Female"), ("unknown", "Unknown")],
        periods=["2020", "2021"], counts={("male", "2020"): 40, ("female", "2020"): 3, ("unknown", "2020"): 12,
                                          ("male", "2021"): 50, ("female", "2021"): 11, ("unknown", "2021"): 10},
        n={"2020": 55, "2021": 71}, threshold=10,
    )
    assert table.cells[("female", "2020")].count is None
    assert table.cells[("unknown", "2020")].count is None  # secondary: 55 - 40 would give it away
    assert table.cells[("male", "2020")].count == 40
    header, rows = table.csv_rows()
    female_2020 = next(r for r in rows if r[1] == "Female" and r[2] == "2020")
    assert female_2020[3:] == [HIDDEN, 55, HIDDEN, HIDDEN, HIDDEN]
    male_2021 = next(r for r in rows if r[1] == "Male" and r[2] == "2021")
    assert male_2021[3] == 50 or male_2021[3] == "50"
    assert table.trends["female"] is None and table.trends["male"] is not None
    for row in rows:
        assert row[3] == HIDDEN or not 0 < int(row[3]) < 10


def test_k_anonymity_finds_the_smallest_class() -> None:
    rows = [{"age": "30-34", "sex": "male"}] * 6 + [{"age": "60-64", "sex": "female"}] * 2
    assert smallest_class(rows, ["age", "sex"]) == (2, ("60-64", "female"))
    assert smallest_class([], ["age"]) == (0, None)


def test_pseudonyms_are_keyed_and_stable() -> None:
    assert pseudonym(b"k1", "north:P1") == pseudonym(b"k1", "north:P1")
    assert pseudonym(b"k1", "north:P1") != pseudonym(b"k2", "north:P1")
    assert "P1" not in pseudonym(b"k1", "north:P1")
    with pytest.raises(ValueError, match="key"):
        pseudonym(b"", "x")


@pytest.mark.parametrize(("age", "band"), [(None, "unknown"), (7, "under 10"), (19, "15-19"), (20, "20-24"),
                                           (64, "60-64"), (93, "90+")])
def test_age_bands_are_five_years_wide(age: int | None, band: str) -> None:
    assert age_band(age) == band


def test_year_and_quarter_tables_hide_together_so_neither_gives_the_other_away() -> None:
    import random

    from winnow.core.trends import year_and_quarter_tables

    rng = random.Random(5)
    options = [("a", "A"), ("b", "B"), ("unknown", "Unknown")]
    counts: dict[tuple[str, int], int] = {}
    n: dict[int, int] = {}
    for year in (2020, 2021, 2022):
        for q in range(1, 5):
            quarter = year * 10 + q
            values = [rng.choice([0, 2, 5, 12, 30]) for _ in options]
            for (code, _), v in zip(options, values, strict=True):
                counts[(code, quarter)] = v
            n[quarter] = sum(values)
    by_year, by_quarter = year_and_quarter_tables(measure="m", label="M", options=options, counts=counts, n=n,
                                                  threshold=10)
    for code, _ in options:
        for year in by_year.periods:
            quarters = [by_quarter.cells[(code, p)].count for p in by_quarter.periods if p.startswith(year)]
            if by_year.cells[(code, year)].count is None:
                assert all(c is None for c in quarters)  # a hidden year cell is not the sum of shown quarters
            else:
                assert quarters.count(None) != 1  # nor is one hidden quarter the year less the others
    for table in (by_year, by_quarter):
        assert all(c.count is None or not 0 < c.count < 10 for c in table.cells.values())


def test_a_chart_line_breaks_where_a_cell_is_hidden() -> None:
    from datetime import date

    from winnow.core.trends.charts import share_chart

    table = trend_table(measure="m", label="M", options=[("a", "A"), ("b", "B")], periods=["2019", "2020", "2021"],
                        counts={("a", "2019"): 20, ("b", "2019"): 20, ("a", "2020"): 3, ("b", "2020"): 40,
                                ("a", "2021"): 15, ("b", "2021"): 15}, n={"2019": 40, "2020": 43, "2021": 30},
                        threshold=10)
    chart = share_chart(table, covid=(date(2020, 3, 23), date(2022, 2, 24)))
    a = chart.series[0]
    assert [p.index for p in a.points] == [0, 2] and a.segments == ()
    assert chart.shade is not None and chart.n == 113


def test_the_survival_chart_is_drawn_only_from_what_the_life_table_shows() -> None:
    from winnow.core.trends import kaplan_meier, life_table
    from winnow.core.trends.charts import life_chart

    km = kaplan_meier([10.0, 20.0, 150.0, 160.0, 400.0] * 6 + [900.0] * 40, [True, False] * 15 + [False] * 40)
    rows = [{"from_day": a, "to_day": a + 91, "at_risk": next((r.at_risk for r in km.rows if r.time >= a), 0),
             "events": sum(r.events for r in km.rows if a <= r.time < a + 91),
             "censored": sum(r.censored for r in km.rows if a <= r.time < a + 91),
             "survival": km.survival_at(a + 90), "low": 0.5, "high": 0.99} for a in range(0, 910, 91)]
    life = life_table(rows, 10)
    chart = life_chart(life, n=km.n, events=km.events, max_days=1000)
    shown = [row for row in life if isinstance(row["survival"], float)]
    hidden = [row for row in life if row["survival"] == "[c]"]
    assert hidden and shown
    assert len(chart.curve.split()) == 1 + len(shown)
