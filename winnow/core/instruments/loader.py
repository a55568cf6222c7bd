"""Read and validate instrument files.

`load_instrument(path)` returns a frozen `Instrument` or raises `InstrumentError(path, line, reason)`. Nothing is
guessed: unknown keys, wrong types, unknown item or band references, cycles among derived items, gaps or overlaps
between score cut-offs, duplicate ids and a `monotone: true` that the rules do not bear out are all errors. The
file format is described in instruments/README.md and shown by the files in `instruments/`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from winnow.core.instruments.errors import InstrumentError
from winnow.core.instruments.marked_yaml import MarkedDict, MarkedList, YamlSyntaxError, load_marked
from winnow.core.instruments.schema import (
    NOT_SCORABLE,
    AllOf,
    AnyOf,
    Applicability,
    Band,
    ChoiceIn,
    Condition,
    CountAtLeast,
    Decision,
    DerivedItem,
    Fallback,
    Instrument,
    Item,
    ItemKind,
    MissingRule,
    Not,
    Option,
    Otherwise,
    Provenance,
    Ref,
    Rule,
    Score,
    ScoreBand,
    ScoreComponent,
    Section,
    Step,
    Threshold,
)
from winnow.core.instruments.scorer import compile_instrument

MAX_FILE_BYTES = 1_000_000
MAX_CONDITION_DEPTH = 16
PROVENANCE_STATUSES = ("published", "unvalidated", "restricted")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")  # items, sections, bands, options: safe in CSV headers and HTML ids
_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")  # steps and rules: "step1", "1a"
_INSTRUMENT_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_RESERVED_IDS = {NOT_SCORABLE.id}


def instrument_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of the file's bytes: what an assessment records to say exactly which file scored it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_instrument(path: str | Path) -> Instrument:
    """Load, validate and compile one instrument file."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InstrumentError(name, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InstrumentError(name, None, f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InstrumentError(name, line, "the file is not UTF-8 text") from None
    return parse_instrument(text, path=name, sha256=hashlib.sha256(data).hexdigest())


