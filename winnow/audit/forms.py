"""The auditor's filter form."""

from __future__ import annotations

from django import forms

from winnow.dates import GovukDateField
from winnow.forms import GovukFormMixin


class AuditFilterForm(GovukFormMixin, forms.Form):
    person = forms.CharField(required=False, label="Person (username)")
    object = forms.CharField(required=False, label="Object (e.g. referral:12 or a reference)")
    since = GovukDateField(required=False, label="From")
    until = GovukDateField(required=False, label="To")
