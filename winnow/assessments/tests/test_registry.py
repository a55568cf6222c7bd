"""Instruments are loaded and validated at start-up, keyed by (id, version) with each file's SHA-256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from winnow.assessments.registry import load_registry, registry
from winnow.core.instruments import InstrumentError, instrument_sha256


@pytest.fixture(autouse=True)
def _fresh_registry(settings: Any) -> Any:
    shipped = settings.WINNOW_INSTRUMENTS_DIR
    yield
    load_registry(shipped)  # put the shipped instruments back for the next test


def test_it_loads_the_shipped_instruments_keyed_by_id_and_version_with_their_hash(settings: Any) -> None:
    loaded = load_registry()
    assert {key[0] for key in loaded.by_key} >= {"phased-prioritisation", "cport", "casic"}
    phased = registry().get("phased-prioritisation", "0.2.0")
    assert phased is not None
    assert phased.sha256 == instrument_sha256(Path(settings.WINNOW_INSTRUMENTS_DIR) / "phased-prioritisation.yaml")


def test_it_stops_start_up_naming_the_file_line_and_reason(settings: Any, tmp_path: Path) -> None:
    good = (Path(settings.WINNOW_INSTRUMENTS_DIR) / "casic.yaml").read_text()
    (tmp_path / "casic.yaml").write_text(good)
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nversion: '1'\ntitle: [unclosed\n")
    settings.WINNOW_INSTRUMENTS_DIR = tmp_path
    with pytest.raises(InstrumentError) as caught:
        load_registry()
    assert str(caught.value).startswith(f"{broken}:3:") or str(caught.value).startswith(f"{broken}:4:")
    with pytest.raises(ImproperlyConfigured, match=rf"{broken}:\d+: "):
        apps.get_app_config("assessments").ready()


def test_it_reports_an_unknown_item_in_a_rule_with_its_line(settings: Any, tmp_path: Path) -> None:
    text = (Path(settings.WINNOW_INSTRUMENTS_DIR) / "phased-prioritisation.yaml").read_text()
    (tmp_path / "phased.yaml").write_text(text.replace("when: prior_contact_offence", "when: no_such_item"))
    settings.WINNOW_INSTRUMENTS_DIR = tmp_path
    with pytest.raises(ImproperlyConfigured, match=r"phased\.yaml:\d+: .*no_such_item"):
        apps.get_app_config("assessments").ready()
