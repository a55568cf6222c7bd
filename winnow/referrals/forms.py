"""Forms of the referral pages (closing, the audit filter). Recording forms are winnow.intake.forms."""

from __future__ import annotations

from django import forms

from winnow.forms import GovukFormMixin

from .models import Disposition


class CloseForm(GovukFormMixin, forms.Form):
    disposition = forms.ChoiceField(choices=Disposition.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
