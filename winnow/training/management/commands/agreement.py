"""`winnow agreement FILE [--json]`: agreement between raters, offline, from a long CSV `case,rater,item,value`.

An item whose every value is a number is a score (ICC(2,1) with its 95% interval); any other item is categorical
(Fleiss' kappa, Krippendorff's alpha and percent agreement, each with a bootstrap 95% interval over cases). An
item named with `--ordered ITEM=a,b,c` (lowest first) is also treated as ordered (ordinal alpha, exact agreement,
quadratic-weighted kappa). Needs no database. Exit status 0 with a report, 2 when the file cannot be used (the
message names the row and field).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.core.agreement import AgreementInputError, AgreementReport, analyse, read_ratings, report_dict


def _fmt(value: float | None, ci: list[float | None] | None = None) -> str:
    if value is None:
        return "n/a"
    if ci and ci[0] is not None and ci[1] is not None:
        return f"{value:.3f} (95% {ci[0]:.3f} to {ci[1]:.3f})"
    return f"{value:.3f}"


def text_report(report: AgreementReport, heading: str) -> str:
    data = report_dict(report)
    lines = [heading]
    for name, item in data["items"].items():
        flag = "  REVIEW THE GUIDANCE" if item["review"] else ""
        if item["kind"] == "score":
            lines.append(f"{name} (score; {item['cases']} cases x {item['raters']} raters): "
                         f"ICC(2,1) {_fmt(item['icc2_1'], item['icc2_1_ci'])}{flag}")
        else:
            lines.append(f"{name} ({item['cases']} cases, {item['raters']} raters, {item['ratings']} ratings): "
                         f"agreement {_fmt(item['percent_agreement'], item['percent_agreement_ci'])}; "
                         f"Fleiss' kappa {_fmt(item['fleiss_kappa'], item['fleiss_kappa_ci'])}; "
                         f"Krippendorff's alpha {_fmt(item['krippendorff_alpha'], item['krippendorff_alpha_ci'])}"
                         f"{flag}")
            if "krippendorff_alpha_ordinal" in item:
                lines.append(f"    ordered: alpha (ordinal) {_fmt(item['krippendorff_alpha_ordinal'])}; "
                             f"quadratic-weighted kappa {_fmt(item['quadratic_weighted_kappa'])} "
                             f"(mean of {item['quadratic_weighted_kappa_pairs']} rater pairs)")
        lines += [f"    note: {note}" for note in item["notes"]]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Agreement between raters from a CSV case,rater,item,value (kappa, alpha, percent agreement, ICC)."
    requires_system_checks: list[str] = []  # needs no database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV with the header case,rater,item,value")
        parser.add_argument("--ordered", action="append", default=[], metavar="ITEM=a,b,c",
                            help="an item whose values are ordered, lowest first (repeatable)")
        parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap replicates (default 1000)")
        parser.add_argument("--json", action="store_true", help='print {"items": {ITEM: {...}}} as JSON')

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        ordered: dict[str, list[str]] = {}
        for spec in options["ordered"]:
            name, _, values = spec.partition("=")
            order = [v.strip() for v in values.split(",") if v.strip()]
            if not name.strip() or len(order) < 2:
                raise CommandError(f"--ordered {spec!r}: expected ITEM=lowest,...,highest", returncode=2)
            ordered[name.strip()] = order
        if not 0 <= options["bootstrap"] <= 100_000:
            raise CommandError("--bootstrap: between 0 and 100000 replicates", returncode=2)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
        try:
            report = analyse(read_ratings(data), ordered=ordered, replicates=options["bootstrap"])
        except AgreementInputError as exc:
            detail = "\n".join(exc.problems) if len(exc.problems) > 1 else str(exc)
            raise CommandError(f"{path.name}: {detail}", returncode=2) from None
        if options["json"]:
            # Exactly {"items": {ITEM: {...}}} (each item carries its own "review" flag; with no reference in a
            # ratings file there is nothing per rater to report). allow_nan=False: the output is always valid JSON.
            self.stdout.write(json.dumps({"items": report_dict(report)["items"]}, indent=2, allow_nan=False))
        else:
            self.stdout.write(text_report(report, f"Agreement in {path.name}"))
