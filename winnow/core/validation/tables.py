"""A validation report as plain tables, for the report page and its CSV downloads (no Django)."""

from __future__ import annotations

from typing import Any

from .report import Report


def report_tables(report: Report) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The report as named tables (header, rows of text): what the page shows beside each chart and the CSVs give."""
    def p(x: Any) -> str:
        return "" if x is None or x.value is None else f"{x.value:.3f}"

    def lo(x: Any) -> str:
        return "" if x is None or x.low is None else f"{x.low:.3f}"

    def hi(x: Any) -> str:
        return "" if x is None or x.high is None else f"{x.high:.3f}"

    unit = "Band" if report.kind == "band" else "Score"
    tables = {
        "rates": ([unit, "Cases", "With the outcome", "Rate", "95% low", "95% high", "Share of cases"],
                  [[r.label, str(r.n), str(r.events), p(r.rate), lo(r.rate), hi(r.rate), p(r.share)] for r in report.rows]),
        "roc": (["Cut-off (at or above)", "False positive rate", "True positive rate"],
                [["start" if pt.threshold == float("inf") else f"{pt.threshold:g}", f"{pt.false_positive_rate:.4f}",
                  f"{pt.true_positive_rate:.4f}"] for pt in report.roc]),
        "cutoffs": (["Flag at", "Sensitivity", "95% low", "95% high", "Specificity", "95% low", "95% high",
                     "Share of cases flagged", "Current"],
                    [[c.label, p(c.sensitivity), lo(c.sensitivity), hi(c.sensitivity), p(c.specificity),
                      lo(c.specificity), hi(c.specificity), p(c.flagged), "yes" if c.current else ""]
                     for c in report.cutoffs]),
        "drift": (["Quarter", "Cases", "With the outcome", "AUC", "95% low", "95% high", "Too small to judge"],
                  [[q, str(s.n), str(s.events), p(s.auc), lo(s.auc), hi(s.auc), "yes" if s.too_small else ""]
                   for q, s in report.drift]),
        "subgroups": (["Subgroup", "Value", "Cases", "With the outcome", "AUC", "95% low", "95% high",
                       "Sensitivity", "Specificity", "Too small to judge"],
                      [[name, v, str(s.n), str(s.events), p(s.auc), lo(s.auc), hi(s.auc), p(s.sensitivity),
                        p(s.specificity), "yes" if s.too_small else ""]
                       for name, groups in report.subgroups.items() for v, s in groups]),
        "unknowns": (["Unknown answers", "Cases", "With the outcome", "Rate", "95% low", "95% high"],
                     [[r.label, str(r.n), str(r.events), p(r.rate), lo(r.rate), hi(r.rate)]
                      for r in report.by_unknown_answers]),
    }
    if report.follow_ups:
        tables["follow_ups"] = (
            [unit, "Cases", "Later linked referral", "95% low", "95% high", "Later contact conviction", "95% low",
             "95% high"],
            [[f.label, str(f.n), p(f.later_referral), lo(f.later_referral), hi(f.later_referral),
              p(f.later_contact_conviction), lo(f.later_contact_conviction), hi(f.later_contact_conviction)]
             for f in report.follow_ups])
    return tables
