"""Schemathesis fuzzes every API operation from the OpenAPI document Winnow serves, with every check it has
(no 5xx, status codes, content types, headers and bodies as documented, invalid input refused, valid accepted).

Bounded for CI: `WINNOW_FUZZ_EXAMPLES` examples per operation (default 30). Runs as a handler of the north unit
with a referral to find, so reads of existing objects are exercised as well as refusals."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import schemathesis.config
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from winnow.api.api import api

CONFIG = schemathesis.config.SchemathesisConfig.from_path(Path(__file__).resolve().parents[3] / "schemathesis.toml")
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG)
schema.app = get_wsgi_application()
EXAMPLES = int(os.environ.get("WINNOW_FUZZ_EXAMPLES", "30"))


@pytest.fixture
def bearer(handler: Any, referral: Any, token_for: Any) -> Any:
    # As Django's test client does: a request through the WSGI handler must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token_for(handler)}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_answers_every_generated_request_as_its_schema_says(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer)
