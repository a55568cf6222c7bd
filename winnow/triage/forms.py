from __future__ import annotations

from django import forms

from winnow.core.hashsets import BUILTIN_SCHEMES, FORMATS
from winnow.forms import GovukFormMixin


class HashSetUploadForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    file = forms.FileField(label="Hash set file")
    format = forms.ChoiceField(choices=[("", "Detect from the content"), *[(f, f) for f in sorted(FORMATS)]],
                               required=False)
    scheme = forms.ChoiceField(choices=[("", "None / detected (VICS 2.0 US)"),
                                        *[(k, s.label) for k, s in BUILTIN_SCHEMES.items()]],
                               required=False, label="Category scheme")
    known_files = forms.BooleanField(
        required=False,
        label="A list of known software files: set its hits aside as known non-pertinent, as NSRL's are "
              "(no categories)")


class ExhibitForm(GovukFormMixin, forms.Form):
    label = forms.CharField(max_length=60, help_text="e.g. JD/1 (a laptop), JD/2 (a phone)")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    device_make = forms.CharField(max_length=100, required=False, label="Camera make of the seized device")
    device_model = forms.CharField(max_length=100, required=False, label="Camera model of the seized device")


class ScanResultUploadForm(GovukFormMixin, forms.Form):
    file = forms.FileField(label="Scan result file (from winnow scan)")
