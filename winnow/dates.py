"""GOV.UK date inputs: day, month and year (and hour and minute where a time is needed) as separate boxes.

Native date pickers show the browser's own format (US order in some locales), contradict a "for example 27 3 2026"
hint and are hard to use with a screen reader; GOV.UK's date-input pattern asks for each part in its own box and
answers a bad entry with a message that names the part ("Date of birth must include a month"). Times are UK time
(Europe/London) and stored in UTC, as everywhere in Winnow.

For scripts and older clients a field still accepts one ISO value under its plain name (``received_at=2026-11-02T
10:15``), parsed strictly; the boxes win when both are sent.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
_TIME_PARTS = (("hour", "Hour", 2), ("minute", "Minute", 2))


class GovukDateInput(forms.Widget):
    """Renders GOV.UK's `govuk-date-input`; the field's template wraps it in a fieldset with the label as legend."""

    govuk_date = True  # _field.html renders a fieldset and legend for widgets that say this
    use_fieldset = True

    def __init__(self, *, with_time: bool = False, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.with_time = with_time
        self.invalid_parts: set[str] = set()

    @property
    def parts(self) -> tuple[tuple[str, str, int], ...]:
        return _DATE_PARTS + (_TIME_PARTS if self.with_time else ())

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str] | str | None:
        parts = {key: str(data.get(f"{name}-{key}", "")).strip() for key, _, _ in self.parts}
        if any(parts.values()):
            return parts
        return data.get(name)  # the plain ISO form, or None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}-{key}" in data for key, _, _ in self.parts)

    def _decompress(self, value: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return {"day": str(local.day), "month": str(local.month), "year": str(local.year),
                    "hour": f"{local.hour:02d}", "minute": f"{local.minute:02d}"}
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, str) and value:
            try:
                return self._decompress(datetime.fromisoformat(value) if self.with_time else date.fromisoformat(value))
            except ValueError:
                return {}
        return {}

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        id_ = attrs.get("id") or f"id_{name}"
        values = self._decompress(value)
        items = []
        for key, label, width in self.parts:
            error = " govuk-input--error" if key in self.invalid_parts else ""
            items.append((
                f"{id_}-{key}", label, f"{id_}-{key}", f"{name}-{key}",
                f"govuk-input govuk-date-input__input govuk-input--width-{width}{error}", values.get(key, ""),
            ))
        boxes = format_html_join(
            "",
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            '<label class="govuk-label govuk-date-input__label" for="{0}">{1}</label>'
            '<input class="{4}" id="{2}" name="{3}" type="text" inputmode="numeric" value="{5}"></div></div>',
            items,
        )
        return format_html('<div class="govuk-date-input" id="{}">{}</div>', id_, boxes)


class _GovukDateBase(forms.Field):
    with_time = False

    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GovukDateInput(with_time=self.with_time))
        super().__init__(required=required, **kwargs)

    def _name(self) -> str:
        return str(self.label or "The date")

    def _fail(self, message: str, *parts: str) -> forms.ValidationError:
        widget = self.widget
        if isinstance(widget, GovukDateInput):
            widget.invalid_parts = set(parts) or {key for key, _, _ in widget.parts}
        return forms.ValidationError(message, code="invalid")

    def _from_parts(self, parts: dict[str, str]) -> datetime | date:
        widget = self.widget
        assert isinstance(widget, GovukDateInput)
        keys = [key for key, _, _ in widget.parts]
        missing = [key for key in keys if not parts.get(key)]
        if missing:
            return self._raise_missing(missing)
        if not all(parts[key].isdigit() for key in keys):
            bad = [key for key in keys if not parts[key].isdigit()]
            raise self._fail(f"{self._name()} must be a real date, in numbers", *bad)
        if len(parts["year"]) != 4:
            raise self._fail("Year must include 4 numbers", "year")
        try:
            day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise self._fail(f"{self._name()} must be a real date", "day", "month", "year") from None
        if not self.with_time:
            return day
        try:
            clock = time(int(parts["hour"]), int(parts["minute"]))
        except ValueError:
            raise self._fail(f"{self._name()} must be a real time, hour 0 to 23 and minute 0 to 59",
                             "hour", "minute") from None
        return timezone.make_aware(datetime.combine(day, clock))

    def _raise_missing(self, missing: list[str]) -> Any:
        words = " and ".join(f"a {key}" if key != "hour" else "an hour" for key in missing)
        raise self._fail(f"{self._name()} must include {words}", *missing)

    def to_python(self, value: Any) -> datetime | date | None:
        if value in (None, "", {}):
            return None
        if isinstance(value, dict):
            return self._from_parts(value)
        if isinstance(value, (date, datetime)):
            return value
        try:
            if self.with_time:
                parsed = datetime.fromisoformat(str(value))
                return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
            return date.fromisoformat(str(value))
        except ValueError:
            raise self._fail(f"{self._name()} must be a real date") from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise self._fail(f"Enter {self._name()[0].lower()}{self._name()[1:]}")


class GovukDateField(_GovukDateBase):
    """A date as three boxes: day, month, year."""


class GovukDateTimeField(_GovukDateBase):
    """A UK-time moment as five boxes: day, month, year, hour (24-hour clock), minute."""

    with_time = True
