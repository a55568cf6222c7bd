"""The structured case-facts vocabulary: measures and their options, from a data file a force can extend.

The shipped file is `case_facts.yaml` beside this module. A force's extension file may add options to a measure
or add measures; it may not remove or relabel what the shipped file holds, because trends across years depend on
the codes staying put. Every measure has an `unknown` option (Unknown is not No, invariant 3). Errors name the
file, the measure and the reason (`VocabularyError`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

BASE_FILE = Path(__file__).with_name("case_facts.yaml")
KINDS = ("one", "several")
SECTIONS = ("profile", "concealment", "methods", "material", "interview")
# In a "several" measure these stand alone: they cannot be recorded together with any other option.
EXCLUSIVE = frozenset({"unknown", "none", "none_given", "not_interviewed"})


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file, the measure and why."""


@dataclass(frozen=True)
class Measure:
    code: str
    section: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...]

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.options)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.options)

    def check(self, values: Iterable[str]) -> tuple[str, ...]:
        """The values in vocabulary order, or ValueError naming the measure and the bad value."""
        chosen = list(dict.fromkeys(values))
        if not chosen:
            raise ValueError(f"{self.label}: choose at least one option (Unknown if it is not known)")
        for value in chosen:
            if value not in self.labels:
                raise ValueError(f"{self.label}: {value!r} is not one of {', '.join(self.codes)}")
        if self.kind == "one" and len(chosen) > 1:
            raise ValueError(f"{self.label}: only one option may be chosen")
        alone = [v for v in chosen if v in EXCLUSIVE]
        if alone and len(chosen) > 1:
            raise ValueError(f"{self.label}: {self.labels[alone[0]]} cannot be recorded with other options")
        order = {code: i for i, code in enumerate(self.codes)}
        return tuple(sorted(chosen, key=order.__getitem__))


@dataclass(frozen=True)
class Vocabulary:
    measures: tuple[Measure, ...]

    def __getitem__(self, code: str) -> Measure:
        for measure in self.measures:
            if measure.code == code:
                return measure
        raise KeyError(code)

    def section(self, section: str) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.section == section)


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: cannot be read as YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("measures"), list):
        raise VocabularyError(f"{path}: needs a top-level 'measures' list")
    measures: list[dict[str, Any]] = data["measures"]
    return measures


def _measure(path: Path, index: int, raw: Any, known: Mapping[str, Measure]) -> Measure:
    where = f"{path}: measure {index + 1}"
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str) or not raw["code"]:
        raise VocabularyError(f"{where}: needs a code")
    code = raw["code"]
    where = f"{path}: measure {code!r}"
    options = raw.get("options")
    if not isinstance(options, dict) or not options:
        raise VocabularyError(f"{where}: needs options (code: label)")
    pairs = []
    for key, label in options.items():
        if not isinstance(key, str) or not isinstance(label, str) or not key or not label:
            raise VocabularyError(f"{where}: option {key!r} needs a text code and label (quote yes/no in YAML)")
        pairs.append((key, label))
    if code in known:
        base = known[code]
        for key, label in pairs:
            if key in base.labels and base.labels[key] != label:
                raise VocabularyError(f"{where}: option {key!r} is already labelled {base.labels[key]!r}")
        extra = tuple((k, v) for k, v in pairs if k not in base.labels)
        # New options go before "unknown" (which stays last), so tables read naturally.
        head = tuple(p for p in base.options if p[0] != "unknown")
        return Measure(base.code, base.section, base.label, base.kind, head + extra + (("unknown", "Unknown"),))
    for field in ("section", "label", "kind"):
        if not isinstance(raw.get(field), str):
            raise VocabularyError(f"{where}: needs a {field}")
    if raw["kind"] not in KINDS:
        raise VocabularyError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if raw["section"] not in SECTIONS:
        raise VocabularyError(f"{where}: section must be one of {', '.join(SECTIONS)}")
    if "unknown" not in options:
        raise VocabularyError(f"{where}: needs an 'unknown' option (Unknown is not No)")
    return Measure(code, raw["section"], raw["label"], raw["kind"], tuple(pairs))


def load_vocabulary(extra: Iterable[str | Path] = ()) -> Vocabulary:
    """The shipped vocabulary, extended by each extra file in turn."""
    measures: dict[str, Measure] = {}
    for path in (BASE_FILE, *map(Path, extra)):
        for index, raw in enumerate(_read(path)):
            measure = _measure(path, index, raw, measures)
            measures[measure.code] = measure
    return Vocabulary(tuple(measures.values()))


@cache
def base_vocabulary() -> Vocabulary:
    return load_vocabulary()


def concealment_indicators() -> dict[str, str]:
    """The IT-skills-and-concealment options that are indicators (not None/Unknown): the managed-offender digital
    risk indicators are these, so a case and a managed offender are described in one vocabulary."""
    measure = base_vocabulary()["concealment"]
    return {code: label for code, label in measure.options if code not in EXCLUSIVE}
