"""Safeguarding referral forms: the first record (with the concerns it answers) and a new version of one."""

from __future__ import annotations

from typing import Any

from django import forms

from winnow.accounts.models import User
from winnow.dates import GovukDateField, GovukDateTimeField
from winnow.forms import GovukFormMixin

from .models import OUTCOME_CHOICES


class SafeguardingReferralForm(GovukFormMixin, forms.Form):
    made_at = GovukDateTimeField(label="When was the referral made to children's social care?")
    local_authority = forms.CharField(label="Local authority", max_length=200,
                                      help_text="To whom: the council whose children's social care was told")
    recipient = forms.CharField(label="Team or person", max_length=200,
                                help_text="For example, the multi-agency safeguarding hub (MASH) duty desk")
    made_by = forms.TypedChoiceField(label="Made by", coerce=int, help_text="The officer who made the referral")
    strategy_held_on = GovukDateField(label="Strategy discussion date", required=False,
                                      help_text="Leave blank until the discussion is held.")
    strategy_outcome = forms.ChoiceField(label="Strategy discussion outcome", required=False,
                                         choices=[("", "Not held yet"), *OUTCOME_CHOICES])
    strategy_notes = forms.CharField(label="Strategy discussion notes", required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {o.pk: o for o in officers}
        self.choice_field("made_by").choices = [(o.pk, o.get_username()) for o in officers]

    def facts(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["made_by"] = self.officers.get(data["made_by"])
        return {key: data.get(key) for key in ("made_at", "local_authority", "recipient", "made_by",
                                               "strategy_held_on", "strategy_outcome", "strategy_notes")}


class RecordForm(SafeguardingReferralForm):
    concerns = forms.TypedMultipleChoiceField(label="Which children at risk does it answer?", coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, concern_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("concerns").choices = concern_choices


class ReviseForm(SafeguardingReferralForm):
    reason = forms.CharField(label="Why is this version needed?", max_length=5000,
                             help_text="A correction (what was wrong), or the strategy discussion held",
                             widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Why is no safeguarding referral needed?", max_length=5000,
                             help_text="For example: the danger flag was corrected to No after checks with the "
                                       "reporting officer. This is kept with the concern and audited.",
                             widget=forms.Textarea(attrs={"rows": 3}))
