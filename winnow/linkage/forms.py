"""Forms of the deconfliction pages."""

from __future__ import annotations

from typing import Any

from django import forms

from winnow.forms import GovukFormMixin


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
        self.choice_field("unit").choices = [(u.pk, u.name) for u in units]
