from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from winnow.core.validation.stats import wilson
from winnow.training import modules

register = template.Library()


@register.filter
def markdown(module: Any) -> SafeString:
    return modules.render(module)


@register.filter
def share(numerator: int | None, denominator: int | None) -> str:
    """'3 of 10: 30% (95% 11% to 60%)': every proportion on a training page with its n and its Wilson interval."""
    n, k = int(denominator or 0), int(numerator or 0)
    if n <= 0:
        return "none yet (n = 0)"
    p = wilson(k, n)
    assert p.value is not None and p.low is not None and p.high is not None
    return f"{k} of {n}: {p.value:.0%} (95% {p.low:.0%} to {p.high:.0%})"
