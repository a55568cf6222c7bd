"""Notices that apps above this one add to an assessment's result (for example: the assessor was not certified
for that instrument version). Assessments cannot import those apps (the layers contract), so an app registers a
function here once, from its AppConfig.ready(); the result and the decision pages show whatever they return.
A notice is a warning, never a block: it changes no band and no priority."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Notice = Callable[[Any], str]
_providers: list[Notice] = []


def register(provider: Notice) -> None:
    if provider not in _providers:
        _providers.append(provider)


def for_assessment(assessment: Any) -> list[str]:
    return [text for provider in _providers if (text := provider(assessment))]
