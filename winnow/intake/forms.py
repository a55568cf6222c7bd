"""Recording forms: one referral, a CSV/JSON file, a CyberTipline package. Validation rules live in
winnow.core.intake so the form, the API and file imports agree."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django import forms

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake import FieldError, Sex, Source, SubjectRole
from winnow.core.priority import LONDON
from winnow.dates import GovukDateField, GovukDateTimeField
from winnow.forms import GovukFormMixin
from winnow.referrals.models import KIND_LABELS, SOURCE_LABELS

from .services import MAX_ADD_REASON

IDENTIFIER_ROWS = 5

# Every channel asks the same required question: an unanswered "is a child in immediate danger?" is not a No.
DANGER: dict[str, Any] = {
    "label": "Is a child believed to be in immediate danger?",
    "choices": [("yes", "Yes"), ("no", "No")],
    "coerce": lambda value: value == "yes",
    "widget": forms.RadioSelect,
    "error_messages": {"required": "Answer Yes or No: is a child believed to be in immediate danger?"},
}


class SubjectForm(GovukFormMixin, forms.Form):
    """The person fields: who the referral concerns and their identifiers. The new-referral form asks them for the
    person it names (if any), the add-a-person form for someone identified later; both map the answers to the shape
    winnow.core.intake validates and put its errors back on these fields."""

    subject_given_names = forms.CharField(required=False, max_length=200, label="Given names")
    subject_family_name = forms.CharField(required=False, max_length=200, label="Family name")
    subject_date_of_birth = GovukDateField(required=False, label="Date of birth")
    subject_sex = forms.ChoiceField(choices=[(s.value, s.value.capitalize()) for s in Sex], initial=Sex.UNKNOWN, label="Sex")
    subject_addresses = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Addresses", help_text="One per line"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._identifier_rows_used: list[int] = []
        kinds = [("", "(none)")] + [(k.value, KIND_LABELS[k]) for k in IdentifierKind]
        for i in range(IDENTIFIER_ROWS):
            self.fields[f"identifier_{i}_kind"] = forms.ChoiceField(choices=kinds, required=False, label="Kind")
            self.fields[f"identifier_{i}_value"] = forms.CharField(required=False, max_length=500, label="Value")
            self.fields[f"identifier_{i}_platform"] = forms.CharField(
                required=False, max_length=100, label="Platform (usernames)"
            )
            self.fields[f"identifier_{i}_observed_at"] = forms.CharField(
                required=False, label="Seen at (IP addresses; UK time, e.g. 2026-11-20 14:30)",
                widget=forms.TextInput(attrs={"class": "govuk-input"}),
            )
            self.fields[f"identifier_{i}_kind"].widget.attrs["class"] = "govuk-select"
            self.fields[f"identifier_{i}_value"].widget.attrs["class"] = "govuk-input"
            self.fields[f"identifier_{i}_platform"].widget.attrs["class"] = "govuk-input"

    def identifier_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"identifier_{i}_{part}"] for part in ("kind", "value", "platform", "observed_at")]
            for i in range(IDENTIFIER_ROWS)
        ]

    # Where winnow.core.intake names the person's fields: "subjects[1]." in a referral, nothing for a person alone.
    subject_prefix = ""

    def add_intake_errors(self, errors: list[FieldError]) -> None:
        """Put each error from winnow.core.intake on the form field it is about."""
        for error in errors:
            name = error.field
            if error.field.startswith(self.subject_prefix):
                rest = error.field[len(self.subject_prefix):]
                if match := re.fullmatch(r"identifiers\[(\d+)\]\.(\w+)", rest):
                    index, part = int(match[1]) - 1, match[2]
                    name = (f"identifier_{self._identifier_rows_used[index]}_{part}"
                            if index < len(self._identifier_rows_used) else "")
                elif re.fullmatch(r"addresses\[\d+\]", rest):
                    name = "subject_addresses"
                elif f"subject_{rest}" in self.fields:
                    name = f"subject_{rest}"
            if name in self.fields:
                self.add_error(name, error.reason)
            else:
                self.add_error(None, str(error))

    def subject_given(self) -> bool:
        """Whether anything about the person was given (a new referral may name nobody)."""
        d = self.cleaned_data
        return any(d[name] for name in ("subject_given_names", "subject_family_name", "subject_date_of_birth",
                                        "subject_addresses")) or any(
            d[f"identifier_{i}_kind"] or d[f"identifier_{i}_value"] for i in range(IDENTIFIER_ROWS))

    def subject_mapping(self, *, role: str) -> dict[str, Any]:
        """The person's answers in the shape winnow.core.intake validates (as in the JSON import and the API)."""
        d = self.cleaned_data
        self._identifier_rows_used = [
            i for i in range(IDENTIFIER_ROWS) if d[f"identifier_{i}_kind"] or d[f"identifier_{i}_value"]
        ]
        return {
            "role": role,
            "given_names": d["subject_given_names"],
            "family_name": d["subject_family_name"],
            "date_of_birth": d["subject_date_of_birth"].isoformat() if d["subject_date_of_birth"] else None,
            "sex": d["subject_sex"],
            "addresses": [line.strip() for line in d["subject_addresses"].splitlines() if line.strip()],
            "identifiers": [
                {
                    "kind": d[f"identifier_{i}_kind"],
                    "value": d[f"identifier_{i}_value"],
                    "platform": d[f"identifier_{i}_platform"],
                    "observed_at": d[f"identifier_{i}_observed_at"] or None,
                }
                for i in self._identifier_rows_used
            ],
        }


