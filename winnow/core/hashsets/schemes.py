"""Category schemes as data.

A hash set's `Category` field means nothing without the scheme its supplier used: 0 is "non-pertinent" in the
Project VIC US scheme, "uncategorised" in the legacy 0-5 scheme, and CAID's numeric codes in VICS exports are not
public at all (domain.md §3). So a scheme is data supplied with the hash set: which raw codes exist, what each
means, which are non-pertinent, and which raw codes mean "uncategorised" (mapped to None, never to 0).

The built-in schemes below are plain data (`BUILTIN_SCHEMES`); a supplier's own mapping (for example CAID's
numeric codes onto UK A/B/C) loads with `CategoryScheme.from_dict` / `load_scheme` from JSON of the same shape:

    {"name": "caid-uk", "label": "CAID (UK A/B/C)",
     "categories": [{"code": "A", "label": "Category A"}, ...],
     "raw": {"1": "A", "2": "B", "3": "C", "0": null}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


class UnknownCategory(ValueError):
    """A raw category code the scheme does not define."""


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    code: str
    label: str
    pertinent: bool = True


@dataclass(frozen=True, slots=True)
class CategoryScheme:
    """A named set of categories plus the mapping from raw codes (as written in files) to them."""

    name: str
    label: str
    categories: tuple[CategoryInfo, ...]
    # raw code (normalised: stripped, upper-case, "01"/"1.0" -> "1") -> category code, or None = uncategorised
    raw: Mapping[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes = {c.code for c in self.categories}
        if len(codes) != len(self.categories):
            raise ValueError(f"scheme {self.name}: duplicate category codes")
        for raw_code, target in self.raw.items():
            if target is not None and target not in codes:
                raise ValueError(
                    f"scheme {self.name}: raw code {raw_code!r} maps to undefined category {target!r}"
                )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def info(self, code: str) -> CategoryInfo:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(code)

    def is_non_pertinent(self, code: str | None) -> bool:
        return code is not None and not self.info(code).pertinent

    def most_severe(self, codes: Iterable[str | None]) -> str | None:
        """The most severe of some codes: a scheme lists its pertinent categories most severe first (A, B, C;
        1-4), and any pertinent category outranks a non-pertinent one. None when no code is given."""
        order = {c.code: (not c.pertinent, i) for i, c in enumerate(self.categories)}
        present = [c for c in codes if c is not None]
        return min(present, key=lambda c: order.get(c, (True, len(order)))) if present else None

    def map(self, raw: object) -> str | None:
        """Map a raw category value to this scheme's code; None for uncategorised (null, absent, "")."""
        key = normalise_raw_code(raw)
        if key is None:
            return None
        if key in self.raw:
            return self.raw[key]
        if key in self.codes:
            return key
        raise UnknownCategory(
            f"category {raw!r} is not defined by scheme {self.name!r} (known: {self._known()})"
        )

    def _known(self) -> str:
        keys = sorted(set(self.raw) | set(self.codes))
        return ", ".join(keys) if keys else "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "categories": [
                {"code": c.code, "label": c.label, "pertinent": c.pertinent} for c in self.categories
            ],
            "raw": dict(self.raw),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoryScheme:
        try:
            cats = tuple(
                CategoryInfo(str(c["code"]).strip().upper(), str(c["label"]), bool(c.get("pertinent", True)))
                for c in data["categories"]
            )
            raw_map: dict[str, str | None] = {}
            for k, v in dict(data.get("raw", {})).items():
                nk = normalise_raw_code(k)
                if nk is None:
                    raise ValueError(f"empty raw code in scheme {data.get('name')!r}")
                raw_map[nk] = None if v is None else str(v).strip().upper()
            return cls(
                name=str(data["name"]),
                label=str(data.get("label", data["name"])),
                categories=cats,
                raw=raw_map,
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a category scheme: missing or malformed {exc}") from None


_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_UK_PREFIX = re.compile(r"^(?:CATEGORY|CAT)[\s._-]*")


def normalise_raw_code(raw: object) -> str | None:
    """Normalise a raw category value: None/""/null -> None; 1, "1", " 01 ", "1.0", Decimal(1) -> "1";
    "a", "Cat A", "Category A" -> "A". Booleans are not categories."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise UnknownCategory(f"category {raw!r} is a boolean, not a category code")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, (float, Decimal)):
        if raw != int(raw):
            raise UnknownCategory(f"category {raw!r} is not a whole number")
        return str(int(raw))
    text = str(raw).strip().upper()
    if not text or text in {"NULL", "NONE"}:
        return None
    if _NUMBER.match(text):
        return str(int(float(text)))
    return _UK_PREFIX.sub("", text) or None


_PVIC_CATEGORIES = (
    CategoryInfo("1", "Child abuse material"),
    CategoryInfo("2", "Child exploitive / age difficult"),
    CategoryInfo("3", "CGI / animation"),
    CategoryInfo("4", "Comparison"),
)

BUILTIN_SCHEMES: dict[str, CategoryScheme] = {
    s.name: s
    for s in (
        CategoryScheme(
            name="uk-abc",
            label="UK Sentencing Council categories A/B/C",
            categories=(
                CategoryInfo(
                    "A", "Category A: penetrative sexual activity, sexual activity with an animal, or sadism"
                ),
                CategoryInfo("B", "Category B: non-penetrative sexual activity"),
                CategoryInfo("C", "Category C: other indecent images"),
            ),
            # Letters only: CAID's numeric VICS codes are not public, so a numeric UK file needs the supplier's
            # own scheme (from_dict / load_scheme) rather than a guess here.
            raw={},
        ),
        CategoryScheme(
            name="projectvic-us",
            label="Project VIC US 0-4 (0 = non-pertinent)",
            categories=(CategoryInfo("0", "Non-pertinent", pertinent=False), *_PVIC_CATEGORIES),
            raw={},
        ),
        CategoryScheme(
            name="legacy-0-5",
            label="Legacy 0-5 (0 = uncategorised, 5 = non-pertinent)",
            categories=(*_PVIC_CATEGORIES, CategoryInfo("5", "Non-pertinent", pertinent=False)),
            raw={"0": None},
        ),
        # For files that carry no categories at all (NSRL, plain hash lists).
        CategoryScheme(name="none", label="No categories", categories=(), raw={}),
    )
}


def get_scheme(scheme: CategoryScheme | str) -> CategoryScheme:
    if isinstance(scheme, CategoryScheme):
        return scheme
    try:
        return BUILTIN_SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"unknown category scheme {scheme!r}; built in: {', '.join(BUILTIN_SCHEMES)}"
        ) from None


def load_scheme(path: str | Path) -> CategoryScheme:
    """Load a supplier's scheme from a JSON file (shape in the module docstring)."""
    with open(path, encoding="utf-8-sig") as fh:
        return CategoryScheme.from_dict(json.load(fh))
