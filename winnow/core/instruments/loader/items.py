"""Provenance, applicability, bands, sections, items (with their options and fallbacks) and derived items."""

from __future__ import annotations

from typing import Any

from winnow.core.instruments.loader.conditions import _ConditionParser
from winnow.core.instruments.loader.fields import _INSTRUMENT_ID, _RESERVED_IDS, PROVENANCE_STATUSES, _Map
from winnow.core.instruments.schema import (
    Applicability,
    Band,
    DerivedItem,
    Fallback,
    Item,
    ItemKind,
    Option,
    Provenance,
    Section,
)


class _ItemParser(_ConditionParser):
    """Parses what an instrument asks and what it can conclude."""

    def provenance(self, m: _Map) -> Provenance:
        status = m.text("status")
        if status not in PROVENANCE_STATUSES:
            m.fail("status", f"'status' must be one of {', '.join(PROVENANCE_STATUSES)}, found {status!r}")
        result = Provenance(
            status=status,
            sources=m.texts("sources"),
            validation=m.texts("validation"),
            validated_for=m.text("validated_for"),
            not_validated_for=m.text("not_validated_for"),
            notice=m.text("notice"),
        )
        if not result.sources:
            m.fail("sources", "'sources' must name at least one source")
        m.done()
        return result

    def applicability(self, m: _Map) -> Applicability:
        population = m.text("population")
        min_age = m.integer("min_age", required=False, minimum=0)
        max_age = m.integer("max_age", required=False, minimum=0)
        if min_age is not None and max_age is not None and min_age > max_age:
            m.fail("max_age", f"'max_age' {max_age} is below 'min_age' {min_age}")
        sexes = tuple(s.casefold() for s in m.texts("sexes", required=False))
        offence_types = m.texts("offence_types", required=False)
        m.done()
        return Applicability(population, min_age, max_age, sexes, offence_types)

    def bands(self, top: _Map) -> tuple[Band, ...]:
        bands: list[Band] = []
        seen: dict[str, int] = {}
        for rank, (value, line) in enumerate(top.sequence("bands", required=False)):
            m = self.as_map(value, line, f"bands[{rank}]")
            band_id = m.ident("id")
            if band_id in _RESERVED_IDS:
                m.fail("id", f"band id {band_id!r} is reserved")
            if band_id in seen:
                m.fail("id", f"duplicate band id {band_id!r} (first on line {seen[band_id]})")
            seen[band_id] = m.line("id")
            bands.append(Band(band_id, m.text("label"), rank, m.text("description", required=False)))
            m.done()
        return tuple(bands)

    def sections(self, top: _Map) -> tuple[tuple[Section, ...], tuple[Item, ...]]:
        sections: list[Section] = []
        items: list[Item] = []
        section_lines: dict[str, int] = {}
        for index, (value, line) in enumerate(top.sequence("sections", non_empty=True)):
            m = self.as_map(value, line, f"sections[{index}]")
            section_id = m.ident("id")
            if section_id in section_lines:
                m.fail(
                    "id", f"duplicate section id {section_id!r} (first on line {section_lines[section_id]})"
                )
            section_lines[section_id] = m.line("id")
            m.where = f"section {section_id!r}"
            title = m.text("title")
            help_text = m.text("help", required=False)
            section_items = [
                self.item(item_value, item_line, section_id)
                for item_value, item_line in m.sequence("items", non_empty=True)
            ]
            m.done()
            items.extend(section_items)
            sections.append(Section(section_id, title, help_text, tuple(i.id for i in section_items), line))
        return tuple(sections), tuple(items)

    def item(self, value: Any, line: int, section: str) -> Item:
        m = self.as_map(value, line, f"an item in section {section!r}")
        item_id = m.ident("id")
        m.where = f"item {item_id!r}"
        raw_kind = m.text("kind")
        try:
            kind = ItemKind(raw_kind)
        except ValueError:
            m.fail(
                "kind", f"'kind' must be one of {', '.join(k.value for k in ItemKind)}, found {raw_kind!r}"
            )
        question = m.text("question")
        help_text = m.text("help")
        unverified = m.boolean("unverified", default=False)
        options: tuple[Option, ...] = ()
        minimum = maximum = None
        fallback = None
        if kind is ItemKind.CHOICE:
            options = self.options(m)
        if kind is ItemKind.COUNT:
            minimum = m.integer("minimum", required=False, minimum=0)
            minimum = 0 if minimum is None else minimum
            maximum = m.integer("maximum", required=False, minimum=0)
            if maximum is not None and maximum < minimum:
                m.fail("maximum", f"'maximum' {maximum} is below 'minimum' {minimum}")
        if kind is ItemKind.YESNO:
            fallback_map = m.mapping("fallback", required=False)
            if fallback_map is not None:
                fallback = Fallback(
                    instrument=fallback_map.ident("instrument", _INSTRUMENT_ID),
                    score_at_least=fallback_map.integer("score_at_least"),  # type: ignore[arg-type]
                    note=fallback_map.text("note"),
                    line=m.line("fallback"),
                )
                fallback_map.done()
        for key in ("options", "minimum", "maximum", "fallback"):
            if key in m.data and key not in m.used:
                m.fail(key, f"{key!r} does not apply to a {kind.value} item")
        m.done()
        return Item(
            item_id, kind, question, help_text, section, line, options, minimum, maximum, fallback, unverified
        )

    def options(self, m: _Map) -> tuple[Option, ...]:
        options: list[Option] = []
        seen: set[str] = set()
        for index, (value, line) in enumerate(m.sequence("options", non_empty=True)):
            o = self.as_map(value, line, f"{m.where}.options[{index}]")
            option_id = o.ident("id")
            if option_id in seen:
                o.fail("id", f"duplicate option {option_id!r}")
            seen.add(option_id)
            options.append(Option(option_id, o.text("label")))
            o.done()
        if len(options) < 2:
            m.fail("options", "a choice item needs at least two options")
        return tuple(options)

    def derived(self, top: _Map) -> tuple[DerivedItem, ...]:
        derived: list[DerivedItem] = []
        for index, (value, line) in enumerate(top.sequence("derived", required=False)):
            m = self.as_map(value, line, f"derived[{index}]")
            derived_id = m.ident("id")
            m.where = f"derived item {derived_id!r}"
            label = m.text("label")
            help_text = m.text("help", required=False)
            when = self.condition(m.raw("when", required=True), m.line("when"), m.where, 0)
            m.done()
            derived.append(DerivedItem(derived_id, label, help_text, when, line))
        return tuple(derived)

    def check_ids(self, items: tuple[Item, ...], derived: tuple[DerivedItem, ...]) -> None:
        seen: dict[str, int] = {}
        entries: list[Item | DerivedItem] = [*items, *derived]
        for entry in entries:
            if entry.id in seen:
                self.fail(entry.line, f"duplicate item id {entry.id!r} (first on line {seen[entry.id]})")
            if entry.id in _RESERVED_IDS:
                self.fail(entry.line, f"item id {entry.id!r} is reserved")
            seen[entry.id] = entry.line
