"""Training fixtures on top of the shared personas: a handler certified on phased-prioritisation 0.2.0."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.training.bank import bank

PP = ("phased-prioritisation", "0.2.0")


def pp_vignettes() -> list[Any]:
    return sorted((v for v in bank().values() if (v.instrument_id, v.instrument_version) == PP), key=lambda v: v.id)


def certify(user: Any, count: int = 6) -> None:
    """Complete `count` vignettes with the reference answers (the default standard needs 6)."""
    from winnow.training.services import attempt_record

    for vignette in pp_vignettes()[:count]:
        attempt_record(actor=user, vignette=vignette, answers=vignette.answer_map)


@pytest.fixture
def certified_handler(make_person: Any) -> Any:
    user = make_person("cara.certified", "north", "handler")
    certify(user)
    return user
