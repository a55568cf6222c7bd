"""A system check that refuses to start with a broken vignette or module file, naming the file and line (as
instruments do)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from winnow.core.instruments import InstrumentError
from winnow.core.training import VignetteError

from . import bank, modules


def vignette_bank(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        bank.load()
        modules.load()
    except (VignetteError, InstrumentError) as exc:
        return [checks.Error(str(exc), hint="Correct the file (WINNOW_VIGNETTES_DIR, WINNOW_KNOWLEDGE_DIR).",
                             id="winnow.training.E001")]
    return []


def connect() -> None:
    checks.register(vignette_bank, "winnow")
