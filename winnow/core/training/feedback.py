"""Feedback on one training attempt: each answer against the reference, with the help and the rationale, and the
band (or score) the trainee's answers give against the reference band (or score)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from winnow.core.instruments import Instrument

from .vignettes import Vignette, score_answers


@dataclass(frozen=True)
class ItemFeedback:
    item: str
    question: str
    help: str
    given: str
    reference: str
    rationale: str

    @property
    def agreed(self) -> bool:
        return self.given == self.reference


@dataclass(frozen=True)
class Feedback:
    vignette_id: str
    items: tuple[ItemFeedback, ...]
    band: str | None  # the band the trainee's answers give (None for a score instrument)
    band_label: str
    reference_band: str | None
    reference_band_label: str
    score: int | None
    score_max: int | None
    reference_score: int | None
    decided_by: str
    rationale: str

    @property
    def items_agreed(self) -> int:
        return sum(item.agreed for item in self.items)

    @property
    def outcome_exact(self) -> bool:
        """The band exactly right or, for a score instrument, the full score exactly right."""
        if self.reference_band is not None:
            return self.band == self.reference_band
        return self.score == self.reference_score and self.score_max == self.reference_score


def _normalise(instrument: Instrument, answers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for item in instrument.items:
        text = (answers.get(item.id) or "unknown").strip()
        out[item.id] = str(int(text)) if text.isdigit() else text.casefold()
    return out


def feedback(instrument: Instrument, vignette: Vignette, answers: Mapping[str, str]) -> Feedback:
    """Score the trainee's answers with the engine and compare them, item by item, with the reference."""
    if (instrument.id, instrument.version) != (vignette.instrument_id, vignette.instrument_version):
        raise ValueError(f"vignette {vignette.id} is for {vignette.instrument_id} {vignette.instrument_version}, "
                         f"not {instrument.id} {instrument.version}")
    given = _normalise(instrument, answers)
    result = score_answers(instrument, given)
    items = tuple(
        ItemFeedback(item.id, item.question, item.help, given[item.id], vignette.answer(item.id).answer,
                     vignette.answer(item.id).rationale)
        for item in instrument.items)
    reference_label = instrument.band(vignette.band).label if vignette.band else ""
    return Feedback(
        vignette_id=vignette.id, items=items, band=result.band.id if result.band else None,
        band_label=result.band.label if result.band else "", reference_band=vignette.band,
        reference_band_label=reference_label, score=result.score, score_max=result.score_max,
        reference_score=vignette.score, decided_by=result.decided_by, rationale=vignette.rationale)
