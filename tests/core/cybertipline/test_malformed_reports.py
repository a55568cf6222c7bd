"""A malformed report is refused with the document, the element and the reason; nothing half-imported."""

import pytest

from winnow.core.cybertipline import (
    CyberTiplineError,
    parse_file_details,
    parse_package,
    parse_report,
)

from .support import DECLARATION, REPORT, file_details_xml, report_xml, reported_person_xml


def refused(content: bytes, *, name: str = "report.xml") -> CyberTiplineError:
    with pytest.raises(CyberTiplineError) as caught:
        parse_report(content, name=name)
    return caught.value


def test_it_names_the_document_element_and_reason_for_a_bad_datetime():
    error = refused(
        report_xml(summary="<incidentDateTime>03/10/2026 21:14</incidentDateTime>"), name="r1.xml"
    )
    assert error.document == "r1.xml"
    assert error.element_path == "/report/incidentSummary/incidentDateTime"
    assert "not a dateTime" in error.reason
    assert str(error).startswith("r1.xml: /report/incidentSummary/incidentDateTime: ")


@pytest.mark.parametrize(
    "value",
    [
        "2026-10-03T21:14:09",
        "2026-13-03T21:14:09Z",
        "2026-10-03 21:14:09Z",
        "2026-02-30T00:00:00Z",
        "20261003T211409Z",
    ],
)
def test_it_refuses_datetimes_without_zone_or_that_do_not_exist(value):
    error = refused(report_xml(summary=f"<incidentDateTime>{value}</incidentDateTime>"))
    assert error.element_path == "/report/incidentSummary/incidentDateTime"


def test_it_converts_offsets_and_fractions_to_utc():
    report = parse_report(
        report_xml(summary="<incidentDateTime>2026-10-03T22:14:09.123456789+01:00</incidentDateTime>")
    )
    assert report.incident_time.isoformat() == "2026-10-03T21:14:09.123456+00:00"


def test_it_refuses_an_unknown_incident_type_and_lists_the_known_ones():
    error = refused(report_xml(summary="<incidentType>Something Else</incidentType>"))
    assert error.element_path == "/report/incidentSummary/incidentType"
    assert "unknown incidentType 'Something Else'" in error.reason and "Child Sex Trafficking" in error.reason


@pytest.mark.parametrize("value", ["yes", "True", "2"])
def test_it_refuses_a_boolean_that_is_not_one(value):
    error = refused(report_xml(summary=f"<reportAnnotations><spam>{value}</spam></reportAnnotations>"))
    assert error.element_path == "/report/incidentSummary/reportAnnotations/spam"
    assert "not a boolean" in error.reason


def test_it_refuses_an_empty_boolean_that_is_not_a_presence_flag():
    # only the schema's fixed="true" flags mean yes when empty; an empty compromisedAccount says nothing
    error = refused(reported_person_xml("<compromisedAccount/>"))
    assert error.element_path == "/report/personOrUserReported/compromisedAccount"
    assert "not a boolean" in error.reason


def test_it_accepts_the_four_xml_schema_booleans():
    report = parse_report(
        report_xml(
            summary="<reportAnnotations><spam> 1 </spam><sextortion>0</sextortion></reportAnnotations>"
        )
    )
    assert (report.annotations.spam, report.annotations.sextortion) == (True, False)


def test_it_refuses_a_boolean_attribute_that_is_not_one():
    error = refused(
        reported_person_xml('<estimatedLocation verified="maybe"><city>Maidstone</city></estimatedLocation>')
    )
    assert error.element_path == "/report/personOrUserReported/estimatedLocation/@verified"


def test_it_points_at_the_nth_repeated_element():
    good = "<ipCaptureEvent><ipAddress>192.0.2.1</ipAddress><dateTime>2026-10-03T20:58:41Z</dateTime></ipCaptureEvent>"
    bad = "<ipCaptureEvent><ipAddress>192.0.2.2</ipAddress><dateTime>yesterday</dateTime></ipCaptureEvent>"
    error = refused(reported_person_xml(good + good + bad))
    assert error.element_path == "/report/personOrUserReported/ipCaptureEvent[3]/dateTime"


