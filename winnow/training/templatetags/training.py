from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from winnow.training import modules

register = template.Library()


@register.filter
def markdown(module: Any) -> SafeString:
    return modules.render(module)
