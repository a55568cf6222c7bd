"""The one error agreement input can raise: it names the row and the field where it knows them."""

from __future__ import annotations


class AgreementInputError(ValueError):
    def __init__(self, message: str, *, row: int | None = None, field: str | None = None,
                 problems: list[str] | None = None) -> None:
        self.row, self.field = row, field
        place = ", ".join(part for part in (f"row {row}" if row is not None else "",
                                             f"field {field!r}" if field else "") if part)
        text = f"{place}: {message}" if place else message
        self.problems = problems or [text]
        super().__init__(text)
