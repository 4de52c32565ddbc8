"""Property-based fuzzing of every endpoint from the server's own OpenAPI document (schemathesis): valid and invalid
inputs, with and without the admin key. No answer may be a 5xx, every status code must be documented, every body
must match its documented schema and content type, and invalid input must be rejected (4xx).

Bounded for CI time: ``MAX_EXAMPLES`` examples per operation and mode (positive / negative), no shrinking database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.api.app import build_app
from api_harness import ADMIN_KEY, ApiServer, api_settings, copy_db

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


@pytest.fixture(scope="module")
def fuzz_server(shipped_db, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A server on its own catalog copy (the fuzzer adds and deletes songs)."""
    db = copy_db(shipped_db, tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    server = ApiServer(db, api_settings(api_rate_burst=1_000_000)).start()
    yield server
    server.stop()


# The document the server serves (built from the same app; the test below checks they are equal). Loaded at import
# time: schemathesis' lazy fixture loader does not run under this pytest version.
schema = schemathesis.openapi.from_dict(build_app(None, api_settings()).openapi())  # type: ignore[arg-type]


def test_the_fuzzed_document_is_the_served_one(fuzz_server: ApiServer) -> None:
    with fuzz_server.client() as c:
        assert c.get("/api/v1/openapi.json").json() == schema.raw_schema


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_input_breaks_the_api(case: schemathesis.Case, fuzz_server: ApiServer) -> None:
    case.call_and_validate(base_url=fuzz_server.url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, checks=CHECKS, timeout=30)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_input_breaks_the_api_without_a_key(case: schemathesis.Case, fuzz_server: ApiServer) -> None:
    case.call_and_validate(base_url=fuzz_server.url, checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
                           timeout=30)
