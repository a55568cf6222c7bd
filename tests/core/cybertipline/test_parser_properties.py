"""Whatever bytes arrive, the parser either returns a report or raises CyberTiplineError: never anything else."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winnow.core.cybertipline import CyberTiplineError, parse_package, parse_report, read_zip

from .support import FILE_1, REPORT

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLE = REPORT.read_bytes()
FILE = FILE_1.read_bytes()


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """The sample with a few spans replaced by arbitrary bytes or by pieces of XML syntax."""
    data = bytearray(original)
    pieces = st.one_of(
        st.binary(max_size=8),
        st.sampled_from(
            [b"<", b">", b"/", b"&", b'"', b"<!DOCTYPE x>", b"]]>", b"true", b"2026-13-40T99:99:99Z", b""]
        ),
    )
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 12)))
        data[start:end] = draw(pieces)
    return bytes(data)


@SETTINGS
@given(mutated(SAMPLE))
def test_it_raises_only_its_own_error_for_a_damaged_report(content):
    try:
        report = parse_report(content)
    except CyberTiplineError as error:
        assert error.document == "report.xml" and error.reason
        return
    for person in report.people:
        person.identifiers()  # never raises: problems are recorded, not thrown


@SETTINGS
@given(mutated(FILE))
def test_it_raises_only_its_own_error_for_a_damaged_package(content):
    try:
        parse_package([("report.xml", SAMPLE), ("file.xml", content)])
    except CyberTiplineError:
        pass


@SETTINGS
@given(st.binary(max_size=2048))
def test_it_raises_only_its_own_error_for_arbitrary_bytes(content):
    for parse in (parse_report, read_zip):
        try:
            parse(content)
        except CyberTiplineError:
            pass
