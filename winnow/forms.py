"""GOV.UK Frontend classes on Django's widgets, so every form looks and behaves the same."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.FileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.widgets.Input: "govuk-input",
}


class GovukFormMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget_class = next((css for kind, css in _CLASSES.items() if isinstance(field.widget, kind)), "")
            field.widget.attrs.setdefault("class", widget_class)

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The named field as the ChoiceField it is, for forms that set its choices per request."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField), f"{name} is not a ChoiceField"
        return field


class LoginForm(GovukFormMixin, AuthenticationForm):
    pass
