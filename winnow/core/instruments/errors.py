"""The two errors of the instrument engine: a bad instrument file, and bad answers to a good one."""

from __future__ import annotations


class InstrumentError(Exception):
    """An instrument file cannot be used. Names the file, the line (when known) and the reason."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        super().__init__(path, line, reason)
        self.path = path
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class AnswerError(ValueError):
    """Answers that do not fit the instrument. `problems` holds (item or place, reason) pairs, all of them."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in self.problems))