def test_it_refuses_an_unknown_event_name_and_a_bad_port():
    error = refused(
        reported_person_xml(
            "<ipCaptureEvent><ipAddress>192.0.2.1</ipAddress><eventName>Logout</eventName></ipCaptureEvent>"
        )
    )
    assert "unknown eventName 'Logout'" in error.reason
    error = refused(
        reported_person_xml(
            "<ipCaptureEvent><ipAddress>192.0.2.1</ipAddress><port>70000</port></ipCaptureEvent>"
        )
    )
    assert error.element_path.endswith("/port")


def test_it_refuses_bad_dates_of_birth_and_ages():
    inner = "<personOrUserReportedPerson><dateOfBirth>22/04/1979</dateOfBirth></personOrUserReportedPerson>"
    assert refused(reported_person_xml(inner)).element_path.endswith("personOrUserReportedPerson/dateOfBirth")
    inner = "<personOrUserReportedPerson><age>forty</age></personOrUserReportedPerson>"
    assert "whole number" in refused(reported_person_xml(inner)).reason


def test_it_refuses_a_prior_report_id_that_is_not_a_number():
    assert refused(reported_person_xml("<priorCTReports>CT-1234</priorCTReports>")).element_path.endswith(
        "priorCTReports"
    )


def test_it_imports_unknown_elements_and_attributes_with_a_warning_for_each():
    report = parse_report(report_xml("<incidentSummry><x/></incidentSummry>"))
    assert report.warnings == (
        "/report/incidentSummry: unknown element <incidentSummry> in <report>: not read, kept in the package",
    )
    assert report.incident_type is not None  # the rest of the report was read
    report = parse_report(reported_person_xml('<screenName colour="red">x</screenName>'))
    assert report.reported_person.screen_name == "x"
    assert report.warnings == (
        "/report/personOrUserReported/screenName/@colour: unknown attribute 'colour' on <screenName>: "
        "not read, kept in the package",
    )


def test_it_caps_the_warnings_it_lists_and_counts_the_rest():
    report = parse_report(report_xml("<extra/>" * 250))
    assert len(report.warnings) == 201
    assert report.warnings[-1] == "... and 50 more not listed"


def test_it_refuses_a_single_element_given_twice():
    error = refused(reported_person_xml("<screenName>a</screenName><screenName>b</screenName>"))
    assert error.element_path == "/report/personOrUserReported/screenName[2]"
    assert "only once" in error.reason


def test_it_is_tolerant_of_element_order():
    report = parse_report(
        f"{DECLARATION}<report><additionalInfo>late first</additionalInfo><personOrUserReported>"
        "<screenName>quietlantern_79</screenName><espService>Examplegram</espService></personOrUserReported>"
        "<incidentSummary><incidentDateTime>2026-10-03T21:14:09Z</incidentDateTime>"
        "<incidentType>Child Sex Trafficking</incidentType></incidentSummary></report>".encode()
    )
    assert report.additional_info == "late first" and report.reported_person.screen_name == "quietlantern_79"


def test_it_refuses_internet_details_without_exactly_one_subtype():
    error = refused(report_xml("<internetDetails><webPageIncident><url>https://example.com/a</url></webPageIncident>"
                               "<chatImIncident/></internetDetails>"))  # fmt: skip
    assert error.element_path == "/report/internetDetails" and "exactly one" in error.reason
    assert "exactly one" in refused(report_xml("<internetDetails/>")).reason


def test_it_refuses_text_where_elements_belong_and_elements_where_text_belongs():
    assert (
        "only child elements"
        in refused(report_xml("<personOrUserReported>hello</personOrUserReported>")).reason
    )
    error = refused(reported_person_xml("<screenName><b>x</b></screenName>"))
    assert error.element_path == "/report/personOrUserReported/screenName/b"


