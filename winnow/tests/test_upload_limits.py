"""Upload size limits are enforced while the body streams (winnow/uploads.py): a request declaring more than its
page's limit is answered 413 before one byte is read; a file passing the limit inside the body is stopped at the
chunk that passes it, before any handler has kept it; the answer is a GOV.UK page naming the limit (the API's error
shape under /api/), and nothing is stored. Personas: the administrator (hash sets), a forensic officer (scan
results), an API client (CyberTipline), and anonymous, who is refused the same way before the body is read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

from winnow.triage.models import HashSet, ScanResult

pytestmark = pytest.mark.django_db

BOUNDARY = "winnowtestboundary"


class _Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _declared(client: Any, path: str, length: int, **extra: Any) -> Any:
    return client.generic("POST", path, b"", CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
                          CONTENT_LENGTH=str(length), **{"wsgi.input": _Unread()}, **extra)


@pytest.fixture
def exhibit(referral: Any, make_person: Any) -> Any:
    from winnow.triage.services import exhibit_create

    return exhibit_create(actor=make_person("fran.forensic", "north", "forensic"), referral=referral, label="FF/1")


def test_a_declared_length_over_the_limit_is_a_413_before_the_body_is_read(client: Any, make_person: Any,
                                                                          settings: Any) -> None:
    settings.WINNOW_SCAN_RESULT_MAX_BYTES = 10_000
    client.force_login(make_person("ada.admin", "north", "administrator"))
    response = _declared(client, "/triage/hash-sets/", 10_000 + 64 * 1024 + 1)
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file is too large" in body and "larger than the limit of 10,000 bytes" in body
    assert "nothing was read or stored" in body and not HashSet.objects.exists()


def test_anonymous_is_refused_the_same_way_without_the_body_being_read(client: Any, settings: Any) -> None:
    settings.WINNOW_IMPORT_MAX_BYTES = 1000
    assert _declared(client, "/referrals/import/", 1000 + 64 * 1024 + 1).status_code == 413


def test_the_api_answers_413_in_its_error_shape(client: Any, handler: Any, token_for: Any) -> None:
    from winnow.core.cybertipline import DEFAULT_LIMITS

    response = _declared(client, "/api/v1/referrals/cybertipline", DEFAULT_LIMITS.max_zip_bytes + 64 * 1024 + 1,
                         HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}")
    assert response.status_code == 413
    error = json.loads(response.content)["error"]
    assert (error["status"], error["code"]) == (413, "too_large")
    assert f"larger than the limit of {DEFAULT_LIMITS.max_zip_bytes:,} bytes" in error["message"]


def test_a_file_passing_the_limit_inside_the_body_is_stopped_before_any_handler_keeps_it(
    client: Any, exhibit: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WINNOW_SCAN_RESULT_MAX_BYTES = 1000
    kept: list[int] = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        real = handler.receive_data_chunk
        monkeypatch.setattr(handler, "receive_data_chunk",
                            lambda self, data, start, real=real: kept.append(len(data)) or real(self, data, start))
    from winnow.accounts.models import User

    client.force_login(User.objects.get(username="fran.forensic"))
    response = client.post(f"/triage/exhibits/{exhibit.pk}/upload/",
                           {"file": SimpleUploadedFile("big.sqlite", b"x" * 1200, "application/octet-stream")})
    assert response.status_code == 413
    assert "big.sqlite: larger than the limit of 1,000 bytes for this page; nothing was stored." in response.content.decode()
    assert kept == [] and not ScanResult.objects.exists()


def test_a_file_within_the_limit_goes_through(client: Any, exhibit: Any, settings: Any) -> None:
    settings.WINNOW_SCAN_RESULT_MAX_BYTES = 1000
    from winnow.accounts.models import User

    client.force_login(User.objects.get(username="fran.forensic"))
    response = client.post(f"/triage/exhibits/{exhibit.pk}/upload/",
                           {"file": SimpleUploadedFile("small.sqlite", b"x" * 900, "application/octet-stream")},
                           follow=True)
    assert response.status_code == 200
    assert "small.sqlite: not a Winnow scan result (not an SQLite file)" in response.content.decode()  # it was read


def test_spool_hashes_as_it_streams_and_removes_what_passes_its_limit(tmp_path: Any) -> None:
    """winnow.uploads.spool, which the upload jobs and scan results share: the temporary file, its SHA-256 and size;
    past the limit the caller's error, and no file left behind."""
    import hashlib

    from winnow.uploads import spool, store_once

    path, sha256, size = spool([b"abc", b"def"], directory=tmp_path)
    assert (path.read_bytes(), sha256, size) == (b"abcdef", hashlib.sha256(b"abcdef").hexdigest(), 6)
    store_once(path, tmp_path / "kept" / sha256)
    assert (tmp_path / "kept" / sha256).read_bytes() == b"abcdef" and not path.exists()

    class TooLarge(Exception):
        pass

    with pytest.raises(TooLarge, match="5"):
        spool([b"abc", b"def"], directory=tmp_path, limit=5, too_large=lambda limit: TooLarge(str(limit)))
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]
