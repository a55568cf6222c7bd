"""Phone numbers: E.164 via phonenumbers, GB by default, impossible numbers refused with the reason."""

import pytest

from winnow.core.identifiers import IdentifierError, IdentifierKind, normalise, normalise_phone


@pytest.mark.parametrize(
    "value",
    [
        "07700 900461",
        "07700900461",
        "+44 7700 900461",
        "0044 7700 900461",
        "+44 (0)7700 900461",
        "(07700) 900-461",
    ],
)
def test_it_writes_every_spelling_of_a_uk_number_in_e164(value):
    assert normalise(IdentifierKind.PHONE, value) == "+447700900461"


def test_it_uses_the_default_region_only_for_numbers_without_a_country_code():
    assert normalise("phone", "(202) 555-0143", default_region="US") == "+12025550143"
    assert normalise("phone", "+44 7700 900461", default_region="US") == "+447700900461"


def test_it_applies_a_declared_country_calling_code_to_a_national_number():
    assert normalise_phone("06 12 34 56 78", country_calling_code="+33") == "+33612345678"
    assert normalise_phone("07700 900461", country_calling_code="+44", default_region="US") == "+447700900461"
    # a number that carries its own country code keeps it
    assert normalise_phone("+33 6 12 34 56 78", country_calling_code="+44") == "+33612345678"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("123", "too short"),
        ("+44 7700 900461 123456", "too long"),
        ("+999 1234 5678", "country code"),
        ("not a number", "not a number"),
        ("", "empty"),
    ],
)
def test_it_refuses_impossible_numbers_with_the_reason(value, reason):
    with pytest.raises(IdentifierError, match=reason):
        normalise("phone", value)


def test_it_refuses_a_country_calling_code_that_does_not_exist():
    with pytest.raises(IdentifierError, match="does not exist"):
        normalise_phone("1234567", country_calling_code="+999")
