"""Error answers: pages in the site's layout for readers, problem details under /api/, and a 500
that tells nobody what went wrong inside."""

from __future__ import annotations

import logging

import pytest
from flask import abort, flash, redirect

from catalog.models import Role

PROBLEM = "application/problem+json"


def in_layout(response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<header class="site-header"' in page and '<footer class="site-footer"' in page
    assert f"<h1>{heading}</h1>" in page
    assert f"Error {status}" in page
    return page


@pytest.fixture
def failing_app(app):
    """The app with addresses that fail in each way a view can, and Flask's production handling
    of exceptions (the tests' app re-raises them instead)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("connection to db-secret.internal failed at /srv/catalog/queries.py")

    def flash_then_refuse():
        flash("Saved.", "success")
        abort(404)

    for path, view in (("/gone-record", lambda: abort(410)), ("/too-many", lambda: abort(429)), ("/api/gone-record", lambda: abort(410)),
                       ("/broken", broken), ("/api/broken", broken), ("/flash-then-404", flash_then_refuse),
                       ("/flash-then-home", lambda: (flash("Saved.", "success"), redirect("/testimonies"))[1])):
        app.add_url_rule(path, endpoint=path, view_func=view)
    return app


def test_a_missing_record_has_a_page_in_the_layout(client, seeded):
    page = in_layout(client.get("/t/T-9999"), 404, "Not found")
    assert "There is no such record, or it is not available to you." in page
    assert "Some records are open only to signed-in researchers and archivists." in page
    in_layout(client.get("/no/such/address"), 404, "Not found")


def test_a_bad_request_says_what_was_wrong(client, seeded):
    page = in_layout(client.get("/testimonies?place=%00"), 400, "This request cannot be answered")
    assert "NUL character" in page


def test_a_refused_workspace_page_says_so(client, seeded, auth):
    auth.login(Role.ARCHIVIST)
    page = in_layout(client.get("/admin/users"), 403, "Not allowed")
    assert "Signed in as" in page


def test_gone_is_a_page_and_a_problem(failing_app, seeded):
    client = failing_app.test_client()
    page = in_layout(client.get("/gone-record"), 410, "No longer available")
    assert "withdrawn" in page
    response = client.get("/api/gone-record")
    assert response.status_code == 410 and response.mimetype == PROBLEM
    assert response.get_json(force=True)["type"].endswith("/api#problem-410")


def test_too_many_requests_has_a_page(failing_app, seeded):
    page = in_layout(failing_app.test_client().get("/too-many"), 429, "Too many requests")
    assert 'href="/api"' in page


def test_a_server_error_discloses_nothing_and_is_logged(failing_app, seeded, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR):
        page = in_layout(client.get("/broken"), 500, "Something went wrong")
        problem = client.get("/api/broken")
    for answer in (page, problem.get_data(as_text=True)):
        assert "db-secret" not in answer and "Traceback" not in answer and "RuntimeError" not in answer
    assert problem.status_code == 500 and problem.mimetype == PROBLEM
    assert problem.get_json(force=True)["detail"].startswith("Something went wrong on our side")
    assert "db-secret.internal" in caplog.text


def test_an_error_page_leaves_messages_for_the_next_page(failing_app, seeded):
    client = failing_app.test_client()
    assert "Saved." not in client.get("/flash-then-404").get_data(as_text=True)
    assert "Saved." in client.get("/testimonies").get_data(as_text=True)


def test_a_form_without_its_token_still_gets_the_csrf_page(client, seeded):
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)


def test_every_error_page_carries_the_security_headers(client, seeded):
    response = client.get("/t/T-9999")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
