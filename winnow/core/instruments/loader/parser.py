"""The whole file: `_Parser.instrument` reads the top-level keys in order and runs the checks that span them."""

from __future__ import annotations

from typing import Any

from winnow.core.instruments.loader.fields import _INSTRUMENT_ID
from winnow.core.instruments.loader.monotone import _MonotoneChecker
from winnow.core.instruments.schema import Instrument


class _Parser(_MonotoneChecker):
    def instrument(self, data: Any, sha256: str) -> Instrument:
        top = self.as_map(data, 1, "instrument")
        instrument_id = top.ident("id", _INSTRUMENT_ID)
        version = top.text("version", hint=' (quote it: version: "1.0")')
        title = top.text("title")
        description = top.text("description", required=False)
        monotone = top.boolean("monotone", default=False)
        provenance = self.provenance(top.mapping("provenance"))  # type: ignore[arg-type]
        applicability = self.applicability(top.mapping("applicability"))  # type: ignore[arg-type]
        bands = self.bands(top)
        sections, items = self.sections(top)
        derived = self.derived(top)
        self.check_ids(items, derived)
        kinds = {item.id: item for item in items}
        derived_ids = {d.id: d for d in derived}
        for item in items:
            if item.fallback is not None and item.fallback.instrument == instrument_id:
                self.fail(
                    item.fallback.line, f"item {item.id!r}: a fallback cannot refer to its own instrument"
                )
        for d in derived:
            self.check_condition(d.when, kinds, derived_ids, f"derived item {d.id!r}")
        ordered = self.order_derived(derived)
        band_ids = {band.id: band for band in bands}
        decision = self.decision(top.mapping("decision", required=False), band_ids)
        if decision is not None:
            for step in decision.steps:
                for rule in step.rules:
                    self.check_condition(rule.when, kinds, derived_ids, f"rule {rule.id!r}")
        score = self.score(top.mapping("score", required=False), kinds, derived_ids, band_ids)
        missing = self.missing(top.mapping("missing_data", required=False), kinds, decision)
        referral_priority = self.referral_priority(
            top.mapping("sets_referral_priority", required=False), bands
        )
        expected_rates = self.expected_rates(
            top.mapping("expected_rates", required=False), bands, scored=score is not None
        )
        top.done()
        if decision is None and score is None:
            top.fail(None, "an instrument needs 'decision' steps, a 'score', or both")
        if decision is not None and decision.otherwise is None and (score is None or not score.bands):
            self.fail(
                decision.line, "decision: when no rule fires there is no band: add 'otherwise' or score bands"
            )
        if decision is not None and decision.otherwise is not None and score is not None and score.bands:
            self.fail(score.line, "score.bands can never decide: decision.otherwise always decides first")
        banded = decision is not None or (score is not None and bool(score.bands))
        if banded and not bands:
            top.fail(None, "'bands' is missing: the decision or score assigns bands")
        instrument = Instrument(
            id=instrument_id,
            version=version,
            title=title,
            description=description,
            provenance=provenance,
            applicability=applicability,
            monotone=monotone,
            bands=bands,
            sections=sections,
            items=items,
            derived=ordered,
            decision=decision,
            score=score,
            missing=missing,
            path=self.path,
            sha256=sha256,
            referral_priority=referral_priority,
            expected_rates=expected_rates,
        )
        if monotone:
            self.check_monotone(instrument, top)
        return instrument
