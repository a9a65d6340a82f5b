"""The JSON API against its own OpenAPI document, with Schemathesis: on the seeded catalog, every
answer to generated requests is one the document describes (status, media type, headers, body),
and none is a server error. Requests go to the Flask app itself (WSGI), never over a network.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.models import Role

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
#: Generated requests per route, beside the document's own examples: enough to reach each
#: parameter's edges, few enough that the whole run takes seconds.
EXAMPLES_PER_ROUTE = 12


def _check_every_route(app, client=None) -> int:
    # Rate limits are tested on their own (test_api_limits.py); here they would only slow things down.
    app.extensions["catalog_limiter"].enabled = False
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Cookie": "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())} if client else None
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(checks=CHECKS, headers=headers)

        check()
        checked += 1
    return checked


def test_every_answer_matches_the_openapi_document(app, seeded):
    assert _check_every_route(app) == 11


def test_every_answer_to_a_signed_in_archivist_matches_the_document_too(app, seeded, client, auth):
    auth.login(Role.ARCHIVIST)
    assert _check_every_route(app, client) == 11
