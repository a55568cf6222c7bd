"""Plain-language explanation of a result, and text formatting for the command line.

Every explanation says what decided the band (the rule, or the score and its cut-off), which answers drove it,
how many answers were unknown and whether the band rests on them (with the unknown-answer policy), and ends with
the instrument's own notice (for Winnow's prioritisation aid: that it is not KIRAT and is unvalidated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from winnow.core.instruments.schema import NOT_SCORABLE, Band, Instrument

if TYPE_CHECKING:
    from winnow.core.instruments.result import Driver, FallbackUse, Result, UndecidedRule

POLICY_LINE = (
    "Unknown answers are never read as No: a rule that cannot be decided without them does not fire, and "
    "scoring passes on to the next rule."
)

SCORE_POLICY_LINE = (
    "Unknown answers are never read as No: the score counts known answers only, and the range shows what the "
    "unknown answers could add."
)


def _join(parts: list[str]) -> str:
    return "; ".join(parts)


def _answers(drivers: tuple[Driver, ...]) -> str:
    return _join([f"{d.question} = {d.answer}" for d in drivers])


def build_explanation(instrument: Instrument, r: dict[str, Any]) -> tuple[str, ...]:
    lines: list[str] = []
    labels: dict[str, str] = instrument.compiled.labels
    band: Band | None = r["band"]
    _headline(lines, instrument, r, band)
    _driver_line(lines, instrument, r, band)
    _fallback_lines(lines, labels, r["fallbacks"])

    unknown: tuple[str, ...] = r["unknown_items"]
    if unknown:
        shown = _join([labels[item_id] for item_id in unknown])
        lines.append(f"Unknown answers: {len(unknown)} of {len(instrument.items)} ({shown}).")
    else:
        lines.append(f"Unknown answers: none of {len(instrument.items)}.")

    if band is not NOT_SCORABLE:
        _unknowns_lines(lines, labels, r, band, unknown)

    lines.append(f"Instrument: {instrument.title}, version {instrument.version}.")
    lines.append(instrument.provenance.notice)
    return tuple(lines)


def _headline(lines: list[str], instrument: Instrument, r: dict[str, Any], band: Band | None) -> None:
    total, total_max = r["score"], r["score_max"]
    score = instrument.score
    if band is NOT_SCORABLE:
        lines.append(f"Not scorable: {r['not_scorable_reason']}.")
        if instrument.missing is not None:
            lines.append(f"Missing-data rule: {instrument.missing.statement}")
    elif band is not None:
        lines.append(f"Band: {band.label}, decided by {_decider(instrument, r)}.")
        if score is not None and total is not None:
            lines.append(_score_line(score.label, total, total_max, score.maximum))
    elif score is not None and total is not None:
        lines.append(_score_line(score.label, total, total_max, score.maximum))
        lines.append("This instrument gives a score, not a band.")


def _driver_line(lines: list[str], instrument: Instrument, r: dict[str, Any], band: Band | None) -> None:
    drivers: tuple[Driver, ...] = r["drivers"]
    if not drivers:
        return
    if band is not None and r["rule_id"] is None and r["cutoff"] is None and instrument.decision is not None:
        lines.append(f"Answers that kept every rule from firing: {_answers(drivers)}.")
    elif instrument.score is not None and r["rule_id"] is None:
        lines.append(f"Scored answers: {_score_answers(instrument, drivers)}.")
    else:
        lines.append(f"Answers behind it: {_answers(drivers)}.")


def _fallback_lines(lines: list[str], labels: dict[str, str], fallbacks: tuple[FallbackUse, ...]) -> None:
    for use in fallbacks:
        question = labels[use.item]
        if use.value is None:
            lines.append(
                f'"{question}" was unknown and {use.instrument.upper()} could not answer it '
                f"({use.instrument.upper()} score: {use.score}); it stays unknown. {use.note}"
            )
        else:
            lines.append(
                f'"{question}" was unknown; answered {"Yes" if use.value else "No"} from the '
                f"{use.instrument.upper()} score {use.score}. {use.note}"
            )


def _unknowns_lines(
    lines: list[str], labels: dict[str, str], r: dict[str, Any], band: Band | None, unknown: tuple[str, ...]
) -> None:
    """Which undecided rules could change the band, and whether the result rests on unknown answers."""
    undecided: tuple[UndecidedRule, ...] = r["undecided"]
    for rule in undecided:
        if band is not None and rule.band.id == band.id:
            continue  # firing it would give the same band
        blockers = _join([labels[i] for i in rule.unknown_items])
        lines.append(
            f"Rule {rule.rule} ({rule.band.label}) could not be decided because these answers are "
            f"unknown: {blockers}."
        )
    if r["rests_on_unknowns"]:
        highest: Band | None = r["highest_possible_band"]
        could = (
            f" Once they are answered the band could be as high as {highest.label}."
            if highest is not None and band is not None and highest.rank > band.rank
            else ""
        )
        policy = (
            POLICY_LINE if any(band is None or u.band.id != band.id for u in undecided) else SCORE_POLICY_LINE
        )
        lines.append(f"This result rests on unknown answers. {policy}{could}")
    elif unknown and band is not None:
        lines.append(
            "The band does not rest on the unknown answers: no rule or cut-off that could change it "
            "depends on them."
        )


def _decider(instrument: Instrument, r: dict[str, Any]) -> str:
    if r["rule_id"] is not None:
        return str(instrument.compiled.deciders[r["rule_id"]])
    if r["cutoff"] is not None:
        cut = r["cutoff"]
        return f"the score cut-off {cut.minimum}-{cut.maximum}"
    assert instrument.decision is not None and instrument.decision.otherwise is not None
    return f"no rule firing ({instrument.decision.otherwise.label})"


def _score_line(label: str, total: int, total_max: int | None, maximum: int) -> str:
    if total_max is None or total_max == total:
        return f"{label}: {total} (of a possible {maximum})."
    return (
        f"{label}: {total} counting known answers only; between {total} and {total_max} once the unknown "
        f"answers are known (of a possible {maximum})."
    )


def _score_answers(instrument: Instrument, drivers: tuple[Driver, ...]) -> str:
    assert instrument.score is not None
    points = {c.item: c for c in instrument.score.components}
    parts = []
    for d in drivers:
        component = points.get(d.item)
        if component is None:
            parts.append(f"{d.question} = {d.answer}")
            continue
        if component.option_points:
            value = next(
                (
                    p
                    for option, p in component.option_points
                    if instrument.item(d.item).option_label(option) == d.answer
                ),
                0,
            )
        else:
            value = component.points if d.answer == "Yes" else component.points_if_no
        parts.append(f"{d.question} = {d.answer} ({value:+d})")
    return _join(parts)


def format_result(result: Result) -> str:
    """The result as printable text: a headline, then the explanation lines indented."""
    if not result.scorable:
        headline = "NOT SCORABLE"
    elif result.band is not None:
        headline = result.band.label
        if result.score is not None:
            headline += f" (score {_score_text(result)})"
    else:
        headline = f"score {_score_text(result)}"
    lines = [f"{result.instrument_title} {result.instrument_version}: {headline}"]
    lines.extend(f"  {line}" for line in result.explanation)
    return "\n".join(lines)


def _score_text(result: Result) -> str:
    if result.score_max is None or result.score_max == result.score:
        return str(result.score)
    return f"{result.score}-{result.score_max}"
