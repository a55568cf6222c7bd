from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from winnow.forms import GovukFormMixin


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Code", max_length=12, strip=True,
        help_text="The 6-digit code from your authenticator app, or one of your 10-digit recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("Enter the code as digits only.")
        return code


class EnrolForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=6, min_length=6, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )


class GovukPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    pass