class ReferralForm(SubjectForm):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")
    source = forms.ChoiceField(choices=[(s.value, SOURCE_LABELS[s]) for s in Source])
    source_reference = forms.CharField(required=False, max_length=100, label="Source reference (optional)")
    received_at = GovukDateTimeField(label="Received")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)
    immediate_danger = forms.TypedChoiceField(**DANGER)

    # The referral's questions first, as the page asks them (the error summary follows this order).
    field_order = ["unit", "source", "source_reference", "received_at", "summary", "immediate_danger"]
    subject_prefix = "subjects[1]."

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("unit").choices = [(u.pk, u.name) for u in units]

    def as_mapping(self) -> dict[str, Any]:
        """The form's answers in the shape winnow.core.intake validates (the same as the JSON import and API)."""
        d = self.cleaned_data
        # The form names one person, the one reported; a victim must never default to "reported" (so is not asked here).
        subject = self.subject_mapping(role=SubjectRole.REPORTED.value)
        return {
            "source": d["source"],
            "source_reference": d["source_reference"],
            "received_at": d["received_at"].isoformat() if d["received_at"] else d["received_at"],
            "summary": d["summary"],
            "immediate_danger": d["immediate_danger"],
            "subjects": [subject] if self.subject_given() else [],
        }


ROLE_CHOICES = [
    (SubjectRole.REPORTED.value, "Reported: suspected of the offending the referral describes"),
    (SubjectRole.INTENDED_RECIPIENT.value, "Intended recipient of the material"),
    (SubjectRole.VICTIM.value, "Victim"),
    (SubjectRole.OTHER.value, "Other"),
]


