"""The driver every hash-set parser shares: error policy, counting, the source file's SHA-256."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .records import (
    MAX_KEPT_ISSUES,
    DistinctCounter,
    EntryError,
    HashRecord,
    HashSetParseError,
    OnError,
    ParseIssue,
    ParseReport,
)
from .schemes import CategoryScheme, UnknownCategory


class HashSetParse:
    """Iterate to stream `HashRecord`s (constant memory apart from distinct counting, see DistinctCounter).

    `report` fills in as records are read and is complete (`report.complete`) once iteration ends. Malformed
    entries raise `HashSetParseError` naming file, position and reason, or with on_error="collect" are skipped,
    counted in `report.rejected` and listed (the first 1000) in `report.issues`. Structural problems (not JSON,
    no header, unreadable file) always raise."""

    format = ""
    kind = "reference"

    def __init__(
        self,
        path: str | Path,
        scheme: CategoryScheme | None,
        *,
        on_error: OnError = "raise",
        count_distinct: bool = True,
        known_files: bool = False,
    ) -> None:
        if on_error not in ("raise", "collect"):
            raise ValueError("on_error must be 'raise' or 'collect'")
        if known_files:
            # a plain list of operating-system or software hashes, used as NSRL is: set aside, never "known"
            self.kind = "known-files"
        self.path = Path(path)
        self.scheme = scheme
        self.on_error = on_error
        self.count_distinct = count_distinct
        self.report = ParseReport(
            path=str(self.path), format=self.format, scheme=scheme.name if scheme else "none", kind=self.kind
        )
        self._started = False

    # subclasses: yield (position, position label, raw entry) and convert raw entries to records
    def _entries(self) -> Iterator[tuple[int, str, Any]]:
        raise NotImplementedError

    def _convert(self, position: int, raw: Any) -> HashRecord:
        raise NotImplementedError

    def _finish(self) -> None:
        """Fill report.sha256 / size_bytes (subclasses)."""

    def error(self, position: str, reason: str) -> HashSetParseError:
        return HashSetParseError(str(self.path), position, reason)

    def open_binary(self) -> BinaryIO:
        try:
            return open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        except OSError as exc:
            raise self.error("open", f"cannot read ({exc.strerror or exc})") from None

    def map_category(self, raw: object) -> str | None:
        if self.scheme is None:
            from .schemes import normalise_raw_code

            if normalise_raw_code(raw) is None:
                return None
            raise UnknownCategory(f"category {raw!r} present but no category scheme was given")
        return self.scheme.map(raw)

    def __iter__(self) -> Iterator[HashRecord]:
        if self._started:
            raise RuntimeError("a HashSetParse can be iterated once; parse the file again")
        self._started = True
        report = self.report
        counter = DistinctCounter() if self.count_distinct else None
        instances: Counter[str | None] = Counter()
        for position, label, raw in self._entries():
            try:
                rec = self._convert(position, raw)
                if not rec.key:
                    report.without_hash += 1
                    continue
                if counter is not None:
                    counter.add(rec)
            except (EntryError, UnknownCategory) as exc:
                if self.on_error == "raise":
                    raise self.error(label, str(exc)) from None
                report.rejected += 1
                if len(report.issues) < MAX_KEPT_ISSUES:
                    report.issues.append(ParseIssue(str(self.path), label, str(exc)))
                continue
            report.entries += 1
            report.media_files += rec.media_files
            instances[rec.category] += 1
            yield rec
        self._finish()
        report.instances_by_category = dict(instances)
        if counter is not None:
            counter.finish(report)
        report.complete = True

    def run(self) -> ParseReport:
        """Read to the end, discarding records; return the complete report."""
        for _ in self:
            pass
        return self.report
