"""A bank of training vignettes as data: fictional case summaries with the answers a force's lead agreed.

One YAML file per vignette (safe-loaded with the instrument loader's strict, line-marking YAML):

    id: pp-01-contact-allegation          # unique in the bank; lower case, digits, hyphens
    instrument: phased-prioritisation     # an instrument id ...
    version: "0.2.0"                      # ... and the version the answers were agreed for
    title: "Short title"
    fictional: true                       # required, and must be true: no real case is ever a vignette
    agreed_by: "who agreed the reference answers"
    summary: >-
      The case as the trainee reads it.
    answers:                              # every item of the instrument, each with its reference answer
      prior_contact_offence: {answer: "no", rationale: "Why this is the answer."}
      sexual_convictions: {answer: 0, rationale: "..."}
    band: very_high                       # instruments with bands: the reference band ...
    rule: "2a"                            # ... and, optionally, the rule the reference answers reach
    score: 3                              # instruments with a score (CPORT): the reference score instead
    rationale: "Why the band (or score) follows."

Loading checks the answers against the instrument (every item answered, each answer valid for its kind) and that
the reference band, rule or score is what the engine gives on the reference answers: a vignette bank that
disagrees with the engine would train people to the wrong answer. Every error names the file and the line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from winnow.core.instruments import Instrument, Result, parse_answer, score
from winnow.core.instruments.marked_yaml import MarkedDict, YamlSyntaxError, load_marked
from winnow.core.instruments.schema import UNKNOWN

MAX_FILE_BYTES = 200_000
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
KEYS = {"id", "instrument", "version", "title", "fictional", "agreed_by", "summary", "answers", "band", "rule",
        "score", "rationale"}


class VignetteError(Exception):
    """A vignette file cannot be used: the file, the line (when known) and the reason."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        super().__init__(path, line, reason)
        self.path, self.line, self.reason = path, line, reason

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}" if self.line is not None else f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class ReferenceAnswer:
    item: str
    answer: str  # as text, the way Assessment.answers records it: "yes", "no", "unknown", "3"
    rationale: str


@dataclass(frozen=True)
class Vignette:
    id: str
    instrument_id: str
    instrument_version: str
    title: str
    agreed_by: str
    summary: str
    answers: tuple[ReferenceAnswer, ...]
    band: str | None
    rule: str | None
    score: int | None
    rationale: str
    path: str = ""
    sha256: str = ""  # of the file's bytes: an attempt records which reference it was marked against

    def answer(self, item_id: str) -> ReferenceAnswer:
        for answer in self.answers:
            if answer.item == item_id:
                return answer
        raise KeyError(item_id)

    @property
    def answer_map(self) -> dict[str, str]:
        return {a.item: a.answer for a in self.answers}


def answer_text(value: Any) -> str:
    """A scorer value as the text Winnow stores: yes / no / unknown / the number / the option id / the date."""
    if value is UNKNOWN:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def score_answers(instrument: Instrument, answers: Mapping[str, str]) -> Result:
    """The engine's result on text answers (every item present), as a vignette's reference is checked."""
    return score(instrument, {item.id: parse_answer(item, answers.get(item.id, "unknown"))
                              for item in instrument.items})


