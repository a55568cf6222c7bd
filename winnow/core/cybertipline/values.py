"""Typed value readers shared by every element reader: children and attributes checked against the schema, and
strict dateTime, date, boolean, integer, decimal and enum conversions whose errors name the document and element."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import TypeVar

from winnow.core.cybertipline.errors import CyberTiplineError
from winnow.core.cybertipline.xmltree import _Node

_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")

_DATETIME = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?P<f>\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})$")
_INTEGER = re.compile(r"^[+-]?\d{1,19}$")
MAX_WARNINGS = 200  # listed per document; the rest are counted
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class _ValueReader:
    """Reads typed values out of the tree of one document; every error names this document and the element."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.warnings: list[str] = []
        self.unlisted_warnings = 0

    def warn(self, path: str, reason: str) -> None:
        """A construct Winnow does not read: said, never fatal. The list is capped so a document of ten thousand
        unknown elements cannot make the warnings larger than the document's element limit allows."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"{path}: {reason}")
        else:
            self.unlisted_warnings += 1

    def finished_warnings(self) -> tuple[str, ...]:
        more = (f"... and {self.unlisted_warnings:,} more not listed",) if self.unlisted_warnings else ()
        return (*self.warnings, *more)

    def fail(self, path: str, reason: str) -> CyberTiplineError:
        return CyberTiplineError(self.document, path, reason)

    # --- structure

    def children(self, node: _Node, spec: Mapping[str, bool]) -> dict[str, list[_Node]]:
        """Group children by name. `spec` maps each allowed child to whether it may repeat; order is free."""
        if node.text.strip():
            raise self.fail(node.path, "has text where only child elements are expected")
        grouped: dict[str, list[_Node]] = {}
        for child in node.children:
            if child.tag not in spec:
                # a well-formed report with an element Winnow does not know is still imported: the package is
                # stored verbatim, so nothing is lost, and the warning says what was not read
                self.warn(child.path, f"unknown element <{child.tag}> in <{node.tag}>: not read, kept in the package")
                continue
            group = grouped.setdefault(child.tag, [])
            if group and not spec[child.tag]:
                raise self.fail(child.path, f"<{child.tag}> may appear only once in <{node.tag}>")
            group.append(child)
        return grouped

    def attributes(self, node: _Node, allowed: Iterable[str]) -> dict[str, str]:
        attrs = node.attrs or {}
        allowed_set = set(allowed)
        for key in attrs:
            if key not in allowed_set:
                self.warn(f"{node.path}/@{key}", f"unknown attribute {key!r} on <{node.tag}>: not read, kept in the package")
        return {key: value for key, value in attrs.items() if key in allowed_set}

    def text(self, node: _Node) -> str:
        if node.children:
            raise self.fail(node.children[0].path, f"<{node.tag}> holds text, not child elements")
        return node.text.strip()

    def one(self, kids: Mapping[str, list[_Node]], tag: str, convert: Callable[[_Node], _T]) -> _T | None:
        nodes = kids.get(tag)
        return convert(nodes[0]) if nodes else None

    def many(
        self, kids: Mapping[str, list[_Node]], tag: str, convert: Callable[[_Node], _T]
    ) -> tuple[_T, ...]:
        return tuple(convert(node) for node in kids.get(tag, ()))

    # --- typed leaves

    def string(self, node: _Node) -> str:
        self.attributes(node, ())
        return self.text(node)

    def boolean(self, node: _Node) -> bool:
        self.attributes(node, ())
        return self.bool_value(self.text(node), node.path)

    def flag(self, node: _Node) -> bool:
        """A presence flag (`xs:boolean fixed="true"` in the schema): an empty element means yes, as NCMEC's
        documentation writes them (`<sextortion/>`); some senders write true/false text instead."""
        self.attributes(node, ())
        value = self.text(node)
        return True if value == "" else self.bool_value(value, node.path)

    def bool_value(self, value: str, path: str) -> bool:
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise self.fail(path, f"{value[:40]!r} is not a boolean (true, false, 1 or 0)")

    def timestamp(self, node: _Node) -> datetime:
        self.attributes(node, ())
        return self.timestamp_value(self.text(node), node.path)

    def timestamp_value(self, value: str, path: str) -> datetime:
        match = _DATETIME.match(value)
        if not match:
            raise self.fail(
                path,
                f"{value[:40]!r} is not a dateTime with a time zone (YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm))",
            )
        try:
            offset = timedelta()
            if match["tz"] != "Z":
                sign = -1 if match["tz"][0] == "-" else 1
                offset = sign * timedelta(hours=int(match["tz"][1:3]), minutes=int(match["tz"][4:6]))
            micro = int((match["f"] or ".0")[1:7].ljust(6, "0"))
            moment = datetime(
                int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"]), int(match["mi"]),
                int(match["s"]), micro, tzinfo=timezone(offset),
            )  # fmt: skip
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise self.fail(path, f"{value!r} is not a valid dateTime ({exc})") from None

    def day(self, node: _Node) -> date:
        self.attributes(node, ())
        value = self.text(node)
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError("expected YYYY-MM-DD")
            return date(int(match["y"]), int(match["mo"]), int(match["d"]))
        except ValueError as exc:
            raise self.fail(node.path, f"{value[:40]!r} is not a date ({exc})") from None

    def integer(self, node: _Node, low: int, high: int) -> int:
        self.attributes(node, ())
        value = self.text(node)
        if not _INTEGER.match(value) or not low <= int(value) <= high:
            raise self.fail(node.path, f"{value[:40]!r} is not a whole number from {low} to {high}")
        return int(value)

    def decimal(self, node: _Node, low: float, high: float) -> float:
        self.attributes(node, ())
        value = self.text(node)
        if not _DECIMAL.match(value) or not low <= float(value) <= high:
            raise self.fail(node.path, f"{value[:40]!r} is not a number from {low:g} to {high:g}")
        return float(value)

    def enum(self, node: _Node, kind: type[_E], what: str) -> _E:
        self.attributes(node, ())
        value = self.text(node)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(v.value) for v in kind)
            raise self.fail(node.path, f"unknown {what} {value[:80]!r} (one of {allowed})") from None

    def opt_attr_bool(self, node: _Node, attrs: Mapping[str, str], key: str) -> bool | None:
        return self.bool_value(attrs[key].strip(), f"{node.path}/@{key}") if key in attrs else None

    def opt_attr_datetime(self, node: _Node, attrs: Mapping[str, str], key: str) -> datetime | None:
        return self.timestamp_value(attrs[key].strip(), f"{node.path}/@{key}") if key in attrs else None

    @staticmethod
    def opt_attr(attrs: Mapping[str, str], key: str) -> str | None:
        value = attrs.get(key)
        return value.strip() if value is not None else None
