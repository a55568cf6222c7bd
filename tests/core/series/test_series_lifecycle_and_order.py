"""The lifecycle table and the queue's order: a table of signals and the order expected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from winnow.core.series import IllegalMove, Signals, Status, check_move, order_key, ordered, reasons

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RECENT = NOW - timedelta(days=90)
OLD = NOW - timedelta(days=365 * 6)


@pytest.mark.parametrize(("current", "to"), [
    (Status.NEW, Status.UNDER_REVIEW), (Status.UNDER_REVIEW, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.CHILD_IDENTIFIED), (Status.CHILD_IDENTIFIED, Status.SAFEGUARDED),
    (Status.CHILD_IDENTIFIED, Status.CHILD_IDENTIFIED), (Status.NEW, Status.REFERRED_NATIONAL),
    (Status.NOT_IDENTIFIABLE, Status.UNDER_REVIEW),
])
def test_it_allows_the_moves_of_the_table(current: Status, to: Status) -> None:
    check_move(current, to)


@pytest.mark.parametrize(("current", "to"), [
    (Status.NEW, Status.CHILD_IDENTIFIED), (Status.NEW, Status.SAFEGUARDED), (Status.SAFEGUARDED, Status.NEW),
    (Status.UNDER_REVIEW, Status.SAFEGUARDED), (Status.NOT_IDENTIFIABLE, Status.CHILD_IDENTIFIED),
])
def test_it_refuses_other_moves_naming_both(current: Status, to: Status) -> None:
    with pytest.raises(IllegalMove, match="cannot become"):
        check_move(current, to)


# name, signals; listed in the order the queue must show them
TABLE = [
    ("self-produced, access", Signals(1, 3, device_match=True, latest_capture=RECENT, access_to_children=True)),
    ("self-produced", Signals(2, 3, device_match=True, latest_capture=RECENT)),
    ("after access began", Signals(3, 3, latest_capture=OLD, access_start=OLD - timedelta(days=1),
                                   access_to_children=True)),
    ("access only", Signals(4, 3, access_to_children=True)),
    ("recent only", Signals(5, 3, latest_capture=RECENT)),
    ("device, old capture", Signals(6, 3, device_match=True, latest_capture=OLD)),
    ("infant", Signals(7, 3, youngest_age_band="infant")),
    ("prepubescent", Signals(8, 3, youngest_age_band="prepubescent")),
    ("unknown, two cases, big", Signals(9, 30, cases=2)),
    ("unknown, two cases", Signals(10, 3, cases=2)),
    ("unknown, one case, big", Signals(11, 30)),
    ("unknown, one case", Signals(12, 3)),
    ("older unknown, one case", Signals(13, 3)),
    ("known since", Signals(14, 50, unknown_to_all=False, cases=3)),
]


def test_the_queue_follows_the_table_whatever_order_it_is_given() -> None:
    expected = [name for name, _ in TABLE]
    by_series = {s.series: name for name, s in TABLE}
    for shuffled in (TABLE[::-1], TABLE[1::2] + TABLE[::2]):
        assert [by_series[s.series] for s in ordered([s for _, s in shuffled], NOW)] == expected


def test_every_signal_is_given_as_a_reason() -> None:
    s = Signals(1, 3, device_match=True, latest_capture=RECENT, access_to_children=True, cases=2,
                youngest_age_band="infant")
    text = " | ".join(reasons(s, NOW))
    for word in ("self-produced", "access to children", "last two years", "camera make and model",
                 "Infant", "Unknown to every loaded hash set", "Seen in 2 cases"):
        assert word in text
    assert reasons(Signals(2, 1, unknown_to_all=False), NOW) == []
    assert order_key(TABLE[0][1], NOW) < order_key(TABLE[1][1], NOW)
