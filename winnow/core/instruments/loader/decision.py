"""Decision steps and their rules, the additive score and its cut-offs (which must tile the possible range), and
the missing-data rule."""

from __future__ import annotations

from winnow.core.instruments.loader.fields import _STEP_ID, _Map
from winnow.core.instruments.loader.items import _ItemParser
from winnow.core.instruments.schema import (
    Band,
    Decision,
    DerivedItem,
    ExpectedRates,
    Item,
    ItemKind,
    MissingRule,
    Otherwise,
    Rule,
    Score,
    ScoreBand,
    ScoreComponent,
    Step,
)
from winnow.core.priority import Band as PriorityBand


class _DecisionParser(_ItemParser):
    """Parses how an instrument reaches a band."""

    def decision(self, m: _Map | None, bands: dict[str, Band]) -> Decision | None:
        if m is None:
            return None
        steps: list[Step] = []
        seen: dict[str, int] = {}
        for index, (value, line) in enumerate(m.sequence("steps", non_empty=True)):
            s = self.as_map(value, line, f"decision.steps[{index}]")
            step_id = s.ident("id", _STEP_ID)
            if step_id in seen:
                s.fail("id", f"duplicate step or rule id {step_id!r} (first on line {seen[step_id]})")
            seen[step_id] = s.line("id")
            s.where = f"step {step_id!r}"
            title = s.text("title")
            help_text = s.text("help", required=False)
            rules: list[Rule] = []
            for rule_index, (rule_value, rule_line) in enumerate(s.sequence("rules", non_empty=True)):
                r = self.as_map(rule_value, rule_line, f"{s.where}.rules[{rule_index}]")
                rule_id = r.ident("id", _STEP_ID)
                if rule_id in seen:
                    r.fail("id", f"duplicate step or rule id {rule_id!r} (first on line {seen[rule_id]})")
                seen[rule_id] = r.line("id")
                r.where = f"rule {rule_id!r}"
                band = self.band_ref(r, bands)
                label = r.text("label")
                when = self.condition(r.raw("when", required=True), r.line("when"), r.where, 0)
                r.done()
                rules.append(Rule(rule_id, step_id, label, band, when, rule_line))
            s.done()
            steps.append(Step(step_id, title, help_text, tuple(rules), line))
        otherwise = None
        o = m.mapping("otherwise", required=False)
        if o is not None:
            otherwise = Otherwise(self.band_ref(o, bands), o.text("label"), o.data.line)
            o.done()
        m.done()
        return Decision(tuple(steps), otherwise, m.anchor)

    def band_ref(self, m: _Map, bands: dict[str, Band]) -> str:
        band = m.text("band")
        if band not in bands:
            declared = ", ".join(bands) or "none declared"
            m.fail("band", f"unknown band {band!r} (bands: {declared})")
        return band

    def score(
        self, m: _Map | None, items: dict[str, Item], derived: dict[str, DerivedItem], bands: dict[str, Band]
    ) -> Score | None:
        if m is None:
            return None
        label = m.text("label")
        components: list[ScoreComponent] = []
        seen: dict[str, int] = {}
        low = high = 0
        for index, (value, line) in enumerate(m.sequence("items", non_empty=True)):
            c = self.as_map(value, line, f"score.items[{index}]")
            item_id = c.text("item")
            if item_id in seen:
                c.fail("item", f"item {item_id!r} is already scored (line {seen[item_id]})")
            seen[item_id] = line
            item = items.get(item_id)
            if item is None and item_id not in derived:
                c.fail("item", f"unknown item {item_id!r}")
            if item is not None and item.kind is ItemKind.CHOICE:
                pm = c.mapping("points")
                assert pm is not None
                option_points = []
                for option in item.options:
                    points = pm.integer(option.id, required=False)
                    option_points.append((option.id, 0 if points is None else points))
                pm.done()
                component = ScoreComponent(item_id, 0, 0, tuple(option_points), line)
                values = [p for _, p in option_points]
            elif item is not None and item.kind is not ItemKind.YESNO:
                c.fail(
                    "item", f"item {item_id!r} is a {item.kind.value} item: score a derived threshold instead"
                )
            else:
                yes = c.integer("points")
                no = c.integer("points_if_no", required=False)
                assert yes is not None
                component = ScoreComponent(item_id, yes, 0 if no is None else no, (), line)
                values = [component.points, component.points_if_no]
            c.done()
            components.append(component)
            low += min(values)
            high += max(values)
        cutoffs = self.cutoffs(m, bands, low, high)
        m.done()
        return Score(label, tuple(components), cutoffs, low, high, m.anchor)

    def cutoffs(self, m: _Map, bands: dict[str, Band], low: int, high: int) -> tuple[ScoreBand, ...]:
        cutoffs: list[ScoreBand] = []
        for index, (value, line) in enumerate(m.sequence("bands", required=False)):
            c = self.as_map(value, line, f"score.bands[{index}]")
            band = self.band_ref(c, bands)
            minimum = c.integer("min")
            maximum = c.integer("max")
            assert minimum is not None and maximum is not None
            if minimum > maximum:
                c.fail("max", f"'max' {maximum} is below 'min' {minimum}")
            c.done()
            cutoffs.append(ScoreBand(band, minimum, maximum, line))
        if not cutoffs:
            return ()
        cutoffs.sort(key=lambda c: (c.minimum, c.maximum))
        if cutoffs[0].minimum > low:
            self.fail(
                cutoffs[0].line,
                f"score cut-offs leave a gap: scores {low}-{cutoffs[0].minimum - 1} have no band",
            )
        if cutoffs[0].minimum < low:
            self.fail(
                cutoffs[0].line,
                f"score cut-off starts at {cutoffs[0].minimum}, below the lowest possible score {low}",
            )
        for before, after in zip(cutoffs, cutoffs[1:], strict=False):
            if after.minimum <= before.maximum:
                self.fail(
                    after.line,
                    f"score cut-offs overlap: {after.minimum}-{after.maximum} ({after.band}) overlaps "
                    f"{before.minimum}-{before.maximum} ({before.band}, line {before.line})",
                )
            if after.minimum > before.maximum + 1:
                self.fail(
                    after.line,
                    f"score cut-offs leave a gap: scores {before.maximum + 1}-{after.minimum - 1} have no band",
                )
            if bands[after.band].rank < bands[before.band].rank:
                self.fail(after.line, f"a higher score gives a lower band ({after.band} after {before.band})")
        last = cutoffs[-1]
        if last.maximum < high:
            self.fail(last.line, f"score cut-offs leave a gap: scores {last.maximum + 1}-{high} have no band")
        if last.maximum > high:
            self.fail(
                last.line, f"score cut-off ends at {last.maximum}, above the highest possible score {high}"
            )
        return tuple(cutoffs)

    def missing(
        self, m: _Map | None, items: dict[str, Item], decision: Decision | None
    ) -> MissingRule | None:
        if m is None:
            return None
        max_unknown = m.integer("max_unknown", minimum=0)
        assert max_unknown is not None
        counted = m.texts("items", required=False) or tuple(items)
        for item_id in counted:
            if item_id not in items:
                m.fail("items", f"unknown item {item_id!r} (only answered items can be counted)")
        exempt = m.boolean("exempt_when_decided", default=False)
        if exempt and decision is None:
            m.fail("exempt_when_decided", "'exempt_when_decided' needs decision steps")
        statement = m.text("statement")
        m.done()
        return MissingRule(max_unknown, counted, exempt, statement, m.anchor)

    def referral_priority(
        self, m: _Map | None, bands: tuple[Band, ...]
    ) -> tuple[tuple[str, PriorityBand], ...]:
        """`sets_referral_priority`: every band of the instrument mapped to one of the queue's priority bands."""
        if m is None:
            return ()
        if not bands:
            m.fail(None, "the instrument has no bands to map")
        declared = [band.id for band in bands]
        mapping: dict[str, PriorityBand] = {}
        for band_id in m.data:
            if band_id not in declared:
                self.fail(
                    m.data.key_lines[band_id],
                    f"{m.where}: unknown band {band_id!r} (bands: {', '.join(declared)})",
                )
            value = m.text(band_id)
            try:
                mapping[band_id] = PriorityBand(value)
            except ValueError:
                m.fail(
                    band_id,
                    f"{value!r} is not a priority band (one of {', '.join(b.value for b in PriorityBand)})",
                )
        unmapped = [band_id for band_id in declared if band_id not in mapping]
        if unmapped:
            m.fail(None, f"band {unmapped[0]!r} is not mapped: map every band to a priority band")
        m.done()
        return tuple((band_id, mapping[band_id]) for band_id in declared)

    def expected_rates(self, m: _Map | None, bands: tuple[Band, ...], scored: bool) -> ExpectedRates | None:
        """`expected_rates`: the probability of the outcome per band (every band) or per score (any scores), with
        the published source they come from. Winnow ships none: a force declares its own, or a tool's published
        norms, and the validation report then computes calibration (E/O, intercept, slope) against them."""
        if m is None:
            return None
        source = m.text("source")
        by_band = m.mapping("by_band", required=False)
        by_score = m.mapping("by_score", required=False)
        if (by_band is None) == (by_score is None):
            m.fail(None, "give exactly one of 'by_band' or 'by_score'")
        rates: dict[str, float] = {}
        table = by_band if by_band is not None else by_score
        assert table is not None
        declared = [band.id for band in bands]
        for raw, value in table.data.items():
            table.used.add(raw)
            key = str(raw)
            if by_band is not None and key not in declared:
                table.fail(raw, f"unknown band {key!r} (bands: {', '.join(declared)})")
            if by_score is not None:
                if not scored:
                    table.fail(raw, "the instrument has no score: declare rates by_band")
                try:
                    key = f"{float(raw):g}"
                except (TypeError, ValueError):
                    table.fail(raw, f"{key!r} is not a score")
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < float(value) < 1:
                table.fail(raw, f"the expected rate for {key!r} must be a probability between 0 and 1 (exclusive)")
            rates[key] = float(value)
        if by_band is not None:
            missing = [b for b in declared if b not in rates]
            if missing:
                by_band.fail(None, f"band {missing[0]!r} has no expected rate: give one for every band")
        m.done()
        return ExpectedRates(source, "band" if by_band is not None else "score", tuple(rates.items()))

