"""Triage fixtures: forensic officers and an administrator, the benign scanned collection (support.py), and small
fictional hash sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .support import CAMERA_MAKE, CAMERA_MODEL, Collection, make_collection


@pytest.fixture(scope="session")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    return make_collection(tmp_path_factory.mktemp("collection"))


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    from winnow.triage import services

    services._CACHE.clear()


@pytest.fixture
def hash_sets(collection: Collection, tmp_path: Path, administrator: Any) -> list[Any]:
    from winnow.triage.services import hash_set_import

    return [
        hash_set_import(
            actor=administrator, path=collection.csv_set(tmp_path), name="Fictional list", scheme="uk-abc"
        ).hash_set,
        hash_set_import(
            actor=administrator, path=collection.nsrl_set(tmp_path), name="Fictional NSRL"
        ).hash_set,
    ]


@pytest.fixture
def exhibit(referral: Any, forensic: Any) -> Any:
    from winnow.triage.services import exhibit_create

    return exhibit_create(
        actor=forensic,
        referral=referral,
        label="FF/1",
        description="Fictional laptop",
        device_make=CAMERA_MAKE,
        device_model=CAMERA_MODEL,
    )


@pytest.fixture
def stored(exhibit: Any, forensic: Any, collection: Collection, hash_sets: list[Any]) -> Any:
    from winnow.triage.services import file_chunks, scan_result_store

    return scan_result_store(
        actor=forensic,
        exhibit=exhibit,
        chunks=file_chunks(collection.result),
        filename="exhibit.scan.sqlite",
        via="server",
    )
