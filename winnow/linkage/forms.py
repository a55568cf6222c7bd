"""Forms of the deconfliction pages."""

from __future__ import annotations

from typing import Any

from django import forms

from winnow.forms import GovukFormMixin


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
    files = MultipleFileField(
        label="Package files",
        help_text="One zip, or the report XML and its fileDetails XML files (choose several files at once).",
    )
    report_id = forms.IntegerField(
        required=False, min_value=1, label="CyberTipline report number (optional)",
        help_text="The number NCMEC gave the report; otherwise the fileDetails reportId is used.",
    )

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class DecisionForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        choices=[("accept", "The same person: merge them"), ("reject", "Different people: never propose again")],
        label="Decision",
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             label="Reason (optional)")


class UndoForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why undo this merge")


class RunForm(GovukFormMixin, forms.Form):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
