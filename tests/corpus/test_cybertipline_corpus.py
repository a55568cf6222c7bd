"""The CyberTipline corpus (tests/corpus/cybertipline, built from the public schema and its typed clients) imports
with the expected values: presence flags read as yes, every schema attribute read, unknown constructs warned."""

from pathlib import Path

from winnow.core.cybertipline import read_package

CORPUS = Path(__file__).parent / "cybertipline"


def test_it_reads_presence_flags_as_yes_and_every_schema_attribute():
    package = read_package(CORPUS / "presence-flags/report.xml", CORPUS / "presence-flags/fileDetails.xml")
    report = package.report
    assert package.warnings == ()
    flags = report.annotations
    assert (flags.sextortion, flags.csam_solicitation, flags.informational) == (True, True, True)
    assert flags.minor_to_minor_interaction is False
    assert flags.spam is None  # absent is unknown, not no
    web = report.internet_details[0]
    assert web.third_party_hosted_content is True and len(web.urls) == 2
    assert report.law_enforcement.flea_country == "GB"
    assert report.law_enforcement.served_legal_process_international is True
    reported = report.reported_person
    assert reported.details.age_assertion_discrepancy is True
    account = reported.associated_accounts[0]
    assert (account.type, account.platform_third_party_user) == ("Linked", False)
    assert len(report.people) == 3
    assert report.immediate_danger
    (file,) = package.files
    notes = file.annotations
    assert (notes.viral, notes.generative_ai, notes.live_streaming, notes.infant) == (True, True, True, False)
    assert notes.bestiality is None
    assert file.details == (("Make", "ExampleCam"), ("PDQ", file.details[1][1]))
    assert file.detail_types == ("EXIF", "HASH")
    assert package.report_id == 190055001


def test_it_imports_unknown_constructs_and_lists_each_with_its_document_and_place():
    package = read_package(CORPUS / "unknown-constructs/report.xml")
    assert package.report.reported_person.screen_name == "harbour_gull"
    assert package.warnings == (
        "report.xml: /report/incidentSummary/futureSummaryField: unknown element <futureSummaryField> in "
        "<incidentSummary>: not read, kept in the package",
        "report.xml: /report/personOrUserReported/screenName/@confidence: unknown attribute 'confidence' on "
        "<screenName>: not read, kept in the package",
    )


def test_it_reads_a_utf16_report_as_its_utf8_twin():
    utf8 = read_package(CORPUS / "presence-flags/report.xml").report
    utf16 = read_package(CORPUS / "utf16/report.xml").report
    assert utf16.document.content != utf8.document.content  # kept verbatim, as received
    assert (utf16.annotations, utf16.people) == (utf8.annotations, utf8.people)
