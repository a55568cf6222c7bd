from __future__ import annotations

from typing import Any

from django import forms

from winnow.core.intake import Sex
from winnow.core.series import AGE_BANDS, STATUS_LABELS, TRANSITIONS, Status
from winnow.forms import GovukFormMixin

from .services import GRADINGS


class TransitionForm(GovukFormMixin, forms.Form):
    to = forms.ChoiceField(label="Next step")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why",
                             help_text="Kept with the step, with your name and the time")
    grading = forms.ChoiceField(choices=[("", "Not graded"), *GRADINGS], required=False,
                                label="Your grading (from your forensic tools)")
    age_band = forms.ChoiceField(choices=[("", "Not recorded"), *AGE_BANDS], required=False,
                                 label="Youngest age band seen (from your forensic tools)")
    referral = forms.ChoiceField(required=False, label="Referral the identified child belongs to",
                                 help_text="Only for “child identified”")
    child_given_names = forms.CharField(max_length=200, required=False, label="Child's given names")
    child_family_name = forms.CharField(max_length=200, required=False, label="Child's family name")
    child_date_of_birth = forms.DateField(required=False, label="Child's date of birth (YYYY-MM-DD)")
    child_sex = forms.ChoiceField(choices=[(s.value, s.value.capitalize()) for s in Sex], initial=Sex.UNKNOWN.value,
                                  required=False, label="Child's sex")
    safeguarding_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                        label="Safeguarding note", help_text="Only for “safeguarded”")
    safeguarding_date = forms.DateField(required=False, label="Date safeguarded (YYYY-MM-DD)")

    def __init__(self, *args: Any, current: Status, referrals: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("to").choices = [(s.value, STATUS_LABELS[s]) for s in sorted(TRANSITIONS[current])]
        self.choice_field("referral").choices = [("", "–"), *[(str(pk), ref) for pk, ref in referrals]]


class ExportForm(GovukFormMixin, forms.Form):
    recipient = forms.CharField(max_length=200, label="Who the file is for",
                                help_text="e.g. the national victim-identification team (CAID)")


class LocationForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why you need the location data")