class AddSubjectForm(SubjectForm):
    """A person added to a referral already recorded: the same person fields, their part in it (asked, never
    assumed), and how they were identified."""

    subject_role = forms.ChoiceField(
        choices=ROLE_CHOICES, widget=forms.RadioSelect, label="Their part in the referral",
        error_messages={"required": "Choose the person's part in the referral",
                        "invalid_choice": "Choose one of the parts listed"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_ADD_REASON, label="How was this person identified?",
        help_text="For example: a subscriber check on the IP address named the account holder. Kept with the "
                  "person and shown on the referral's timeline.",
        error_messages={"required": "Say how this person was identified"},
    )

    field_order = ["subject_role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = self.fields.pop("reason")  # asked last, after the identifiers

    def as_mapping(self) -> dict[str, Any]:
        return self.subject_mapping(role=self.cleaned_data["subject_role"])


class ImportForm(GovukFormMixin, forms.Form):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")
    file = forms.FileField(label="CSV or JSON file")

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("unit").choices = [(u.pk, u.name) for u in units]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class CyberTiplineForm(GovukFormMixin, forms.Form):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")
    # The metaclass moves declared fields into base_fields, so this never shadows BaseForm.files at runtime;
    # django-stubs cannot express that. (Renaming it would change the upload form's field name.)
    files = MultipleFileField(  # type: ignore[assignment]
        label="Package files",
        help_text="One zip, or the report XML and its fileDetails XML files (choose several files at once).",
    )
    report_id = forms.IntegerField(
        required=False, min_value=1, label="CyberTipline report number (optional)",
        help_text="The number NCMEC gave the report; otherwise the fileDetails reportId is used.",
    )
    immediate_danger = forms.TypedChoiceField(
        **{**DANGER, "help_text": "A report the reporter escalated to high priority is recorded as Yes."})

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("unit").choices = [(u.pk, u.name) for u in units]


class CorrectionForm(GovukFormMixin, forms.Form):
    """One intake fact's corrected value and the reason; the value's widget follows the fact being corrected."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Why is the recorded value wrong?",
        help_text="How the right value is known, and from whom. The recorded value stays on the referral.",
        error_messages={"required": "Say why the recorded value is wrong"},
    )

    def __init__(self, *args: Any, fact: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fact = fact
        field: forms.Field
        if fact == "immediate_danger":
            field = forms.TypedChoiceField(**DANGER)
        elif fact == "source":
            field = forms.ChoiceField(choices=[(s.value, SOURCE_LABELS[s]) for s in Source], label="Source")
        elif fact == "received_at":
            field = forms.CharField(label="Received", help_text="Date and time, UK time, e.g. 2026-11-20 14:30")
        elif fact == "summary":
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, label="Summary")
        elif fact in ("given_names", "family_name"):
            field = forms.CharField(required=False, max_length=200,
                                    label="Given names" if fact == "given_names" else "Family name")
        elif fact == "date_of_birth":
            field = forms.CharField(required=False, label="Date of birth",
                                    help_text="For example 1980-03-27; leave blank if unknown")
        elif fact == "sex":
            field = forms.ChoiceField(choices=[(s.value, s.value.capitalize()) for s in Sex], label="Sex")
        elif fact == "addresses":
            field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Addresses",
                                    help_text="One per line")
        else:
            raise ValueError(fact)
        self.fields = {"value": field, "reason": self.fields["reason"]}
        css = {forms.Textarea: "govuk-textarea", forms.Select: "govuk-select", forms.TextInput: "govuk-input"}
        for widget_class, name in css.items():
            if type(field.widget) is widget_class:
                field.widget.attrs.setdefault("class", name)

    @property
    def is_radios(self) -> bool:
        return isinstance(self.fields["value"].widget, forms.RadioSelect)

    def clean_value(self) -> Any:  # noqa: C901 - one branch a kind of fact
        value = self.cleaned_data["value"]
        if self.fact == "received_at":
            try:
                parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
            except ValueError:
                raise forms.ValidationError("Give the date and time as 2026-11-20 14:30") from None
            return parsed.replace(tzinfo=LONDON) if parsed.tzinfo is None else parsed
        if self.fact == "date_of_birth":
            if not str(value).strip():
                return None
            try:
                return date.fromisoformat(str(value).strip())
            except ValueError:
                raise forms.ValidationError("Give the date as 1980-03-27, or leave it blank") from None
        if self.fact == "addresses":
            return [line.strip() for line in str(value).splitlines() if line.strip()]
        return value
