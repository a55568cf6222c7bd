from __future__ import annotations

from typing import Any

from django import forms

from winnow.core.priority import Band
from winnow.dates import GovukDateTimeField
from winnow.forms import GovukFormMixin
from winnow.referrals.models import Status

from .models import ActionKind


class QueueFilterForm(GovukFormMixin, forms.Form):
    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    band = forms.ChoiceField(required=False, choices=[("", "Any"), ("unassessed", "Unassessed"), *[(b.value, b.label) for b in Band]])
    status = forms.ChoiceField(required=False, choices=[("", "Any open"), *[(s, label) for s, label in Status.choices if s != Status.CLOSED]])
    officer = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    source = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args: Any, units: list[Any], officers: list[Any], sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("unit").choices = [("", "All my units"), *[(u.pk, u.name) for u in units]]
        self.choice_field("officer").choices = [("", "Anyone"), *[(o.pk, o.get_username()) for o in officers]]
        self.choice_field("source").choices = [("", "Any"), *sources]


class AssignForm(GovukFormMixin, forms.Form):
    assignee = forms.TypedChoiceField(coerce=int, label="Assign to")
    referrals = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args: Any, officers: list[Any], referral_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("assignee").choices = [(o.pk, o.get_username()) for o in officers]
        self.choice_field("referrals").choices = [(pk, pk) for pk in referral_ids]


class CaseActionForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=ActionKind.choices, label="Action")
    occurred_at = GovukDateTimeField(label="When")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ForecastForm(GovukFormMixin, forms.Form):
    history_weeks = forms.IntegerField(min_value=2, max_value=52, initial=8, label="Weeks of history")
    officers = forms.IntegerField(min_value=1, max_value=500, initial=6, label="Officers now")
    change = forms.IntegerField(min_value=-500, max_value=500, initial=0, label="Officers added (+) or lost (-)")
