"""Bulk referral intake: validate CSV and JSON files (and single referrals) into drafts, or say exactly what is wrong.

Every entry point either returns frozen drafts or raises `IntakeError` holding *all* the problems found (up to
`MAX_ERRORS`), each a `FieldError` naming the row (CSV), item (JSON) and field, and the reason. Nothing here
touches a database: the caller writes the drafts atomically, or nothing.

Places
------
- CSV: ``row N`` is the row number a spreadsheet shows: the header is row 1 and every record after it is one row,
  blank rows included. A quoted cell may span several physical lines; messages about the file's syntax also give
  the physical ``line``. CRLF, LF and a mix of both are accepted and counted correctly.
- JSON: ``item N`` is the 1-based position in the list of referrals; fields are paths such as
  ``subjects[1].identifiers[2].value`` (1-based too).

Text rules (every string value, in this order; the first failure is the field's one error)
------------------------------------------------------------------------------------------
1. NUL anywhere is refused.
2. A carriage return that does not start a CRLF pair ("lone CR") is refused. CRLF inside a multi-line value
   (the summary) becomes LF.
3. Control characters: the summary may contain newline and tab; every other field is one line and may contain
   none. Refused everywhere: C0 and C1 controls, DEL, the Unicode line/paragraph separators, the bidirectional
   override and isolate characters (they can make text display differently from what it is) and lone surrogates
   (they cannot be stored as UTF-8).
4. Spreadsheet formulas (CSV/formula injection). A value is refused, "looks like a spreadsheet formula", when
   - the raw value begins with a tab (a carriage return can only begin a CRLF line ending, see 2), or
   - the trimmed value begins with ``=`` or ``@``, except that a *username* may be an ``@handle`` made only of
     ASCII letters, digits, ``_`` and ``.`` (no brackets, so it cannot call a function), or
   - the trimmed value begins with ``+`` or ``-`` and contains anything other than digits, spaces and
     ``( ) . , ; / + -``. Without letters a formula can neither call a function, refer to a cell nor start another
     program, so phone numbers (``+44 7700 900123``, ``+44 (0)20 7946 0000``) and numbers (``-5``) pass, while
     ``-2+3+cmd|' /C calc'!A0``, ``+A1`` and a "- bullet" summary are refused: a bullet followed by text is still
     parsed as a formula by spreadsheets, so start such text with a word instead.
   In multi-valued CSV cells the rule applies to each value (and to both halves of ``platform:name``).
5. Markup: ``<`` followed by a letter, ``/``, ``!`` or ``?`` is refused ("markup is not accepted"); ``<13`` or
   ``< 5`` are fine.
Values are then trimmed; an empty optional value becomes "" (text), () (lists) or None (dates, times).

Values
------
- Times (``received_at``, identifiers' ``observed_at``): ISO 8601 date and time, e.g. ``2026-11-21T14:30:00Z``,
  ``2026-11-21 14:30`` or ``2026-11-21T14:30:00+01:00``. Without an offset the time is UK local time
  (Europe/London); a local time that does not exist or happens twice at a clock change is refused (give the
  offset). Stored in UTC. Refused: before 1990, or more than five minutes after ``now``.
- ``date_of_birth``: ``YYYY-MM-DD``, not before 1900, not after today (UK date).
- Choices (source, sex, role, identifier kind): case-insensitive; the error lists the allowed values.
- ``immediate_danger``: JSON ``true``/``false`` only; CSV ``yes``/``no``/``true``/``false``. It is required:
  an unanswered "is a child in immediate danger?" is not a "no".
- A subject needs a ``role`` (a victim must never default to "reported"); ``sex`` defaults to ``unknown``.
- Identifiers are normalised by `winnow.core.identifiers.normalise`; its reason is the error. A username needs
  its platform.
- Length limits (characters): summary 20,000; source_reference 100; names 200; each address 500; identifier
  value 500 (normalised form too); platform 100; any CSV cell 100,000.

Files
-----
- Size over ``max_bytes`` is refused before anything else is looked at.
- Not UTF-8: one error naming the byte offset and line of the first bad byte (and the CSV row and column).
- JSON if the first byte after an optional BOM and whitespace is ``[`` or ``{``; otherwise CSV.
- At most 10,000 referrals per file. Duplicates are refused, naming both places: an identical CSV row, the same
  source_reference and subject twice, the same source + source_reference in two JSON items, an identical JSON
  item, the same identifier twice for one subject. Two subjects are the same when role, given names, family name
  (ignoring case) and date of birth agree, or, when both are unnamed, when everything agrees (two unnamed
  victims told apart only by sex or an identifier are two subjects).
- CSV: the header is required; unknown, duplicate and missing required columns are named. Rows sharing a
  non-empty ``source_reference`` are one referral with several subjects and must agree on source, received_at,
  summary and immediate_danger; a further row of a referral must add a subject. Blank rows are skipped. A row
  with more cells than the header is refused unless the extra cells are empty. csv.field_size_limit is
  process-wide: it is set for the parse and restored after, and cells are measured again after parsing.
- JSON: a list of referral objects, or ``{"referrals": [...]}``; unknown and repeated keys are named; nesting
  deeper than the format (7 levels) is refused before parsing; syntax errors give line and column.

Modules
-------
``drafts`` (limits, choices, drafts, errors), ``checks`` (the text and value rules above), ``mapping`` (one
referral as a mapping), ``gate`` (the text rules for drafts from any channel), ``files`` (a whole file),
``json_files`` and ``csv_files`` (each format's structure).
"""

from winnow.core.intake.csv_files import COLUMNS, REQUIRED_COLUMNS, csv_template, fictional_referrals_csv
from winnow.core.intake.drafts import (
    EARLIEST_BIRTH,
    EARLIEST_RECEIVED,
    FUTURE_TOLERANCE,
    LONDON,
    MAX_ADDRESS_CHARS,
    MAX_ERRORS,
    MAX_FIELD_CHARS,
    MAX_IDENTIFIER_CHARS,
    MAX_JSON_DEPTH,
    MAX_NAME_CHARS,
    MAX_PLATFORM_CHARS,
    MAX_REFERENCE_CHARS,
    MAX_REFERRALS,
    MAX_SUMMARY_CHARS,
    SHOWN_ERRORS,
    FieldError,
    IdentifierDraft,
    IntakeError,
    ReferralDraft,
    Sex,
    Source,
    SubjectDraft,
    SubjectRole,
)
from winnow.core.intake.files import parse_referral_file
from winnow.core.intake.gate import draft_problems, text_problem
from winnow.core.intake.mapping import referral_from_mapping

__all__ = [
    "COLUMNS",
    "EARLIEST_BIRTH",
    "EARLIEST_RECEIVED",
    "FUTURE_TOLERANCE",
    "FieldError",
    "IdentifierDraft",
    "IntakeError",
    "LONDON",
    "MAX_ADDRESS_CHARS",
    "MAX_ERRORS",
    "MAX_FIELD_CHARS",
    "MAX_IDENTIFIER_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_NAME_CHARS",
    "MAX_PLATFORM_CHARS",
    "MAX_REFERENCE_CHARS",
    "MAX_REFERRALS",
    "MAX_SUMMARY_CHARS",
    "REQUIRED_COLUMNS",
    "ReferralDraft",
    "SHOWN_ERRORS",
    "Sex",
    "Source",
    "SubjectDraft",
    "SubjectRole",
    "csv_template",
    "fictional_referrals_csv",
    "draft_problems",
    "parse_referral_file",
    "referral_from_mapping",
    "text_problem",
]
