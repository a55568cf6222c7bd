"""`winnow validate`: outcomes against bands or scores, on a unit's closed referrals or on a CSV scored offline.

    winnow validate --instrument ID [--version V] [--from DATE --to DATE] [--unit CODE] [--json]
    winnow validate --csv FILE [--bands low,medium,high,very_high] [--flag-from high] [--json]

`--csv` needs no database. Exit status 0 with a report, 2 when the input cannot be used (the message names the
row and field). `--json` prints one object; its keys include n, events, excluded_unknown, auc, auc_ci and, for
bands, sensitivity_high_or_very_high and specificity_low_or_medium, each [value, low, high] (Wilson 95%).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit
from winnow.assessments.registry import registry
from winnow.core.validation import (
    PRIORITY_SCALE,
    BandScale,
    Report,
    ValidationInputError,
    read_cases,
    validate,
)
from winnow.validation.services import instrument_scale, validation_cases


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a date (YYYY-MM-DD)", returncode=2) from None


def _fmt(triple: Any) -> str:
    if not triple or triple[0] is None:
        return "n/a"
    return f"{triple[0]:.3f} (95% {triple[1]:.3f}-{triple[2]:.3f})"


def text_report(report: Report, heading: str) -> str:
    d = report.as_dict()
    lines = [heading, f"Cases: {d['n']} with a known outcome, {d['events']} with the outcome; "
                      f"{d['excluded_unknown']} excluded (outcome unknown)."]
    if d["too_small_to_judge"]:
        lines.append("TOO SMALL TO JUDGE: " + d["note"])
    if d["auc"] is not None:
        lines.append(f"AUC {d['auc']:.3f} (DeLong 95% {d['auc_ci'][0]:.3f}-{d['auc_ci'][1]:.3f}; "
                     f"width {d['auc_ci_width']:.3f})")
    lines.append(f"Base rate {_fmt(d['base_rate'])}")
    if "sensitivity_high_or_very_high" in d:
        lines += [f"Sensitivity of the flagged bands {_fmt(d['sensitivity_high_or_very_high'])}",
                  f"Specificity of the other bands {_fmt(d['specificity_low_or_medium'])}",
                  f"PPV {_fmt(d['ppv'])}; NPV {_fmt(d['npv'])}; share flagged {_fmt(d['share_flagged'])}"]
    lines.append("Per " + ("band" if report.kind == "band" else "score") + ":")
    lines += [f"  {r['label']:<20} n={r['n']:<7} events={r['events']:<6} rate {_fmt(r['rate'])}" for r in d["rows"]]
    lines.append(d["calibration_note"] or f"E/O {_fmt(d['expected_over_observed'])}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Validate an instrument: outcomes against bands or scores (a unit's closed referrals, or a CSV)."
    requires_system_checks: list[str] = []  # --csv works without a database

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The interface has --version V (the instrument's); it replaces Django's --version (its own).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--instrument", help="instrument id, e.g. phased-prioritisation")
        source.add_argument("--csv", help="CSV: band or score, outcome (yes/no/unknown), optional columns")
        parser.add_argument("--version", help="instrument version (default: every version)")
        parser.add_argument("--from", dest="date_from", type=_date, help="closed on or after (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", type=_date, help="closed on or before (YYYY-MM-DD)")
        parser.add_argument("--unit", action="append", default=[], help="unit code (repeatable; default all)")
        parser.add_argument("--bands", help="CSV band ids, lowest first (default low,medium,high,very_high)")
        parser.add_argument("--flag-from", help="lowest band counted as flagged (default high)")
        parser.add_argument("--bootstrap", type=int, default=0, help="also a stratified bootstrap of N replicates")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["csv"]:
                report, heading = self._from_csv(options)
            else:
                report, heading = self._from_database(options)
        except ValidationInputError as exc:
            detail = "\n".join(exc.problems) if len(exc.problems) > 1 else str(exc)
            raise CommandError(detail, returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(text_report(report, heading))

    def _from_csv(self, options: dict[str, Any]) -> tuple[Report, str]:
        path = Path(options["csv"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
        scale = PRIORITY_SCALE
        if options["bands"]:
            bands = tuple(b.strip() for b in options["bands"].split(",") if b.strip())
            try:
                scale = BandScale(bands, options["flag_from"] or bands[len(bands) // 2])
            except ValueError as exc:
                raise CommandError(f"--bands: {exc}", returncode=2) from None
        cases = read_cases(data, scale=scale)
        report = validate(cases, scale=scale, bootstrap_replicates=options["bootstrap"])
        return report, f"Validation of {path.name}"

    def _from_database(self, options: dict[str, Any]) -> tuple[Report, str]:
        units = Unit.objects.all()
        if options["unit"]:
            units = units.filter(code__in=options["unit"])
            missing = set(options["unit"]) - set(units.values_list("code", flat=True))
            if missing:
                raise CommandError(f"no unit with code {', '.join(sorted(missing))}", returncode=2)
        loaded = registry()
        if loaded.current(options["instrument"]) is None:
            raise CommandError(f"no instrument {options['instrument']!r} is loaded (loaded: "
                               f"{', '.join(sorted({i for i, _ in loaded.by_key}))})", returncode=2)
        scale = instrument_scale(options["instrument"], options["version"])
        gathered = validation_cases(instrument_id=options["instrument"], version=options["version"],
                                    unit_ids=list(units.values_list("pk", flat=True)),
                                    date_from=options["date_from"], date_to=options["date_to"])
        report = validate(gathered.cases, scale=scale, bootstrap_replicates=options["bootstrap"])
        heading = (f"Validation of {options['instrument']} {options['version'] or '(all versions)'} on "
                   f"{', '.join(units.values_list('code', flat=True))}: {gathered.without_assessment} outcomes "
                   f"without an assessment by this instrument, {gathered.not_scorable} not scorable")
        return report, heading
