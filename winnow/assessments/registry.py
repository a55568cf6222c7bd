"""The instruments Winnow can score with: every file in WINNOW_INSTRUMENTS_DIR, loaded and validated once.

Keyed by (id, version), each with the SHA-256 of its file. An assessment records all three; it is scored again only
against a file with the same hash (see `Assessment.instrument_status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from winnow.core.instruments import Instrument, load_directory
from winnow.core.priority import Band as PriorityBand

# Instruments for reviewing a managed offender (scored from the offender's page, never offered for a referral's
# subject). The offenders app reviews with these ids.
OFFENDER_REVIEW_INSTRUMENTS = frozenset({"offender-review"})


@dataclass(frozen=True)
class Registry:
    directory: str
    by_key: dict[tuple[str, str], Instrument]

    def get(self, instrument_id: str, version: str) -> Instrument | None:
        return self.by_key.get((instrument_id, version))

    def current(self, instrument_id: str) -> Instrument | None:
        """The loaded file for this instrument id (a directory holds one version of each id)."""
        return next((i for (iid, _), i in self.by_key.items() if iid == instrument_id), None)

    def priority_bands(self, instrument_id: str) -> dict[str, PriorityBand]:
        """How the loaded instrument's band ids map onto the queue's bands (its file's `sets_referral_priority`);
        empty when it never sets a referral's priority, or when no file with that id is loaded."""
        instrument = self.current(instrument_id)
        return dict(instrument.referral_priority) if instrument is not None else {}

    def priority_instrument_ids(self) -> list[str]:
        """The ids of the loaded instruments whose bands set a referral's priority."""
        return sorted({i.id for i in self.by_key.values() if i.sets_referral_priority})

    def instruments(self) -> list[Instrument]:
        return sorted(self.by_key.values(), key=lambda i: (i.provenance.status != "unvalidated", i.title))


_registry: Registry | None = None


def load_registry(directory: str | Path | None = None) -> Registry:
    """Load (again) from `directory` (default: the setting); raises InstrumentError naming file, line and reason."""
    global _registry
    path = Path(directory if directory is not None else settings.WINNOW_INSTRUMENTS_DIR)
    loaded = load_directory(path)
    _registry = Registry(str(path), {(i.id, i.version): i for i in loaded.values()})
    return _registry


def registry() -> Registry:
    return _registry if _registry is not None else load_registry()
