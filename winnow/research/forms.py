"""The research export approval form."""

from __future__ import annotations

from django import forms

from winnow.forms import GovukFormMixin


class ApprovalForm(GovukFormMixin, forms.Form):
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              help_text="What the research is for, as the recipient's request states it")
    recipient = forms.CharField(max_length=300, help_text="Who receives the export (organisation and person)")
    record_level = forms.BooleanField(required=False, label="Include the record-level pseudonymised extract")
