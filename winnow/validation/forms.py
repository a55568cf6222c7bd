from __future__ import annotations

from typing import Any, cast

from django import forms

from .models import ContactOffending


class OutcomeForm(forms.Form):
    contact_offending = forms.ChoiceField(
        choices=ContactOffending.choices, widget=forms.RadioSelect,
        label="Contact sexual offending against a child found in this investigation")
    children_safeguarded = forms.IntegerField(min_value=0, required=False, help_text="Leave blank if unknown")
    victims_identified = forms.IntegerField(min_value=0, required=False, help_text="Leave blank if unknown")
    charge = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    court_outcome = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    correction_reason = forms.CharField(required=False, max_length=2000, label="Why this corrects the earlier record")


class FollowUpForm(forms.Form):
    occurred_on = forms.DateField(label="Date of the later conviction (YYYY-MM-DD)")
    contact_offence = forms.BooleanField(required=False, label="For a contact sexual offence against a child")
    detail = forms.CharField(required=False, max_length=2000)


class ReportForm(forms.Form):
    instrument = forms.ChoiceField()
    version = forms.CharField(required=False, max_length=32)
    date_from = forms.DateField(required=False, label="Closed from (YYYY-MM-DD)")
    date_to = forms.DateField(required=False, label="Closed to (YYYY-MM-DD)")
    unit = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = instruments
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "All my units"), *units]
