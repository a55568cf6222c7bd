"""An IP alone is weak evidence: two sightings link only close in time, or from the same account."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from winnow.core.identifiers import DEFAULT_IP_LINK_WINDOW, IdentifierError, ip_observations_link

T0 = datetime(2026, 10, 3, 20, 58, 41, tzinfo=UTC)


def test_it_links_the_same_address_within_the_window():
    decision = ip_observations_link("203.0.113.57", T0, "203.0.113.57", T0 + timedelta(hours=3))
    assert decision
    assert decision.gap == timedelta(hours=3)
    assert "203.0.113.57" in decision.reason


def test_it_does_not_link_the_same_address_far_apart_in_time():
    decision = ip_observations_link(
        "203.0.113.57", T0, "203.0.113.57", T0 + DEFAULT_IP_LINK_WINDOW + timedelta(1)
    )
    assert not decision
    assert "apart" in decision.reason


def test_it_defaults_to_a_24_hour_window_and_honours_a_given_one():
    later = T0 + timedelta(hours=23)
    assert ip_observations_link("192.0.2.1", T0, "192.0.2.1", later)
    assert not ip_observations_link("192.0.2.1", T0, "192.0.2.1", later, window=timedelta(hours=1))


def test_it_compares_instants_across_time_zones():
    bst = timezone(timedelta(hours=1))
    assert ip_observations_link("192.0.2.1", T0, "192.0.2.1", T0.astimezone(bst) + timedelta(minutes=5),
                                window=timedelta(minutes=10))  # fmt: skip


def test_it_links_any_time_apart_for_the_same_account():
    decision = ip_observations_link(
        "203.0.113.57", T0, "203.0.113.57", T0 + timedelta(days=90), same_account=True
    )
    assert decision and "same account" in decision.reason


def test_it_never_links_different_addresses():
    assert not ip_observations_link("203.0.113.57", T0, "203.0.113.58", T0, same_account=True)


def test_it_compares_normalised_addresses():
    assert ip_observations_link("::ffff:192.0.2.1", T0, "192.0.2.1", T0)
    assert ip_observations_link("2001:DB8::17", T0, "2001:db8:0::17", T0)


SHARED_RANGES = ["10.0.0.1", "192.168.1.1", "100.64.3.4", "127.0.0.1", "fe80::1", "0.0.0.0"]  # noqa: S104


@pytest.mark.parametrize("address", SHARED_RANGES)
def test_it_never_links_addresses_shared_by_unrelated_networks(address):
    decision = ip_observations_link(address, T0, address, T0, same_account=True)
    assert not decision
    assert "many unrelated networks" in decision.reason


def test_it_does_not_link_on_an_unknown_time():
    assert not ip_observations_link("192.0.2.1", None, "192.0.2.1", T0)


def test_it_refuses_naive_times_and_bad_addresses():
    with pytest.raises(ValueError, match="timezone-aware"):
        ip_observations_link("192.0.2.1", datetime(2026, 10, 3), "192.0.2.1", T0)
    with pytest.raises(IdentifierError):
        ip_observations_link("nonsense", T0, "192.0.2.1", T0)
    with pytest.raises(ValueError, match="negative"):
        ip_observations_link("192.0.2.1", T0, "192.0.2.1", T0, window=timedelta(hours=-1))
