"""Victim-identification fixtures: forensic officers in two units, a referral in each, the benign two-unit scene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .support import MAKE, MODEL, Scene, make_scene


@pytest.fixture(scope="session")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    return make_scene(tmp_path_factory.mktemp("victimid"))


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    from winnow.triage import services

    services._CACHE.clear()


@pytest.fixture
def east_referral(make_person: Any, units: dict[str, Any]) -> Any:
    from django.utils import timezone

    from winnow.context import acting
    from winnow.core.intake import referral_from_mapping
    from winnow.intake.services import canonical_json, referral_record

    mapping = {"source": "ncmec", "source_reference": "CT-TEST-EAST-1", "received_at": "2026-11-03T10:15:00+00:00",
               "summary": "Fictional east referral.", "immediate_danger": False,
               "subjects": [{"role": "reported", "given_names": "Eddy", "family_name": "Fictitious"}]}
    handler = make_person("harry.easthandler", "east", "handler")
    with acting(request_id="test-fixture", via="test"):
        return referral_record(actor=handler, unit=units["east"], draft=referral_from_mapping(mapping, now=timezone.now()),
                               raw=canonical_json(mapping), media_type="application/json", via="form")


@pytest.fixture
def first_set(scene: Scene, tmp_path: Path, administrator: Any) -> Any:
    from winnow.triage.services import hash_set_import

    path = tmp_path / "first.csv"
    path.write_text(f"md5,category\n{scene.unrelated_md5},A\n")
    return hash_set_import(actor=administrator, path=path, name="Fictional first list", scheme="uk-abc").hash_set


@pytest.fixture
def scanned(scene: Scene, referral: Any, east_referral: Any, forensic: Any, forensic_east: Any,
            first_set: Any) -> dict[str, Any]:
    """Both exhibits recorded and their scan results stored and summarised (north's device is the EXIF camera)."""
    from winnow.triage.services import exhibit_create, file_chunks, scan_result_store

    north = exhibit_create(actor=forensic, referral=referral, label="FF/1", device_make=MAKE, device_model=MODEL)
    east = exhibit_create(actor=forensic_east, referral=east_referral, label="EE/1")
    n = scan_result_store(actor=forensic, exhibit=north, chunks=file_chunks(scene.north_result),
                          filename="north.scan.sqlite", via="server", background=False)
    e = scan_result_store(actor=forensic_east, exhibit=east, chunks=file_chunks(scene.east_result),
                          filename="east.scan.sqlite", via="server", background=False)
    return {"north": north, "east": east, "north_result": n.scan_result, "east_result": e.scan_result}


@pytest.fixture
def synced(scanned: dict[str, Any], forensic: Any) -> dict[str, Any]:
    from winnow.victimid.services import series_sync

    series_sync(actor=forensic)
    return scanned
