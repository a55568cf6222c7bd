"""The vignette bank Winnow trains with: every file under WINNOW_VIGNETTES_DIR (default `vignettes/`), loaded
against the loaded instruments and validated once. A vignette for an instrument version that is not loaded is an
error naming the file and line, as a broken instrument file is."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from winnow.assessments.registry import registry
from winnow.core.training import Vignette, load_bank

_bank: dict[str, Vignette] | None = None


def vignettes_dir() -> Path:
    return Path(getattr(settings, "WINNOW_VIGNETTES_DIR", Path(settings.BASE_DIR) / "vignettes"))


def load(directory: str | Path | None = None) -> dict[str, Vignette]:
    global _bank
    _bank = load_bank(Path(directory) if directory is not None else vignettes_dir(), registry().by_key)
    return _bank


def bank() -> dict[str, Vignette]:
    return _bank if _bank is not None else load()

