"""Device ids: IMEI check digit validated (14-digit IMEIs completed), IMEISV, ICCID, others upper-case compact."""

import pytest

from winnow.core.identifiers import (
    IdentifierError,
    imei_check_digit,
    match_keys,
    normalise,
    normalise_device,
)


def test_it_accepts_an_imei_whose_check_digit_is_right():
    assert normalise_device("35-693803-564380-9", id_type="IMEI") == "356938035643809"
    assert imei_check_digit("35693803564380") == "9"
    assert imei_check_digit("49015420323751") == "8"  # the GSMA's worked example


def test_it_refuses_an_imei_whose_check_digit_is_wrong():
    with pytest.raises(IdentifierError, match="check digit is 8, expected 9"):
        normalise_device("356938035643808", id_type="imei")


def test_it_completes_a_14_digit_imei_so_both_spellings_name_one_handset():
    assert normalise_device("35693803564380", id_type="IMEI") == "356938035643809"


@pytest.mark.parametrize("value", ["3569380356438", "3569380356438099", "35693803564380A"])
def test_it_refuses_an_imei_of_the_wrong_shape(value):
    with pytest.raises(IdentifierError, match="not an IMEI"):
        normalise_device(value, id_type="IMEI")


def test_it_keeps_an_imeisv_whole_and_offers_the_imei_as_a_match_key():
    assert normalise_device("3569380356438001", id_type="IMEISV") == "3569380356438001"
    assert match_keys("device", "3569380356438001", id_type="IMEISV") == {
        "3569380356438001",
        "356938035643809",
    }
    with pytest.raises(IdentifierError, match="IMEISV"):
        normalise_device("356938035643809", id_type="IMEISV")


def test_it_checks_the_shape_of_an_iccid():
    assert normalise_device("8944 1234 5678 9012 3456", id_type="ICCID") == "89441234567890123456"
    with pytest.raises(IdentifierError, match="ICCID"):
        normalise_device("1234567890123456789", id_type="ICCID")


def test_it_checks_an_meid():
    assert normalise_device("a0 00 00 00 00 00 01", id_type="MEID") == "A0000000000001"
    with pytest.raises(IdentifierError, match="MEID"):
        normalise_device("G0000000000001", id_type="MEID")


def test_it_keeps_other_ids_upper_case_without_separators_and_guesses_nothing():
    assert normalise("device", "aa:bb:cc:dd:ee:ff") == "AABBCCDDEEFF"
    assert normalise("device", "6f1a2b3c-0000-4abc-8def-0123456789ab") == "6F1A2B3C00004ABC8DEF0123456789AB"
    # without a declared type a 15-digit number is not assumed to be an IMEI, so a bad Luhn digit is no error
    assert normalise("device", "356938035643808") == "356938035643808"


@pytest.mark.parametrize("value", ["", "   ", "abc#def", "ÄBC"])
def test_it_refuses_what_cannot_be_a_device_id(value):
    with pytest.raises(IdentifierError):
        normalise("device", value)
