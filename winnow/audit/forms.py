"""The auditor's filter form."""

from __future__ import annotations

from django import forms

from winnow.forms import GovukFormMixin


class AuditFilterForm(GovukFormMixin, forms.Form):
    person = forms.CharField(required=False, label="Person (username)")
    object = forms.CharField(required=False, label="Object (e.g. referral:12 or a reference)")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
