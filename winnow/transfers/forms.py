"""Forms of the transfer pages."""

from __future__ import annotations

from typing import Any

from django import forms

from winnow.accounts.models import Unit, User
from winnow.forms import GovukFormMixin
from winnow.permissions import Capability, roles_with


class RequestForm(GovukFormMixin, forms.Form):
    to_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Unit to transfer to",
                                     empty_label="Choose a unit", error_messages={"required": "Choose a unit"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="Why transfer it",
                             error_messages={"required": "Say why the referral should be transferred"})

    def __init__(self, *args: Any, from_unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = Unit.objects.exclude(pk=from_unit_id).order_by("name")  # type: ignore[attr-defined]


class DecideForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept: our unit takes the referral over"),
                                          ("decline", "Decline: the referral stays where it is")],
                                 widget=forms.RadioSelect, label="Decision",
                                 error_messages={"required": "Choose accept or decline"})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="Reason",
                             error_messages={"required": "Say why"})
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet",
                                      label="Who takes it over",
                                      help_text="Needed when the referral is assigned to an officer in the sending unit")

    def __init__(self, *args: Any, to_unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, memberships__unit_id=to_unit_id,
            memberships__role__in=roles_with(Capability.TAKE_WORK)).distinct().order_by("username")


class ImportForm(GovukFormMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Unit to record it in",
                                  empty_label="Choose a unit", error_messages={"required": "Choose a unit"})
    package = forms.FileField(label="Referral package (.zip)", error_messages={"required": "Choose a package file"})

    def __init__(self, *args: Any, unit_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids).order_by("name")  # type: ignore[attr-defined]