def test_it_sets_immediate_danger_only_when_the_reporter_escalated():
    danger = parse_report(
        report_xml(
            summary="<escalateToHighPriority>Child says abuse is ongoing tonight.</escalateToHighPriority>"
        )
    )
    assert danger.immediate_danger is True
    assert danger.escalate_to_high_priority == "Child says abuse is ongoing tonight."
    assert (
        parse_report(
            report_xml(summary="<escalateToHighPriority>  </escalateToHighPriority>")
        ).immediate_danger
        is False
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<report><incidentSummary></report>", "not well-formed"),
        (b"", "not well-formed"),
        (b"\x00\x01binary", "not well-formed"),
        (b"<report>", "not well-formed"),
        (b'<?xml version="1.0" encoding="no-such-encoding"?><report/>', "XML"),
    ],
)
def test_it_refuses_xml_that_is_not_well_formed(content, reason):
    assert reason in refused(content).reason


def test_it_refuses_a_wrong_root_element():
    error = refused(b"<reportResponse><responseCode>0</responseCode></reportResponse>")
    assert error.element_path == "/reportResponse" and "wrong root element" in error.reason
    with pytest.raises(CyberTiplineError, match="expected <fileDetails>"):
        parse_file_details(REPORT.read_bytes())
    with pytest.raises(CyberTiplineError, match="expected <report>"):
        parse_report(file_details_xml())


def test_it_refuses_a_bad_hash():
    error = None
    with pytest.raises(CyberTiplineError) as caught:
        parse_file_details(file_details_xml('<originalFileHash hashType="MD5">not-hex</originalFileHash>'))
    error = caught.value
    assert error.element_path == "/fileDetails/originalFileHash" and "32 hex digits" in error.reason
    with pytest.raises(CyberTiplineError, match="needs its hashType"):
        parse_file_details(
            file_details_xml("<originalFileHash>d41d8cd98f00b204e9800998ecf8427e</originalFileHash>")
        )


def test_it_refuses_an_unknown_industry_classification():
    with pytest.raises(CyberTiplineError, match="unknown industryClassification 'C3'"):
        parse_file_details(file_details_xml("<industryClassification>C3</industryClassification>"))


def test_it_refuses_file_details_whose_report_id_does_not_match():
    docs = [
        ("report.xml", report_xml()),
        ("f1.xml", file_details_xml("<reportId>190044900</reportId>", file_id="a")),
        ("f2.xml", file_details_xml("<reportId>190044901</reportId>", file_id="b")),
    ]
    with pytest.raises(CyberTiplineError) as caught:
        parse_package(docs)
    assert (caught.value.document, caught.value.element_path) == ("f2.xml", "/fileDetails/reportId")
    assert "190044901 does not match the report (190044900, from f1.xml)" in caught.value.reason
    with pytest.raises(CyberTiplineError, match="does not match"):
        parse_package(docs[:2], report_id=190044999)
    assert parse_package(docs[:2], report_id=190044900).report_id == 190044900


def test_it_refuses_packages_without_exactly_one_report_or_with_repeated_file_ids():
    with pytest.raises(CyberTiplineError, match="no <report>"):
        parse_package([("f.xml", file_details_xml())])
    with pytest.raises(CyberTiplineError, match="exactly one <report>"):
        parse_package([("a.xml", report_xml()), ("b.xml", report_xml())])
    with pytest.raises(CyberTiplineError, match="fileId f-1 is also in f1.xml"):
        parse_package(
            [("r.xml", report_xml()), ("f1.xml", file_details_xml()), ("f2.xml", file_details_xml())]
        )


def test_it_keeps_an_identifier_it_cannot_normalise_with_the_reason_instead_of_refusing_the_report():
    report = parse_report(
        reported_person_xml(
            "<espService>Examplegram</espService>"
            "<deviceId><idType>IMEI</idType><idValue>356938035643808</idValue></deviceId>"
            "<personOrUserReportedPerson><email>not-an-address</email></personOrUserReportedPerson>"
        )
    )
    problems = {i.raw: i for i in report.reported_person.identifiers()}
    assert problems["356938035643808"].normalised is None
    assert "check digit" in problems["356938035643808"].problem
    assert problems["not-an-address"].normalised is None and "@" in problems["not-an-address"].problem
