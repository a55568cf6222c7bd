"""Every value in the sample package (element text or attribute) is found somewhere in what the parser returns."""

import dataclasses
import xml.etree.ElementTree as ET  # noqa: S405 - reading our own fictional sample, not untrusted input
from datetime import date, datetime
from enum import Enum

from winnow.core.cybertipline import read_package

from .support import SAMPLE_PATHS


def _values_in_sample() -> set[str]:
    values = set()
    for path in SAMPLE_PATHS:
        for element in ET.parse(path).iter():  # noqa: S314
            if len(element) == 0 and element.text and element.text.strip():
                values.add(element.text.strip())
            values.update(v.strip() for v in element.attrib.values())
    return values - {"true", "false"}  # booleans are asserted one by one in test_sample_package


def _values_parsed(obj, found: set[str]) -> set[str]:
    if isinstance(obj, Enum):
        found.add(str(obj.value))
    elif isinstance(obj, str):
        found.add(obj)
    elif isinstance(obj, bool) or obj is None or isinstance(obj, bytes):
        pass
    elif isinstance(obj, int):
        found.add(str(obj))
    elif isinstance(obj, datetime):
        found.add(obj.isoformat().replace("+00:00", "Z"))
    elif isinstance(obj, date):
        found.add(obj.isoformat())
    elif isinstance(obj, tuple):
        for item in obj:
            _values_parsed(item, found)
    elif dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            if field.name not in ("document", "source"):
                _values_parsed(getattr(obj, field.name), found)
    return found


def test_it_drops_no_value_of_the_sample():
    package = read_package(*SAMPLE_PATHS)
    parsed = _values_parsed(package.report, set())
    for file_details in package.files:
        _values_parsed(file_details, parsed)
    missing = _values_in_sample() - parsed
    assert not missing, f"sample values that landed nowhere: {sorted(missing)}"
