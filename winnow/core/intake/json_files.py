"""JSON files: a list of referral objects or {"referrals": [...]}, nesting refused before parsing, repeated keys
and syntax errors named by line and column."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from winnow.core.intake.checks import _Checker, _Errors, _label, _show
from winnow.core.intake.drafts import MAX_JSON_DEPTH, MAX_REFERRALS, ReferralDraft, Source
from winnow.core.intake.mapping import _json_object, _json_type, _mapping_referral

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


_FAILED = object()  # the document could not be read (the reason is already in errors)


def _parse_json(text: str, now: datetime, errors: _Errors) -> list[ReferralDraft]:
    if _nests_too_deep(text, errors):
        return []
    document = _load(text, errors)
    if document is _FAILED:
        return []
    items = _referral_items(document, errors)
    if items is None:
        return []
    return _drafts(items, now, errors)


def _nests_too_deep(text: str, errors: _Errors) -> bool:
    # Refuse deep nesting before json.loads, which would recurse (RecursionError) on [[[[...]]]].
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line, col = _line_col(text, match.start())
                errors.add(
                    None,
                    "",
                    f"the JSON nests deeper than the format allows ({MAX_JSON_DEPTH} levels) "
                    f"at line {line}, column {col}",
                )
                return True
        elif char in "]}":
            depth -= 1
    return False


def _load(text: str, errors: _Errors) -> object:
    try:
        return json.loads(text.lstrip("\ufeff"), object_pairs_hook=_json_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        errors.add(
            None, "", f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        )
        return _FAILED
    except (ValueError, RecursionError) as exc:  # e.g. an integer with more than 4,300 digits
        errors.add(None, "", f"the file is not valid JSON: {str(exc)[:200]}")
        return _FAILED


def _referral_items(document: object, errors: _Errors) -> list[Any] | None:
    """The list of referral items: the document itself, or its "referrals"; None when there is none to read."""
    items: object = document
    if isinstance(document, Mapping):
        for key in getattr(document, "repeated", ()):
            errors.add(None, _label(key), "is given more than once")
        for key in document:
            if key != "referrals":
                errors.add(
                    None, _label(key), 'is not a known field; the file holds {"referrals": [...]} or a list'
                )
        if "referrals" not in document:
            errors.add(
                None, "referrals", 'is missing: the file holds {"referrals": [...]} or a list of referrals'
            )
            return None
        items = document["referrals"]
    if not isinstance(items, list):
        errors.add(None, "referrals", f"must be a list of referrals, not {_json_type(items)}")
        return None
    if not items:
        errors.add(None, "", "the file holds no referrals")
        return None
    if len(items) > MAX_REFERRALS:
        errors.add(
            None, "", f"the file holds {len(items):,} referrals; the limit is {MAX_REFERRALS:,} per file"
        )
        return None
    return items


def _drafts(items: list[Any], now: datetime, errors: _Errors) -> list[ReferralDraft]:
    drafts: list[ReferralDraft] = []
    by_reference: dict[tuple[Source, str], int] = {}
    by_content: dict[ReferralDraft, int] = {}
    for n, item in enumerate(items, start=1):
        chk = _Checker(errors, n, now)
        draft = _mapping_referral(item, chk, f"item {n}")
        if draft is None:
            continue
        content = replace(draft, locator="")
        if content in by_content:
            chk.error("", f"is identical to item {by_content[content]}")
            continue
        by_content[content] = n
        if draft.source_reference:
            key = (draft.source, draft.source_reference)
            if key in by_reference:
                chk.error(
                    "source_reference",
                    f"{_show(draft.source_reference)} from {draft.source.value} is also "
                    f"item {by_reference[key]}; give each referral once",
                )
                continue
            by_reference[key] = n
        drafts.append(draft)
    return drafts


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")
