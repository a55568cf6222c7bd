"""From ratings in long form (case, rater, item, value) to agreement per item, per rater, and the items to review.

An item whose every value is a number is a score (ICC); any other item is categorical (kappa, alpha, percent
agreement). An item listed in `ordered` (for instance the band, with its bands lowest first) is categorical with
an order: it also gets ordinal alpha, exact agreement and the mean pairwise quadratic-weighted kappa.

With a `reference` (the answers agreed by a force's lead for a vignette), each rater also gets their agreement
with it: items agreed out of items compared, and the band exactly right out of cases with a band.

Thresholds for "review the guidance" are parameters with sourced defaults: Krippendorff's alpha below 0.667
(Krippendorff 2004, the lowest level he accepts even for tentative conclusions) and ICC below 0.75 (Koo & Li
2016: below 0.75 is moderate or poor).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import AgreementInputError
from .stats import (
    CategoricalAgreement,
    Estimate,
    IccResult,
    categorical_agreement,
    icc,
    mean_pairwise_weighted_kappa_estimate,
    weighted_kappa_estimate,
)

ALPHA_REVIEW_BELOW = 0.667
ICC_REVIEW_BELOW = 0.75
LOW_PREVALENCE_AGREEMENT = 0.9


@dataclass(frozen=True)
class Rating:
    case: str
    rater: str
    item: str
    value: str


@dataclass(frozen=True)
class ItemAgreement:
    item: str
    kind: str  # "categorical" or "score"
    cases: int  # cases with two or more ratings (categorical) or complete cases (score)
    raters: int
    categorical: CategoricalAgreement | None = None
    exact_agreement: Estimate | None = None  # ordered items: the same as percent agreement, named for bands
    weighted_kappa: float | None = None  # ordered items: mean pairwise quadratic-weighted kappa
    weighted_kappa_pairs: int = 0
    weighted_kappa_ci: tuple[float | None, float | None] | None = None  # bootstrap over cases
    icc: IccResult | None = None
    dropped_cases: int = 0  # score items: cases not rated by every rater, left out of the ICC
    review: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RaterAgreement:
    rater: str
    items_compared: int
    items_agreed: int
    cases_with_band: int
    bands_exact: int
    band_weighted_kappa: float | None
    band_weighted_kappa_ci: tuple[float | None, float | None] | None = None  # bootstrap over cases

    @property
    def item_agreement(self) -> float | None:
        return self.items_agreed / self.items_compared if self.items_compared else None

    @property
    def band_exact(self) -> float | None:
        return self.bands_exact / self.cases_with_band if self.cases_with_band else None


@dataclass(frozen=True)
class AgreementReport:
    items: dict[str, ItemAgreement]
    raters: dict[str, RaterAgreement] = field(default_factory=dict)

    @property
    def review_items(self) -> list[str]:
        return [name for name, item in self.items.items() if item.review]


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _table(ratings: Iterable[Rating]) -> dict[str, dict[str, dict[str, str]]]:
    """item -> case -> rater -> value; a second rating of the same case and item by the same rater is an error."""
    table: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for rating in ratings:
        cell = table[rating.item][rating.case]
        if rating.rater in cell:
            raise AgreementInputError(
                f"rater {rating.rater!r} rated case {rating.case!r} item {rating.item!r} twice")
        cell[rating.rater] = rating.value
    return table


def _categorical(name: str, by_case: Mapping[str, Mapping[str, str]], order: Sequence[str] | None,
                 replicates: int, seed: int) -> ItemAgreement:
    categories = list(order) if order else sorted({v for raters in by_case.values() for v in raters.values()})
    index = {c: i for i, c in enumerate(categories)}
    for case, raters in by_case.items():
        for rater, value in raters.items():
            if value not in index:
                raise AgreementInputError(f"case {case!r}, rater {rater!r}: {value!r} is not one of "
                                          f"{', '.join(categories)} for {name!r}", field=name)
    pairable = {case: raters for case, raters in by_case.items() if len(raters) >= 2}
    all_raters = sorted({r for raters in pairable.values() for r in raters})
    if not pairable:
        return ItemAgreement(name, "categorical", 0, len(all_raters), review=False,
                             notes=("no case was rated by two or more raters: nothing to compare",))
    counts = np.zeros((len(pairable), len(categories)))
    for row, raters in enumerate(pairable.values()):
        for value in raters.values():
            counts[row, index[value]] += 1
    result = categorical_agreement(counts, ordinal=order is not None, replicates=replicates, seed=seed)
    notes: list[str] = []
    exact = wk = wk_ci = None
    pairs = 0
    if order is not None:
        exact = result.percent_agreement
        rater_col = {r: j for j, r in enumerate(all_raters)}
        ranks = np.full((len(pairable), len(all_raters)), -1, dtype=np.int64)
        for row, raters in enumerate(pairable.values()):
            for rater, value in raters.items():
                ranks[row, rater_col[rater]] = index[value]
        wk_estimate, pairs = mean_pairwise_weighted_kappa_estimate(ranks, len(categories), replicates=replicates,
                                                                   seed=seed)
        wk = wk_estimate.value
        wk_ci = (wk_estimate.low, wk_estimate.high) if wk_estimate.low is not None else None
    chosen = result.krippendorff_alpha_ordinal if result.krippendorff_alpha_ordinal is not None else (
        result.krippendorff_alpha)
    alpha = chosen.value
    review = alpha is None or alpha < ALPHA_REVIEW_BELOW
    kappa = result.fleiss_kappa.value
    if alpha is None:
        notes.append("every rating was the same value: agreement beyond chance cannot be measured")
        review = False
    elif (kappa is not None and kappa < 0.4 and result.percent_agreement.value is not None
          and result.percent_agreement.value >= LOW_PREVALENCE_AGREEMENT):
        notes.append("raters agree on almost every case but one value is rare: kappa and alpha are depressed "
                     "by the low prevalence; read them beside the percent agreement")
    if review:
        notes.append(f"alpha below {ALPHA_REVIEW_BELOW}: review the guidance for this item")
    return ItemAgreement(name, "categorical", result.cases, len(all_raters), categorical=result,
                         exact_agreement=exact, weighted_kappa=wk, weighted_kappa_pairs=pairs,
                         weighted_kappa_ci=wk_ci, review=review,
                         notes=tuple(notes))


def _score(name: str, by_case: Mapping[str, Mapping[str, str]]) -> ItemAgreement:
    all_raters = sorted({r for raters in by_case.values() for r in raters})
    complete = [raters for raters in by_case.values() if len(raters) == len(all_raters)]
    dropped = len(by_case) - len(complete)
    if len(complete) < 2 or len(all_raters) < 2:
        return ItemAgreement(name, "score", len(complete), len(all_raters), dropped_cases=dropped,
                             notes=("ICC needs two or more cases rated by every rater (two or more raters)",))
    matrix = np.array([[float(raters[r]) for r in all_raters] for raters in complete])
    result = icc(matrix)
    value = result.icc2_1.value
    review = value is not None and value < ICC_REVIEW_BELOW
    notes = []
    if dropped:
        notes.append(f"{dropped} case(s) not rated by every rater were left out of the ICC")
    if value is None:
        notes.append("every score was the same: ICC cannot be measured")
    if review:
        notes.append(f"ICC(2,1) below {ICC_REVIEW_BELOW}: review the guidance for this item")
    return ItemAgreement(name, "score", len(complete), len(all_raters), icc=result, dropped_cases=dropped,
                         review=review, notes=tuple(notes))


def _raters(table: Mapping[str, Mapping[str, Mapping[str, str]]], reference: Mapping[tuple[str, str], str],
            band_item: str | None, order: Mapping[str, Sequence[str]], replicates: int,
            seed: int) -> dict[str, RaterAgreement]:
    compared: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    band_pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item, by_case in table.items():
        for case, raters in by_case.items():
            expected = reference.get((case, item))
            if expected is None:
                continue
            for rater, value in raters.items():
                tally = compared[rater]
                if item == band_item:
                    tally[2] += 1
                    tally[3] += value == expected
                    ranks = {b: i for i, b in enumerate(order.get(item, ()))}
                    if value in ranks and expected in ranks:
                        band_pairs[rater].append((ranks[value], ranks[expected]))
                else:
                    tally[0] += 1
                    tally[1] += _same(value, expected)
    result = {}
    for rater, (n, agreed, bands, exact) in sorted(compared.items()):
        pairs = band_pairs.get(rater, [])
        wk = wk_ci = None
        if band_item is not None and len(pairs) >= 2:
            estimate = weighted_kappa_estimate([p[0] for p in pairs], [p[1] for p in pairs], len(order[band_item]),
                                               replicates=replicates, seed=seed)
            wk = estimate.value
            wk_ci = (estimate.low, estimate.high) if estimate.low is not None else None
        result[rater] = RaterAgreement(rater, n, agreed, bands, exact, wk, wk_ci)
    return result


def _same(value: str, expected: str) -> bool:
    if value == expected:
        return True
    return _is_number(value) and _is_number(expected) and float(value) == float(expected)


def analyse(ratings: Iterable[Rating], *, ordered: Mapping[str, Sequence[str]] | None = None,
            reference: Mapping[tuple[str, str], str] | None = None, band_item: str | None = None,
            replicates: int = 1000, seed: int = 0) -> AgreementReport:
    """Agreement per item (and, with a reference, per rater). `reference` maps (case, item) to the agreed answer;
    `band_item` names the item that holds the band (counted apart from the items in a rater's agreement)."""
    ordered = dict(ordered or {})
    table = _table(ratings)
    if not table:
        raise AgreementInputError("there are no ratings")
    items: dict[str, ItemAgreement] = {}
    for name in sorted(table):
        by_case = table[name]
        values = [v for raters in by_case.values() for v in raters.values()]
        if name not in ordered and all(_is_number(v) for v in values):
            items[name] = _score(name, by_case)
        else:
            items[name] = _categorical(name, by_case, ordered.get(name), replicates, seed)
    raters = _raters(table, reference, band_item, ordered, replicates, seed) if reference else {}
    return AgreementReport(items, raters)


def _num(value: float | None) -> float | None:
    """JSON has no NaN or infinity: an undefined figure is null."""
    return value if value is not None and math.isfinite(value) else None


def _ci(value: Estimate) -> list[float | None]:
    return [_num(value.low), _num(value.high)]


def report_dict(report: AgreementReport) -> dict[str, Any]:
    """The report as plain JSON-ready data: {"items": {ITEM: {...}}, "raters": {...}, "review": [...]}."""
    items: dict[str, Any] = {}
    for name, item in report.items.items():
        entry: dict[str, Any] = {"kind": item.kind, "cases": item.cases, "raters": item.raters,
                                 "review": item.review, "notes": list(item.notes)}
        if item.kind == "categorical":
            c = item.categorical
            entry.update({
                "ratings": c.ratings if c else 0,
                "fleiss_kappa": _num(c.fleiss_kappa.value) if c else None,
                "fleiss_kappa_ci": _ci(c.fleiss_kappa) if c else None,
                "krippendorff_alpha": _num(c.krippendorff_alpha.value) if c else None,
                "krippendorff_alpha_ci": _ci(c.krippendorff_alpha) if c else None,
                "percent_agreement": _num(c.percent_agreement.value) if c else None,
                "percent_agreement_ci": _ci(c.percent_agreement) if c else None,
            })
            if c and c.krippendorff_alpha_ordinal is not None:
                entry["krippendorff_alpha_ordinal"] = _num(c.krippendorff_alpha_ordinal.value)
                entry["krippendorff_alpha_ordinal_ci"] = _ci(c.krippendorff_alpha_ordinal)
                entry["exact_agreement"] = _num(item.exact_agreement.value) if item.exact_agreement else None
                entry["quadratic_weighted_kappa"] = _num(item.weighted_kappa)
                entry["quadratic_weighted_kappa_pairs"] = item.weighted_kappa_pairs
                entry["quadratic_weighted_kappa_ci"] = ([_num(v) for v in item.weighted_kappa_ci]
                                                        if item.weighted_kappa_ci else [None, None])
        else:
            r = item.icc
            entry.update({
                "dropped_cases": item.dropped_cases,
                "icc1_1": _num(r.icc1_1.value) if r else None,
                "icc2_1": _num(r.icc2_1.value) if r else None,
                "icc2_1_ci": _ci(r.icc2_1) if r else None,
                "icc3_1": _num(r.icc3_1.value) if r else None,
            })
        items[name] = entry
    raters = {name: {"items_compared": r.items_compared, "item_agreement": r.item_agreement,
                     "cases_with_band": r.cases_with_band, "band_exact": r.band_exact,
                     "band_weighted_kappa": _num(r.band_weighted_kappa),
                     "band_weighted_kappa_ci": [_num(v) for v in r.band_weighted_kappa_ci] if r.band_weighted_kappa_ci
                     else [None, None]}
              for name, r in report.raters.items()}
    return {"items": items, "raters": raters, "review": report.review_items}
