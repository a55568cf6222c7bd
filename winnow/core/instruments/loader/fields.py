"""The building blocks every part of the loader uses: the id patterns and limits, `_Map` (typed getters on one
YAML mapping that fail with the file's line, and a check for unknown keys) and `_ParserBase` (fail, as_map)."""

from __future__ import annotations

import difflib
import re
from typing import Any, NoReturn

from winnow.core.instruments.errors import InstrumentError
from winnow.core.instruments.marked_yaml import MarkedDict, MarkedList
from winnow.core.instruments.schema import NOT_SCORABLE

MAX_CONDITION_DEPTH = 16
PROVENANCE_STATUSES = ("published", "unvalidated", "restricted")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")  # items, sections, bands, options: safe in CSV headers and HTML ids
_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")  # steps and rules: "step1", "1a"
_INSTRUMENT_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_RESERVED_IDS = {NOT_SCORABLE.id}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, MarkedDict):
        return "a mapping"
    if isinstance(value, MarkedList):
        return "a list"
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"


class _Map:
    """A YAML mapping being validated: typed getters that fail with the line, and a check for unknown keys."""

    def __init__(self, parser: _ParserBase, data: MarkedDict, where: str, anchor: int | None = None) -> None:
        self.parser = parser
        self.data = data
        self.where = where
        self.anchor = anchor if anchor is not None else data.line  # the line that names this mapping
        self.used: set[str] = set()

    def fail(self, key: str | None, reason: str) -> NoReturn:
        line = self.data.value_lines.get(key, self.anchor) if key is not None else self.anchor
        self.parser.fail(line, f"{self.where}: {reason}")

    def line(self, key: str) -> int:
        return self.data.value_lines.get(key, self.data.line)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                unused = [k for k in self.data if k not in self.used]
                close = difflib.get_close_matches(key, unused, n=1)
                hint = (
                    f" (is {close[0]!r} on line {self.data.key_lines[close[0]]} a misspelling?)"
                    if close
                    else ""
                )
                self.fail(None, f"{key!r} is missing{hint}")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = True, default: str = "", hint: str = "") -> str:
        value = self.raw(key, required=required)
        if value is None and not required:
            return default
        if not isinstance(value, str):
            self.fail(key, f"{key!r} must be text, found {_describe(value)}{hint}")
        if required and not value.strip():
            self.fail(key, f"{key!r} must not be empty")
        return value.strip()

    def ident(self, key: str, pattern: re.Pattern[str] = _ID) -> str:
        value = self.text(key)
        if not pattern.match(value):
            self.fail(key, f"{key!r} {value!r} must match {pattern.pattern}")
        return value

    def integer(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value = self.raw(key, required=required)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, f"{key!r} must be a whole number, found {_describe(value)}")
        if minimum is not None and value < minimum:
            self.fail(key, f"{key!r} must be at least {minimum}, found {value}")
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.raw(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"{key!r} must be true or false, found {_describe(value)}")
        return value

    def mapping(self, key: str, *, required: bool = True) -> _Map | None:
        value = self.raw(key, required=required)
        if value is None and not required:
            return None
        if not isinstance(value, MarkedDict):
            self.fail(key, f"{key!r} must be a mapping, found {_describe(value)}")
        return _Map(self.parser, value, f"{self.where}.{key}", self.data.key_lines[key])

    def sequence(self, key: str, *, required: bool = True, non_empty: bool = False) -> list[tuple[Any, int]]:
        value = self.raw(key, required=required)
        if value is None and not required:
            return []
        if not isinstance(value, MarkedList):
            self.fail(key, f"{key!r} must be a list, found {_describe(value)}")
        if non_empty and not value:
            self.fail(key, f"{key!r} must not be empty")
        return list(zip(value, value.item_lines, strict=True))

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        out = []
        for value, line in self.sequence(key, required=required):
            if not isinstance(value, str) or not value.strip():
                self.parser.fail(
                    line, f"{self.where}.{key}: each entry must be non-empty text, found {_describe(value)}"
                )
            out.append(value.strip())
        return tuple(out)

    def done(self) -> None:
        for key in self.data:
            if key not in self.used:
                expected = ", ".join(sorted(self.used))
                self.parser.fail(
                    self.data.key_lines[key],
                    f"{self.where}: unknown key {key!r} (expected one of: {expected})",
                )


class _ParserBase:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int | None, reason: str) -> NoReturn:
        raise InstrumentError(self.path, line, reason)

    def as_map(self, value: Any, line: int, where: str) -> _Map:
        if not isinstance(value, MarkedDict):
            self.fail(line, f"{where}: must be a mapping, found {_describe(value)}")
        return _Map(self, value, where)
