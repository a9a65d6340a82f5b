"""Rendered reader pages served again to anonymous readers, until any record changes; never to or
from anyone signed in."""

from __future__ import annotations

from sqlalchemy import select

from catalog.models import AccessLevel, Role, Testimony
from catalog.web.page_cache import HEADER


def fresh_get(app, path: str):
    """A GET from a new, cookie-less reader."""
    return app.test_client().get(path)


def set_testimony(db, public_id: str, **values) -> None:
    with db.writing() as session:
        testimony = session.scalar(select(Testimony).where(Testimony.public_id == public_id))
        for name, value in values.items():
            setattr(testimony, name, value)


def test_an_anonymous_page_is_served_again_byte_for_byte(app, seeded):
    first = fresh_get(app, "/testimonies?kind=survivor")
    assert first.status_code == 200 and first.headers[HEADER] == "miss"
    second = fresh_get(app, "/testimonies?kind=survivor")
    assert second.headers[HEADER] == "hit"
    assert second.data == first.data
    assert second.content_type == first.content_type
    # Security headers are those of the new response, not kept with the page.
    assert "Content-Security-Policy" in second.headers
    # Another query string is another page.
    assert fresh_get(app, "/testimonies?kind=relative").headers[HEADER] == "miss"


def test_a_page_made_for_one_host_is_never_served_to_another(app, seeded):
    # Pages carry absolute links (permalink, citation): a forged Host header must not poison them.
    forged = app.test_client().get("/t/T-0007", headers={"Host": "attacker.example"})
    assert "http://attacker.example/t/T-0007" in forged.get_data(as_text=True)
    honest = fresh_get(app, "/t/T-0007")
    assert honest.headers[HEADER] == "miss"
    page = honest.get_data(as_text=True)
    assert "attacker.example" not in page and "http://localhost/t/T-0007" in page
    assert fresh_get(app, "/t/T-0007").headers[HEADER] == "hit"


def test_any_saved_change_replaces_cached_pages(app, seeded):
    db = app.extensions["catalog_db"]
    assert "T-0007" in fresh_get(app, "/testimonies").get_data(as_text=True)
    fresh_get(app, "/t/T-0007")
    assert fresh_get(app, "/t/T-0007").headers[HEADER] == "hit"
    set_testimony(db, "T-0007", title="A corrected title for T-0007")
    page = fresh_get(app, "/t/T-0007")
    assert page.headers[HEADER] == "miss"
    assert "A corrected title for T-0007" in page.get_data(as_text=True)
    # Restricting a testimony takes it out of every cached page at once.
    set_testimony(db, "T-0007", access_level=AccessLevel.RESTRICTED)
    assert fresh_get(app, "/t/T-0007").status_code == 404
    assert "T-0007" not in fresh_get(app, "/testimonies").get_data(as_text=True)
    assert "T-0007" not in fresh_get(app, "/search?q=corrected").get_data(as_text=True)


def test_signed_in_pages_are_neither_served_from_nor_kept_in_the_cache(app, seeded, client, auth):
    db = app.extensions["catalog_db"]
    set_testimony(db, "T-0007", access_level=AccessLevel.RESTRICTED)
    auth.login(Role.RESEARCHER)
    public = fresh_get(app, "/testimonies")
    assert "T-0007" not in public.get_data(as_text=True)
    staff = client.get("/testimonies")
    assert HEADER not in staff.headers
    assert "T-0007" in staff.get_data(as_text=True)
    assert staff.headers["Cache-Control"] == "no-store"
    # The public page is still the public one (the researcher's page was not stored over it).
    again = fresh_get(app, "/testimonies")
    assert again.headers[HEADER] == "hit"
    assert "T-0007" not in again.get_data(as_text=True)


def test_a_request_with_a_session_cookie_is_rendered_afresh(app, seeded):
    fresh_get(app, "/testimonies")
    reader = app.test_client()
    reader.get("/sign-in")  # the form's CSRF token puts a session cookie in this browser
    response = reader.get("/testimonies")
    assert response.status_code == 200
    assert HEADER not in response.headers


def test_the_cache_can_be_turned_off(database_url, tmp_path, monkeypatch):
    from catalog import create_app

    monkeypatch.setenv("CATALOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CATALOG_PAGE_CACHE_MB", "0")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        client = app.test_client()
        assert HEADER not in client.get("/testimonies").headers
        assert HEADER not in client.get("/testimonies").headers
    finally:
        app.extensions["catalog_db"].dispose()


def test_a_page_that_writes_to_the_session_is_not_kept(app, seeded):
    from flask import Response, g, session

    from catalog.web import page_cache

    cache = app.extensions["catalog_page_cache"]
    with app.test_request_context("/testimonies?kind=document"):
        g.page_cache_key = ("token", "http://localhost/testimonies?kind=document")
        session["note"] = "for this reader only"
        page_cache.store(Response("personal page"))
    assert cache.get(("token", "http://localhost/testimonies?kind=document")) is None
    with app.test_request_context("/testimonies?kind=document"):
        g.page_cache_key = ("token", "http://localhost/testimonies?kind=document")
        page_cache.store(Response("shared page"))
    assert cache.get(("token", "http://localhost/testimonies?kind=document")).body == b"shared page"
