"""Forms generated from an instrument file, the supervisor's decision, and the youth pathway."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from winnow.core.instruments import Instrument, ItemKind
from winnow.dates import GovukDateField
from winnow.forms import GovukFormMixin

from .models import BandDecision, YouthPathwayDecision
from .youth import CONDITIONS

UNKNOWN_CHOICE = ("unknown", "Unknown")


class _Radios(forms.RadioSelect):
    template_name = "assessments/widgets/radios.html"
    option_template_name = "assessments/widgets/radio_option.html"


def answer_field(item_id: str) -> str:
    return f"answer_{item_id}"


def note_field(item_id: str) -> str:
    return f"note_{item_id}"


class InstrumentForm(GovukFormMixin, forms.Form):
    """One answer and one evidence note per item, grouped in the instrument's sections. Unknown is the default.

    The answers are read by `winnow.core.instruments.parse_answer` in the service, so the form, the API and the
    offline command agree; the form only collects text.
    """

    def __init__(self, *args: Any, instrument: Instrument, initial_answers: dict[str, str] | None = None,
                 initial_notes: dict[str, str] | None = None, **kwargs: Any) -> None:
        self.instrument = instrument
        super().__init__(*args, **kwargs)
        answers, notes = initial_answers or {}, initial_notes or {}
        for item in instrument.items:
            help_text = item.help + (" (Coding detail not verified: see the help.)" if item.unverified else "")
            if item.kind is ItemKind.YESNO:
                field: forms.Field = forms.ChoiceField(
                    choices=[UNKNOWN_CHOICE, ("yes", "Yes"), ("no", "No")], widget=_Radios, required=False)
            elif item.kind is ItemKind.CHOICE:
                field = forms.ChoiceField(
                    choices=[UNKNOWN_CHOICE, *((o.id, o.label) for o in item.options)], widget=_Radios,
                    required=False)
            elif item.kind is ItemKind.COUNT:
                bounds = f"a whole number from {item.minimum or 0}" + (
                    f" to {item.maximum}" if item.maximum is not None else "")
                field = forms.CharField(required=False, max_length=12,
                                        widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                      "class": "govuk-input govuk-input--width-5"}))
                help_text += f" Enter {bounds}, or leave empty for Unknown."
            else:
                field = GovukDateField(required=False)
                help_text += " Leave empty for Unknown."
            field.label = item.question
            field.help_text = help_text
            value = answers.get(item.id, "unknown")
            field.initial = "" if value == "unknown" and item.kind in (ItemKind.COUNT, ItemKind.DATE) else value
            self.fields[answer_field(item.id)] = field
            self.fields[note_field(item.id)] = forms.CharField(
                required=False, max_length=2000, label="Evidence (optional)", initial=notes.get(item.id, ""),
                help_text="Where the answer comes from: record, system, document, date.",
                widget=forms.Textarea(attrs={"rows": 2}))

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": section.title, "help": section.help,
             "items": [(self[answer_field(i)], self[note_field(i)], self.instrument.item(i)) for i in section.items]}
            for section in self.instrument.sections
        ]

    def answers(self) -> dict[str, str]:
        def text(value: Any) -> str:
            return value.isoformat() if isinstance(value, date) else (value or "unknown")

        return {item.id: text(self.cleaned_data.get(answer_field(item.id))) for item in self.instrument.items}

    def notes(self) -> dict[str, str]:
        return {item.id: self.cleaned_data.get(note_field(item.id)) or "" for item in self.instrument.items}

    def add_problems(self, problems: tuple[tuple[str, str], ...]) -> None:
        for where, reason in problems:
            name = answer_field(where) if answer_field(where) in self.fields else (
                note_field(where.removeprefix("evidence.")) if where.startswith("evidence.") else "")
            if name in self.fields:
                self.add_error(name, reason)
            else:
                self.add_error(None, f"{where}: {reason}")


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=BandDecision.Decision.choices, widget=_Radios, label="Decision")
    decided_band = forms.ChoiceField(required=False, label="Band the referral should have (for an override)")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, label="Rationale",
        help_text="Why you confirm or override the band. An override needs a substantive reason (8 words or more): "
                  "what the assessment missed or got wrong.")

    def __init__(self, *args: Any, band_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("decided_band").choices = [("", "(choose a band)"), *band_choices]

    def add_problems(self, problems: tuple[tuple[str, str], ...]) -> None:
        for where, reason in problems:
            self.add_error(where if where in self.fields else None, reason if where in self.fields else f"{where}: {reason}")


class YouthPathwayForm(GovukFormMixin, forms.Form):
    safeguarding_referral_made = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], widget=_Radios,
        label="Has a safeguarding referral been made (children's social care)?")
    safeguarding_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Safeguarding referral: details or reason",
        help_text="To whom and when; or why none was made.")
    outcome_21_considered = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], widget=_Radios, label="Has Outcome 21 been considered?")
    recommendation = forms.ChoiceField(choices=YouthPathwayDecision.Recommendation.choices, widget=_Radios,
                                       label="Recommendation",
                                       help_text="Outcome 21 is refused unless every exclusion condition is No.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             label="Reason for the recommendation")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cid, question in CONDITIONS.items():
            self.fields[cid] = forms.ChoiceField(
                choices=[UNKNOWN_CHOICE, ("yes", "Yes"), ("no", "No")], widget=_Radios, label=question,
                initial="unknown")
            self.fields[f"{cid}_reason"] = forms.CharField(
                max_length=2000, label="Reason", widget=forms.TextInput(), required=False)
        for name, field in self.fields.items():
            if name.endswith("_reason") and name not in ("safeguarding_reason",):
                field.widget.attrs["class"] = "govuk-input"

    def condition_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[cid], self[f"{cid}_reason"]) for cid in CONDITIONS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("safeguarding_referral_made", "safeguarding_reason", "outcome_21_considered")]

    def add_problems(self, problems: tuple[tuple[str, str], ...]) -> None:
        for where, reason in problems:
            self.add_error(where if where in self.fields else None, reason if where in self.fields else f"{where}: {reason}")

    def kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "safeguarding_referral_made": data["safeguarding_referral_made"] == "yes",
            "safeguarding_reason": data["safeguarding_reason"],
            "outcome_21_considered": data["outcome_21_considered"] == "yes",
            "conditions": {cid: data.get(cid) or "unknown" for cid in CONDITIONS},
            "condition_reasons": {cid: data.get(f"{cid}_reason") or "" for cid in CONDITIONS},
            "recommendation": data["recommendation"],
            "reason": data["reason"],
        }