def load_directory(path: str | Path) -> dict[str, Instrument]:
    """Load every *.yaml file in a directory, by instrument id; the first broken file raises its error.

    For start-up validation: a broken or duplicated instrument stops start-up with the file, line and reason.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise InstrumentError(str(directory), None, "not a directory of instrument files")
    found: dict[str, Instrument] = {}
    for file in sorted(directory.glob("*.yaml")):
        instrument = load_instrument(file)
        if instrument.id in found:
            raise InstrumentError(
                str(file),
                1,
                f"instrument id {instrument.id!r} is already used by {found[instrument.id].path}",
            )
        found[instrument.id] = instrument
    return found


def parse_instrument(text: str, *, path: str = "<string>", sha256: str | None = None) -> Instrument:
    """Validate instrument YAML given as text; `path` only names the source in errors."""
    try:
        data = load_marked(text)
    except YamlSyntaxError as exc:
        raise InstrumentError(path, exc.line, exc.reason) from None
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    instrument = _Parser(path).instrument(data, sha256)
    # Compile now so that a file that loads is a file that scores (and the first assessment is not slower).
    compile_instrument(instrument)
    return instrument


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, MarkedDict):
        return "a mapping"
    if isinstance(value, MarkedList):
        return "a list"
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"


class _Map:
    """A YAML mapping being validated: typed getters that fail with the line, and a check for unknown keys."""

    def __init__(self, parser: _Parser, data: MarkedDict, where: str, anchor: int | None = None) -> None:
        self.parser = parser
        self.data = data
        self.where = where
        self.anchor = anchor if anchor is not None else data.line  # the line that names this mapping
        self.used: set[str] = set()

    def fail(self, key: str | None, reason: str) -> NoReturn:
        line = self.data.value_lines.get(key, self.anchor) if key is not None else self.anchor
        self.parser.fail(line, f"{self.where}: {reason}")

    def line(self, key: str) -> int:
        return self.data.value_lines.get(key, self.data.line)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                unused = [k for k in self.data if k not in self.used]
                close = difflib.get_close_matches(key, unused, n=1)
                hint = (
                    f" (is {close[0]!r} on line {self.data.key_lines[close[0]]} a misspelling?)"
                    if close
                    else ""
                )
                self.fail(None, f"{key!r} is missing{hint}")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = True, default: str = "", hint: str = "") -> str:
        value = self.raw(key, required=required)
        if value is None and not required:
            return default
        if not isinstance(value, str):
            self.fail(key, f"{key!r} must be text, found {_describe(value)}{hint}")
        if required and not value.strip():
            self.fail(key, f"{key!r} must not be empty")
        return value.strip()

    def ident(self, key: str, pattern: re.Pattern[str] = _ID) -> str:
        value = self.text(key)
        if not pattern.match(value):
            self.fail(key, f"{key!r} {value!r} must match {pattern.pattern}")
        return value

    def integer(self, key: str, *, required: bool = True, minimum: int | None = None) -> int | None:
        value = self.raw(key, required=required)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, f"{key!r} must be a whole number, found {_describe(value)}")
        if minimum is not None and value < minimum:
            self.fail(key, f"{key!r} must be at least {minimum}, found {value}")
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.raw(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"{key!r} must be true or false, found {_describe(value)}")
        return value

    def mapping(self, key: str, *, required: bool = True) -> _Map | None:
        value = self.raw(key, required=required)
        if value is None and not required:
            return None
        if not isinstance(value, MarkedDict):
            self.fail(key, f"{key!r} must be a mapping, found {_describe(value)}")
        return _Map(self.parser, value, f"{self.where}.{key}", self.data.key_lines[key])

    def sequence(self, key: str, *, required: bool = True, non_empty: bool = False) -> list[tuple[Any, int]]:
        value = self.raw(key, required=required)
        if value is None and not required:
            return []
        if not isinstance(value, MarkedList):
            self.fail(key, f"{key!r} must be a list, found {_describe(value)}")
        if non_empty and not value:
            self.fail(key, f"{key!r} must not be empty")
        return list(zip(value, value.item_lines, strict=True))

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        out = []
        for value, line in self.sequence(key, required=required):
            if not isinstance(value, str) or not value.strip():
                self.parser.fail(
                    line, f"{self.where}.{key}: each entry must be non-empty text, found {_describe(value)}"
                )
            out.append(value.strip())
        return tuple(out)

    def done(self) -> None:
        for key in self.data:
            if key not in self.used:
                expected = ", ".join(sorted(self.used))
                self.parser.fail(
                    self.data.key_lines[key],
                    f"{self.where}: unknown key {key!r} (expected one of: {expected})",
                )


class _Parser:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int | None, reason: str) -> NoReturn:
        raise InstrumentError(self.path, line, reason)

    def as_map(self, value: Any, line: int, where: str) -> _Map:
        if not isinstance(value, MarkedDict):
            self.fail(line, f"{where}: must be a mapping, found {_describe(value)}")
        return _Map(self, value, where)

    # The whole file ----------------------------------------------------------------------------------------

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
        )
        if monotone:
            self.check_monotone(instrument, top)
        return instrument

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

    # Items ---------------------------------------------------------------------------------------------------

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

    # Conditions -----------------------------------------------------------------------------------------------

    OPERATORS = ("yes", "no", "any_of", "all_of", "not", "count_at_least", "threshold", "choice")

    def condition(self, value: Any, line: int, where: str, depth: int) -> Condition:
        if depth > MAX_CONDITION_DEPTH:
            self.fail(line, f"{where}: conditions nest more than {MAX_CONDITION_DEPTH} deep")
        if isinstance(value, str):
            return Ref(value.strip(), False, line)
        if not isinstance(value, MarkedDict):
            self.fail(
                line, f"{where}: a condition is an item id or a one-key mapping, found {_describe(value)}"
            )
        if len(value) != 1:
            keys = ", ".join(value) or "none"
            self.fail(
                value.line,
                f"{where}: a condition mapping has exactly one key, one of "
                f"{', '.join(self.OPERATORS)} (found {keys})",
            )
        ((op, arg),) = value.items()
        arg_line = value.value_lines[op]
        if op in ("yes", "no"):
            if not isinstance(arg, str):
                self.fail(arg_line, f"{where}: '{op}' takes an item id, found {_describe(arg)}")
            return Ref(arg.strip(), op == "no", arg_line)
        if op in ("any_of", "all_of"):
            parts = self.condition_list(arg, arg_line, f"{where}.{op}", depth)
            return AnyOf(parts, value.line) if op == "any_of" else AllOf(parts, value.line)
        if op == "not":
            return Not(self.condition(arg, arg_line, f"{where}.not", depth + 1), value.line)
        if op == "count_at_least":
            m = self.as_map(arg, arg_line, f"{where}.count_at_least")
            n = m.integer("n", minimum=1)
            assert n is not None
            parts = self.condition_list(m.raw("of", required=True), m.line("of"), f"{m.where}.of", depth)
            if n > len(parts):
                m.fail("n", f"'n' is {n} but only {len(parts)} conditions are listed: it can never be met")
            m.done()
            return CountAtLeast(n, parts, value.line)
        if op == "threshold":
            return self.threshold(self.as_map(arg, arg_line, f"{where}.threshold"), value.line)
        if op == "choice":
            m = self.as_map(arg, arg_line, f"{where}.choice")
            item = m.text("item")
            options = m.texts("in")
            if not options:
                m.fail("in", "'in' must list at least one option")
            m.done()
            return ChoiceIn(item, options, value.line)
        self.fail(
            value.key_lines[op],
            f"{where}: unknown condition {op!r} (expected one of {', '.join(self.OPERATORS)})",
        )

    def condition_list(self, value: Any, line: int, where: str, depth: int) -> tuple[Condition, ...]:
        if not isinstance(value, MarkedList) or not value:
            self.fail(line, f"{where}: must be a non-empty list of conditions, found {_describe(value)}")
        return tuple(
            self.condition(part, part_line, where, depth + 1)
            for part, part_line in zip(value, value.item_lines, strict=True)
        )

    def threshold(self, m: _Map, line: int) -> Threshold:
        sources = [key for key in ("item", "years_between", "days_between") if m.has(key)]
        if len(sources) != 1:
            m.fail(None, "give exactly one of 'item', 'years_between' or 'days_between'")
        item = between = None
        unit = "value"
        if sources[0] == "item":
            item = m.text("item")
        else:
            unit = "years" if sources[0] == "years_between" else "days"
            dates = m.texts(sources[0])
            if len(dates) != 2:
                m.fail(sources[0], f"{sources[0]!r} takes two date items: [from, to]")
            between = (dates[0], dates[1])
        at_least = m.integer("at_least", required=False)
        at_most = m.integer("at_most", required=False)
        if at_least is None and at_most is None:
            m.fail(None, "give 'at_least', 'at_most' or both")
        if at_least is not None and at_most is not None and at_least > at_most:
            m.fail("at_most", f"'at_least' {at_least} is above 'at_most' {at_most}: it can never be met")
        m.done()
        return Threshold(item, between, unit, at_least, at_most, line)

    def check_condition(
        self, cond: Condition, items: dict[str, Item], derived: dict[str, DerivedItem], where: str
    ) -> None:
        def need(item_id: str, kind: ItemKind, line: int, what: str) -> Item:
            item = items.get(item_id)
            if item is None:
                extra = " (a derived item is yes/no)" if item_id in derived else ""
                self.fail(line, f"{where}: unknown item {item_id!r}{extra}")
            if item.kind is not kind:
                self.fail(
                    line,
                    f"{where}: item {item_id!r} is a {item.kind.value} item; {what} needs a {kind.value} item",
                )
            return item

        if isinstance(cond, Ref):
            item = items.get(cond.item)
            if item is None and cond.item not in derived:
                self.fail(cond.line, f"{where}: unknown item {cond.item!r}")
            if item is not None and item.kind is not ItemKind.YESNO:
                self.fail(
                    cond.line,
                    f"{where}: item {cond.item!r} is a {item.kind.value} item; use 'threshold' or 'choice' to test it",
                )
        elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
            for part in cond.of:
                self.check_condition(part, items, derived, where)
        elif isinstance(cond, Not):
            self.check_condition(cond.of, items, derived, where)
        elif isinstance(cond, Threshold):
            if cond.item is not None:
                need(cond.item, ItemKind.COUNT, cond.line, "'threshold' with 'item'")
            else:
                assert cond.between is not None
                for date_id in cond.between:
                    need(date_id, ItemKind.DATE, cond.line, f"'{cond.unit}_between'")
        elif isinstance(cond, ChoiceIn):
            choice = need(cond.item, ItemKind.CHOICE, cond.line, "'choice'")
            known = {o.id for o in choice.options}
            for option in cond.options:
                if option not in known:
                    self.fail(cond.line, f"{where}: item {cond.item!r} has no option {option!r}")

    def order_derived(self, derived: tuple[DerivedItem, ...]) -> tuple[DerivedItem, ...]:
        """Derived items in dependency order; a cycle is an error naming it."""
        by_id = {d.id: d for d in derived}
        state: dict[str, int] = {}  # 1 visiting, 2 done
        ordered: list[DerivedItem] = []

        def visit(d: DerivedItem, trail: list[str]) -> None:
            state[d.id] = 1
            for ref in _refs(d.when):
                if ref not in by_id:
                    continue
                if state.get(ref) == 1:
                    cycle = [*trail[trail.index(ref) :], ref]
                    self.fail(by_id[ref].line, f"derived items form a cycle: {' -> '.join(cycle)}")
                if state.get(ref) is None:
                    visit(by_id[ref], [*trail, ref])
            state[d.id] = 2
            ordered.append(d)

        for d in derived:
            if d.id not in state:
                visit(d, [d.id])
        return tuple(ordered)

    # Decision steps, score, missing data ---------------------------------------------------------------------

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

    # Monotonicity ---------------------------------------------------------------------------------------------

    def check_monotone(self, instrument: Instrument, top: _Map) -> None:
        """`monotone: true` must follow from the file's structure: Yes can then never lower a band.

        Sufficient conditions, checked here: every condition uses yes/no answers only positively (no `no:`, no
        `not` around them); decision rules run from the highest band down, and `otherwise` (or any score band)
        is no higher than the last rule; a Yes is worth at least as many points as a No.
        """
        derived = {d.id: d for d in instrument.derived}
        yesno = {i.id for i in instrument.items if i.kind is ItemKind.YESNO}
        reason = "declared monotone, but "

        def positive(cond: Condition, sign: bool, where: str) -> None:
            if isinstance(cond, Ref):
                effective = sign != cond.negated
                if cond.item in derived:
                    positive(derived[cond.item].when, effective, where)
                elif cond.item in yesno and not effective:
                    self.fail(
                        cond.line,
                        f"{reason}{where} uses a No answer to {cond.item!r} (a Yes could lower the band)",
                    )
            elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
                for part in cond.of:
                    positive(part, sign, where)
            elif isinstance(cond, Not):
                positive(cond.of, not sign, where)

        rank = {band.id: band.rank for band in instrument.bands}
        if instrument.decision is not None:
            previous: Rule | None = None
            for step in instrument.decision.steps:
                for rule in step.rules:
                    positive(rule.when, True, f"rule {rule.id!r}")
                    if previous is not None and rank[rule.band] > rank[previous.band]:
                        self.fail(
                            rule.line,
                            f"{reason}rule {rule.id!r} ({rule.band}) comes after rule {previous.id!r} "
                            f"({previous.band}): rules must run from the highest band down",
                        )
                    previous = rule
            lowest_rule = previous
            later: list[tuple[str, int]] = []
            if instrument.decision.otherwise is not None:
                later.append((instrument.decision.otherwise.band, instrument.decision.otherwise.line))
            if instrument.score is not None:
                later.extend((c.band, c.line) for c in instrument.score.bands)
            for band, line in later:
                if lowest_rule is not None and rank[band] > rank[lowest_rule.band]:
                    self.fail(
                        line,
                        f"{reason}band {band!r} here is higher than the last rule's ({lowest_rule.band})",
                    )
        if instrument.score is not None:
            for component in instrument.score.components:
                if component.option_points:
                    continue
                sign = component.points >= component.points_if_no
                if component.item in derived:
                    positive(derived[component.item].when, sign, f"score item {component.item!r}")
                elif not sign:
                    self.fail(
                        component.line,
                        f"{reason}score item {component.item!r} gives fewer points for Yes than No",
                    )


def _refs(cond: Condition) -> Iterator[str]:
    if isinstance(cond, Ref):
        yield cond.item
    elif isinstance(cond, AnyOf | AllOf | CountAtLeast):
        for part in cond.of:
            yield from _refs(part)
    elif isinstance(cond, Not):
        yield from _refs(cond.of)
