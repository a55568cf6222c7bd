"""Hostile hash-set files: a number too long for ijson's C backend (it segfaulted the worker on ~4,300 digits),
split across reads or not, and errors that echo at most a short excerpt of what was sent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from winnow.core.hashsets import HashSetParseError, parse_hashset
from winnow.core.hashsets.vics import _READ_SIZE, MAX_DIGITS

HEAD = b'{"odata.metadata": "http://example.org/odata/$metadata#Media", "value": [{"MD5": "0123456789abcdef0123456789abcdef", "Category": '


def _vics(tmp_path: Path, number: bytes, pad: int = 0) -> Path:
    path = tmp_path / "hostile.json"
    path.write_bytes(HEAD.replace(b'"value": [', b'"value": [' + b" " * pad) + number + b"}]}")
    return path


@pytest.mark.parametrize("digits", [MAX_DIGITS + 1, 4_300, 50_000])
@pytest.mark.parametrize("pad", [0, _READ_SIZE - len(HEAD) - 10])  # the second splits the number across two reads
def test_a_number_of_too_many_digits_is_refused_with_its_place(tmp_path: Path, digits: int, pad: int) -> None:
    path = _vics(tmp_path, b"9" * digits, pad)
    with pytest.raises(HashSetParseError) as info:
        list(parse_hashset(path))
    message = str(info.value)
    assert f"near byte {len(HEAD) + pad}" in message and "more than 1,000 digits" in message
    assert len(message) < 300 + len(str(path))


def test_a_number_of_exactly_the_limit_reaches_the_parser(tmp_path: Path) -> None:
    with pytest.raises(HashSetParseError) as info:
        list(parse_hashset(_vics(tmp_path, b"9" * MAX_DIGITS)))
    assert "digits" not in str(info.value)  # refused later, for what it is: not a category


def test_the_process_survives_the_file_that_used_to_crash_it(tmp_path: Path) -> None:
    """In a child process, so that a regression shows as a failed test rather than a dead test run."""
    path = _vics(tmp_path, b"9" * 5_000)
    code = f"from winnow.core.hashsets import parse_hashset\ntry:\n list(parse_hashset({str(path)!r}))\nexcept Exception as e:\n print(type(e).__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)  # noqa: S603 - our own code
    assert result.returncode == 0 and result.stdout.strip() == "HashSetParseError"


def test_a_20_mb_header_line_is_not_echoed_whole(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"x" * 20_000_000 + b"\n0123456789abcdef0123456789abcdef\n")
    with pytest.raises(HashSetParseError) as info:
        list(parse_hashset(path, format="csv"))
    assert len(str(info.value)) < 300 + len(str(path))