class _Reader:
    def __init__(self, path: str, instruments: Mapping[tuple[str, str], Instrument]) -> None:
        self.path = path
        self.instruments = instruments

    def fail(self, line: int | None, reason: str) -> VignetteError:
        return VignetteError(self.path, line, reason)

    def text(self, data: MarkedDict, key: str, *, required: bool = True) -> str | None:
        if key not in data:
            if required:
                raise self.fail(data.line, f"{key!r} is missing")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(data.value_lines[key], f"{key!r} must be non-empty text")
        return value.strip()

    def vignette(self, data: Any) -> Vignette:
        if not isinstance(data, MarkedDict):
            raise self.fail(1, "a vignette file must be a mapping (id:, instrument:, version:, ...)")
        unknown = [k for k in data if k not in KEYS]
        if unknown:
            raise self.fail(data.key_lines[unknown[0]], f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
        vid = self.text(data, "id") or ""
        if not _ID.match(vid):
            raise self.fail(data.value_lines["id"], f"id {vid!r}: lower-case letters, digits and hyphens only")
        if data.get("fictional") is not True:
            raise self.fail(data.value_lines.get("fictional", data.line),
                            "'fictional: true' is required: a vignette is a fictional case, never a real one")
        instrument_id, version = self.text(data, "instrument") or "", self.text(data, "version") or ""
        instrument = self.instruments.get((instrument_id, version))
        if instrument is None:
            loaded = ", ".join(f"{i} {v}" for i, v in sorted(self.instruments)) or "none"
            raise self.fail(data.value_lines["version"] if "version" in data else data.line,
                            f"instrument {instrument_id!r} version {version!r} is not loaded (loaded: {loaded})")
        answers = self.answers(data, instrument)
        band, rule, score_value = self.reference(data, instrument, answers)
        return Vignette(vid, instrument_id, version, self.text(data, "title") or "",
                        self.text(data, "agreed_by") or "", self.text(data, "summary") or "", answers, band, rule,
                        score_value, self.text(data, "rationale") or "", self.path)

    def answers(self, data: MarkedDict, instrument: Instrument) -> tuple[ReferenceAnswer, ...]:
        block = data.get("answers")
        if not isinstance(block, MarkedDict):
            raise self.fail(data.value_lines.get("answers", data.line), "'answers' must map each item to "
                            "{answer: ..., rationale: ...}")
        ids = [item.id for item in instrument.items]
        for key in block:
            if key not in ids:
                raise self.fail(block.key_lines[key], f"{key!r} is not an item of {instrument.id} {instrument.version}")
        missing = [i for i in ids if i not in block]
        if missing:
            raise self.fail(block.line, f"no reference answer for {', '.join(missing)} (every item needs one; "
                            "'unknown' is an answer)")
        out = []
        for item in instrument.items:
            entry = block[item.id]
            line = block.value_lines[item.id]
            if not isinstance(entry, MarkedDict) or set(entry) != {"answer", "rationale"}:
                raise self.fail(line, f"{item.id}: expected {{answer: ..., rationale: ...}}")
            raw = entry["answer"]
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise self.fail(entry.value_lines["answer"], f"{item.id}: the answer must be text or a whole number "
                                "(quote yes and no)")
            try:
                value = parse_answer(item, str(raw))
            except ValueError as exc:
                raise self.fail(entry.value_lines["answer"], f"{item.id}: {exc}") from None
            if isinstance(value, int) and not isinstance(value, bool) and (
                    (item.minimum is not None and value < item.minimum)
                    or (item.maximum is not None and value > item.maximum)):
                raise self.fail(entry.value_lines["answer"],
                                f"{item.id}: {value} is outside {item.minimum}-{item.maximum}")
            rationale = self.text(entry, "rationale") or ""
            out.append(ReferenceAnswer(item.id, answer_text(value), rationale))
        return tuple(out)

    def reference(self, data: MarkedDict, instrument: Instrument,
                  answers: tuple[ReferenceAnswer, ...]) -> tuple[str | None, str | None, int | None]:
        result = score_answers(instrument, {a.item: a.answer for a in answers})
        if instrument.bands:
            band = self.text(data, "band") or ""
            if band not in [b.id for b in instrument.bands]:
                raise self.fail(data.value_lines["band"], f"band {band!r} is not one of "
                                f"{', '.join(b.id for b in instrument.bands)}")
            if result.band is None or result.band.id != band:
                got = result.band.id if result.band is not None else "no band"
                raise self.fail(data.value_lines["band"], f"the reference answers give {got} "
                                f"({result.decided_by}), not {band}: correct the answers or the band")
            rule = self.text(data, "rule", required=False)
            if rule is not None and rule != (result.rule_id or "otherwise"):
                raise self.fail(data.value_lines["rule"], f"the reference answers reach rule "
                                f"{result.rule_id or 'otherwise'}, not {rule}")
            return band, rule, None
        if "score" not in data or isinstance(data["score"], bool) or not isinstance(data["score"], int):
            raise self.fail(data.value_lines.get("score", data.line), "'score' (a whole number) is required for an "
                            "instrument that gives a score")
        if result.score != data["score"] or result.score_max != data["score"]:
            shown = result.score if result.score == result.score_max else f"{result.score}-{result.score_max}"
            raise self.fail(data.value_lines["score"], f"the reference answers score {shown}, not {data['score']}")
        return None, None, int(data["score"])


def parse_vignette(text: str, instruments: Mapping[tuple[str, str], Instrument], *,
                   path: str = "<string>") -> Vignette:
    try:
        data = load_marked(text)
    except YamlSyntaxError as exc:
        raise VignetteError(path, exc.line, exc.reason) from None
    vignette = _Reader(path, instruments).vignette(data)
    return dataclasses.replace(vignette, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_vignette(path: str | Path, instruments: Mapping[tuple[str, str], Instrument]) -> Vignette:
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise VignetteError(name, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise VignetteError(name, None, f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VignetteError(name, data[: exc.start].count(b"\n") + 1, "the file is not UTF-8 text") from None
    return parse_vignette(text, instruments, path=name)


def load_bank(directory: str | Path, instruments: Mapping[tuple[str, str], Instrument]) -> dict[str, Vignette]:
    """Every *.yaml under `directory` (sub-folders too), by vignette id; the first broken file raises its error."""
    root = Path(directory)
    if not root.is_dir():
        raise VignetteError(str(root), None, "not a directory of vignette files")
    bank: dict[str, Vignette] = {}
    for file in sorted(root.rglob("*.yaml")):
        vignette = load_vignette(file, instruments)
        if vignette.id in bank:
            raise VignetteError(str(file), 1, f"vignette id {vignette.id!r} is already used by {bank[vignette.id].path}")
        bank[vignette.id] = vignette
    return bank
