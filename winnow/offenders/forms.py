"""Forms for offender management. They collect and type the input; the services decide what is allowed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from winnow.accounts.models import User
from winnow.core import offenders as core
from winnow.dates import GovukDateField, GovukDateTimeField
from winnow.forms import GovukFormMixin
from winnow.permissions import Capability, roles_with

from .models import (
    INDICATOR_CHOICES,
    DeviceCheck,
    Disposal,
    IntervalUnit,
    Mode,
    Outcome,
    Risk,
)

_DEFAULTS = ", ".join(f"{r.label.lower()} {core.PRE_2017_VISITS[r]}" for r in reversed(list(core.Risk)))


class PlanForm(GovukFormMixin, forms.Form):
    risk = forms.ChoiceField(label="Risk of serious harm", choices=Risk.choices)
    mappa_category = forms.TypedChoiceField(label="MAPPA category", coerce=int, choices=[
        (1, "1: registered sexual offender"), (2, "2: violent or other sexual offender"),
        (3, "3: other dangerous offender")])
    mappa_level = forms.TypedChoiceField(label="MAPPA level", coerce=int, choices=[
        (1, "1: ordinary agency management"), (2, "2: multi-agency (MAPP meetings)"),
        (3, "3: multi-agency with senior sign-off")])
    manager = forms.ModelChoiceField(label="Offender manager", queryset=User.objects.none())
    visit_every = forms.IntegerField(label="Visit every", min_value=1, max_value=520, required=False,
                                     help_text=f"Set by the risk management plan. Leave empty for the pre-June-2017 "
                                               f"schedule ({_DEFAULTS}).")
    visit_unit = forms.ChoiceField(label="Visit interval unit", choices=IntervalUnit.choices, initial="months")
    in_person_every = forms.IntegerField(label="Seen in person at least every", min_value=1, max_value=520,
                                         required=False,
                                         help_text="Phone and video calls do not count. Leave empty for the visit "
                                                   "interval.")
    in_person_unit = forms.ChoiceField(label="In-person interval unit", choices=IntervalUnit.choices,
                                       initial="months")
    review_every = forms.IntegerField(label="Review every", min_value=1, max_value=520, initial=12)
    review_unit = forms.ChoiceField(label="Review interval unit", choices=IntervalUnit.choices, initial="months")
    digital_indicators = forms.MultipleChoiceField(
        label="Digital risk indicators", choices=INDICATOR_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Any one flags the need for specialist forensic support when a new referral links to this person.")
    civil_orders = forms.BooleanField(label="A civil order is in force (e.g. a sexual harm prevention order)",
                                      required=False)
    conditions = forms.CharField(label="Conditions", required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Order and licence terms, e.g. an SHPO's device terms.")
    clean_since = GovukDateField(label="Clean since (no offending, breach or concern)", required=False,
                                  help_text="Used for reactive-management eligibility (three clean years).")
    reason = forms.CharField(label="Reason for this plan", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, unit_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            memberships__unit_id__in=unit_ids, memberships__role__in=roles_with(Capability.MANAGE_OFFENDERS), is_active=True,
        ).distinct().order_by("username")
        self.fields["digital_indicators"].widget.attrs["class"] = "govuk-checkboxes__input"
        for name, css in (("visit_every", "5"), ("in_person_every", "5"), ("review_every", "5"),
                          ("custody_months", "5"), ("discharge_months", "5"), ("subject_number", "3"),
                          ("referral", "20")):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = f"govuk-input govuk-input--width-{css}"

    def clean_clean_since(self) -> Any:
        value = self.cleaned_data.get("clean_since")
        if value and value > timezone.localdate():
            raise forms.ValidationError("is in the future")
        return value

    def plan(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        risk = core.Risk(data["risk"])
        if data.get("visit_every") is None:
            default = core.PRE_2017_VISITS[risk]
            data["visit_every"], data["visit_unit"] = default.number, default.unit.value
        if data.get("in_person_every") is None:
            data["in_person_every"], data["in_person_unit"] = data["visit_every"], data["visit_unit"]
        return {key: data.get(key) for key in (
            "risk", "mappa_category", "mappa_level", "manager", "visit_every", "visit_unit", "in_person_every",
            "in_person_unit", "review_every", "review_unit", "digital_indicators", "civil_orders", "conditions",
            "clean_since", "reason")}


class RegisterForm(PlanForm):
    referral = forms.CharField(label="Referral reference", max_length=40,
                               help_text="The referral the person appears in, e.g. NORTH-2026-00123.")
    subject_number = forms.IntegerField(label="Person number on that referral", min_value=1, initial=1,
                                        help_text="1 for the first person listed on the referral.")
    convicted_on = GovukDateField(label="Date of conviction, finding or caution")
    disposal = forms.ChoiceField(label="Disposal", choices=Disposal.choices)
    custody_months = forms.IntegerField(label="Custodial sentence (months)", min_value=1, max_value=2000,
                                        required=False, help_text="For a custodial sentence.")
    discharge_months = forms.IntegerField(label="Conditional discharge period (months)", min_value=1, max_value=36,
                                          required=False, help_text="For a conditional discharge.")
    under_18 = forms.BooleanField(label="Under 18 at conviction (finite notification periods are halved)",
                                  required=False)

    field_order = ["referral", "subject_number", "convicted_on", "disposal", "custody_months", "discharge_months",
                   "under_18"]


class RegistrationForm(GovukFormMixin, forms.Form):
    """The registration facts, to correct them (the notification period is computed again from them)."""

    convicted_on = GovukDateField(label="Date of conviction, finding or caution")
    disposal = forms.ChoiceField(label="Disposal", choices=Disposal.choices)
    custody_months = forms.IntegerField(label="Custodial sentence (months)", min_value=1, max_value=2000,
                                        required=False, help_text="For a custodial sentence.")
    discharge_months = forms.IntegerField(label="Conditional discharge period (months)", min_value=1, max_value=36,
                                          required=False, help_text="For a conditional discharge.")
    under_18 = forms.BooleanField(label="Under 18 at conviction (the fixed notification periods are halved)",
                                  required=False)
    reason = forms.CharField(label="What was wrong, and how are the right facts known?", max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(GovukFormMixin, forms.Form):
    occurred_at = GovukDateTimeField(label="When")
    mode = forms.ChoiceField(label="Mode", choices=Mode.choices)
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices)
    device_check = forms.ChoiceField(label="Device check", choices=DeviceCheck.choices)
    notes = forms.CharField(label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReactiveForm(GovukFormMixin, forms.Form):
    reactive = forms.TypedChoiceField(label="Management", coerce=lambda v: v == "reactive", choices=[
        ("reactive", "Reactive management (no home visits; annual notification in person)"),
        ("active", "Active management (visits to the plan)")])
    reason = forms.CharField(label="Reason", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(GovukFormMixin, forms.Form):
    reviewed_on = GovukDateField(label="Date of the review",
                                  help_text="Sets the next review date.")
    notes = forms.CharField(label="Reviewer's judgement", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def reviewed_at(self) -> Any:
        """The review's date at the current time of day, or now when it is today."""
        day = self.cleaned_data["reviewed_on"]
        now = timezone.localtime()
        if day == now.date():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12, 0)))
