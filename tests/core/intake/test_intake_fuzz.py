"""Property tests: whatever arrives, the parsers answer with drafts or an IntakeError, never anything else."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winnow.core.intake import COLUMNS, IntakeError, ReferralDraft, referral_from_mapping

from .support import GOOD_ROW, NOW, parse

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(data: bytes) -> list[ReferralDraft] | IntakeError:
    try:
        drafts = parse(data, max_bytes=1_000_000)
    except IntakeError as exc:
        assert exc.errors
        for error in exc.errors:
            str(error).encode("utf-8")  # every message can be shown and stored
        str(exc).encode("utf-8")
        return exc
    for draft in drafts:
        assert draft.received_at.utcoffset() is not None
    return drafts


@FUZZ
@given(st.binary(max_size=2000))
def test_it_answers_arbitrary_bytes_with_drafts_or_an_intake_error(data: bytes) -> None:
    _outcome(data)


@FUZZ
@given(st.binary(max_size=500))
def test_it_answers_arbitrary_bytes_after_a_valid_header(data: bytes) -> None:
    _outcome(",".join(COLUMNS).encode() + b"\r\n" + data)


_cells = st.one_of(
    st.sampled_from([*GOOD_ROW.values(), "yes", "victim", "2026-03-29 01:30", "=1", "<b>", "+44 7700 900123"]),
    st.text(max_size=30),
)


@FUZZ
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=20),
    st.lists(st.lists(_cells, max_size=20), max_size=6),
    st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_it_answers_csv_shaped_text_with_drafts_or_an_intake_error(
    header: list[str], rows: list[list[str]], newline: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    _outcome(out.getvalue().encode("utf-8", "surrogatepass"))


_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.sampled_from(["ncmec", "victim", "email", "2026-11-20T09:30:00Z", "1990-01-01", "a@example.com"]),
)
_keys = st.one_of(
    st.sampled_from(["source", "received_at", "summary", "immediate_danger", "subjects", "role", "identifiers",
                     "kind", "value", "platform", "observed_at", "addresses", "date_of_birth", "referrals"]),
    st.text(max_size=8),
)
_json = st.recursive(
    _json_scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=6),
    max_leaves=30,
)


@FUZZ
@given(_json)
def test_it_answers_arbitrary_json_documents_with_drafts_or_an_intake_error(document: Any) -> None:
    _outcome(json.dumps(document).encode())


@FUZZ
@given(st.dictionaries(_keys, _json, max_size=8))
def test_it_answers_arbitrary_mappings_with_a_draft_or_an_intake_error(mapping: dict[str, Any]) -> None:
    try:
        draft = referral_from_mapping(mapping, now=NOW)
    except IntakeError as exc:
        assert exc.errors
    else:
        assert draft.summary


@FUZZ
@given(st.text(max_size=60))
def test_it_never_accepts_a_value_starting_with_a_formula_character(tail: str) -> None:
    for first in ("=", "@"):
        row = {**GOOD_ROW, "subject_family_name": first + tail}
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(row)
        result = _outcome(out.getvalue().encode("utf-8", "surrogatepass"))
        assert isinstance(result, IntakeError)
