"""Forms for requests for information. They collect and type the input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from winnow.dates import GovukDateField
from winnow.forms import GovukFormMixin


class RequestForm(GovukFormMixin, forms.Form):
    question = forms.CharField(label="What do you need to know?", widget=forms.Textarea(attrs={"rows": 5}),
                               max_length=5000, help_text="Ask only what your case needs. The other unit answers here.")
    due_on = GovukDateField(label="Answer needed by", required=False,
                            help_text="Leave empty for the usual deadline.")


class AnswerForm(GovukFormMixin, forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000,
                             help_text="Share what the other unit needs to know, as you would by phone or email.")
