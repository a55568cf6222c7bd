"""Shared fixtures for the instrument engine tests: the shipped instruments, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from winnow.core.instruments import Instrument, load_directory

REPO = Path(__file__).resolve().parents[3]
INSTRUMENTS = REPO / "instruments"


@pytest.fixture(scope="session")
def shipped() -> dict[str, Instrument]:
    return load_directory(INSTRUMENTS)


@pytest.fixture(scope="session")
def phased(shipped: dict[str, Instrument]) -> Instrument:
    return shipped["phased-prioritisation"]


@pytest.fixture(scope="session")
def cport(shipped: dict[str, Instrument]) -> Instrument:
    return shipped["cport"]


@pytest.fixture(scope="session")
def casic(shipped: dict[str, Instrument]) -> Instrument:
    return shipped["casic"]
