"""The one gate: every channel's drafts (form, API, file, CyberTipline) pass the same text rules before recording."""

from __future__ import annotations

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake.checks import _text_problem
from winnow.core.intake.drafts import FieldError, ReferralDraft, SubjectDraft


def draft_problems(draft: ReferralDraft) -> list[FieldError]:
    """Every text field of a draft checked against the rules the form, API and file imports apply, named as the
    API names them (`subjects[1].identifiers[2].value`). A draft that came through `referral_from_mapping` or a
    file has passed these already; a draft built from another format (a CyberTipline package) is held to them here.
    """
    problems: list[FieldError] = []
    where = f"{draft.locator}: " if draft.locator else ""

    def check(field: str, raw: str, *, multiline: bool = False, handle: bool = False) -> None:
        problem = _text_problem(raw, multiline=multiline, formula=True, handle=handle)
        if problem:
            problems.append(FieldError(None, field, where + problem))

    check("source_reference", draft.source_reference)
    check("summary", draft.summary, multiline=True)
    for n, subject in enumerate(draft.subjects, start=1):
        problems += subject_problems(subject, prefix=f"subjects[{n}].", where=where)
    return problems


def subject_problems(subject: SubjectDraft, *, prefix: str = "", where: str = "") -> list[FieldError]:
    """A person's text fields checked against the same rules, each named with `prefix` (`subjects[1].`, or "" for a
    person added to a referral on their own)."""
    problems: list[FieldError] = []

    def check(field: str, raw: str, *, handle: bool = False) -> None:
        problem = _text_problem(raw, multiline=False, formula=True, handle=handle)
        if problem:
            problems.append(FieldError(None, prefix + field, where + problem))

    check("given_names", subject.given_names)
    check("family_name", subject.family_name)
    for m, address in enumerate(subject.addresses, start=1):
        check(f"addresses[{m}]", address)
    for k, ident in enumerate(subject.identifiers, start=1):
        check(f"identifiers[{k}].value", ident.value, handle=ident.kind is IdentifierKind.USERNAME)
        check(f"identifiers[{k}].platform", ident.platform)
    return problems


def text_problem(
    raw: str, *, multiline: bool = False, formula: bool = True, handle: bool = False
) -> str | None:
    """Why a piece of text breaks the intake rules (NUL, stray CR, control and bidi-override characters, markup,
    a spreadsheet formula), or None. For formats parsed elsewhere (CyberTipline) that must meet the same rules."""
    return _text_problem(raw, multiline=multiline, formula=formula, handle=handle)
