"""Forms of the referral pages (closing, the audit filter). Recording forms are winnow.intake.forms."""

from __future__ import annotations

from django import forms

from winnow.forms import GovukFormMixin

from .models import Disposition


class CloseForm(GovukFormMixin, forms.Form):
    # Nothing preselected: the outcome is a person's choice (radios, none checked; a blank answer is an error).
    disposition = forms.ChoiceField(
        choices=Disposition.choices, widget=forms.RadioSelect, label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
