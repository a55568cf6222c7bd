"""The training form is the live assessment form (generated from the instrument file) without evidence notes; the
force's standard is a small form of its own."""

from __future__ import annotations

from typing import Any

from django import forms

from winnow.assessments.forms import InstrumentForm, note_field
from winnow.forms import GovukFormMixin


class VignetteForm(InstrumentForm):
    """Every item starts Unknown, as on a live case; there is nothing to cite, so no evidence notes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in self.instrument.items:
            del self.fields[note_field(item.id)]

    def sections(self) -> list[dict[str, Any]]:
        return [{"title": s.title, "help": s.help, "items": [(self[f"answer_{i}"], None, self.instrument.item(i))
                                                             for i in s.items]}
                for s in self.instrument.sections]

    def notes(self) -> dict[str, str]:
        return {}


class StandardForm(GovukFormMixin, forms.Form):
    min_item_agreement = forms.IntegerField(min_value=1, max_value=100, label="Item agreement with the reference (%)",
                                            help_text="At least this share of answers as the reference. Default 85.")
    min_band_exact = forms.IntegerField(min_value=1, max_value=100, label="Exact band (%)",
                                        help_text="The exact reference band on at least this share of vignettes. "
                                                  "Default 80.")
    min_vignettes = forms.IntegerField(min_value=1, max_value=200, label="Vignettes needed",
                                       help_text="Different vignettes completed within one refresher period. Default 6.")
    refresher_months = forms.IntegerField(min_value=1, max_value=120, label="Refresher due after (months)")
    double_coding_share = forms.IntegerField(min_value=0, max_value=100,
                                             label="Live assessments offered for a blind second coding (%)",
                                             help_text="Default 5.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-input govuk-input--width-4"
