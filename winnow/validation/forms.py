from __future__ import annotations

from typing import Any, cast

from django import forms

from winnow.dates import GovukDateField

from .models import ContactOffending

_NUMBER = "govuk-input govuk-input--width-5"
_TEXT = {"rows": "2", "class": "govuk-textarea"}


class OutcomeForm(forms.Form):
    contact_offending = forms.ChoiceField(
        choices=ContactOffending.choices, widget=forms.RadioSelect,
        label="Contact sexual offending against a child found in this investigation")
    # GOV.UK classes: a bare <textarea> is 40 columns, wider than a phone's screen inside the details box.
    children_safeguarded = forms.IntegerField(min_value=0, required=False, help_text="Leave blank if unknown",
                                              widget=forms.NumberInput(attrs={"class": _NUMBER}))
    victims_identified = forms.IntegerField(min_value=0, required=False, help_text="Leave blank if unknown",
                                            widget=forms.NumberInput(attrs={"class": _NUMBER}))
    charge = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs=_TEXT))
    court_outcome = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs=_TEXT))
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs=_TEXT))
    correction_reason = forms.CharField(required=False, max_length=2000, label="Why this corrects the earlier record",
                                        widget=forms.TextInput(attrs={"class": "govuk-input"}))


class FollowUpForm(forms.Form):
    occurred_on = GovukDateField(label="Date of the later conviction")
    contact_offence = forms.BooleanField(required=False, label="For a contact sexual offence against a child")
    detail = forms.CharField(required=False, max_length=2000, widget=forms.TextInput(attrs={"class": "govuk-input"}))


class ReportForm(forms.Form):
    instrument = forms.ChoiceField(widget=forms.Select(attrs={"class": "govuk-select"}))
    version = forms.CharField(required=False, max_length=32, help_text="Blank for every version",
                              widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}))
    date_from = GovukDateField(required=False, label="Closed from")
    date_to = GovukDateField(required=False, label="Closed to")
    unit = forms.ChoiceField(required=False, widget=forms.Select(attrs={"class": "govuk-select"}))

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = instruments
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "All my units"), *units]
