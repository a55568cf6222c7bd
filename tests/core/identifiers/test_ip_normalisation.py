"""IP addresses: one written form, IPv4-mapped IPv6 as IPv4, and an honest label for ranges shared by many."""

import pytest

from winnow.core.identifiers import IdentifierError, IpScope, ip_scope, normalise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.57", "203.0.113.57"),
        (" 198.51.100.7 ", "198.51.100.7"),
        ("2001:DB8:04A1:0000:0000:0000:0000:0017", "2001:db8:4a1::17"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
    ],
)
def test_it_writes_one_form_per_address(value, expected):
    assert normalise("ip", value) == expected


@pytest.mark.parametrize(
    "value", ["010.0.0.1", "256.1.1.1", "192.0.2", "203.0.113.57:443", "2001:db8::g", "host"]
)
def test_it_refuses_what_is_not_an_address(value):
    with pytest.raises(IdentifierError, match="not an IPv4 or IPv6 address"):
        normalise("ip", value)


@pytest.mark.parametrize(
    ("value", "scope"),
    [
        ("192.0.2.10", IpScope.DOCUMENTATION),
        ("198.51.100.10", IpScope.DOCUMENTATION),
        ("203.0.113.10", IpScope.DOCUMENTATION),
        ("2001:db8::10", IpScope.DOCUMENTATION),
        ("10.1.2.3", IpScope.PRIVATE),
        ("172.20.0.1", IpScope.PRIVATE),
        ("192.168.1.10", IpScope.PRIVATE),
        ("fd12:3456::1", IpScope.PRIVATE),
        ("100.64.0.1", IpScope.SHARED),
        ("127.0.0.1", IpScope.LOOPBACK),
        ("::1", IpScope.LOOPBACK),
        ("169.254.1.1", IpScope.LINK_LOCAL),
        ("fe80::1", IpScope.LINK_LOCAL),
        ("224.0.0.1", IpScope.MULTICAST),
        ("0.0.0.0", IpScope.UNSPECIFIED),  # noqa: S104 - a value to label, not a bind address
        ("240.0.0.1", IpScope.RESERVED),
        ("::ffff:10.0.0.1", IpScope.PRIVATE),
    ],
)
def test_it_labels_ranges_that_do_not_name_one_network(value, scope):
    assert ip_scope(value) is scope
