"""Signing in and out: hashed passwords, server-side sessions, timeouts, throttling, headers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from catalog.models import LoginAttempt, Role, User, UserSession
from catalog.services import accounts
from tests.conftest import csrf_token_from


def test_sign_in_page_has_a_form_with_csrf(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert csrf_token_from(response.data)
    assert b'autocomplete="current-password"' in response.data


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ARCHIVIST, Role.RESEARCHER])
def test_sign_in_shows_who_is_signed_in(client, auth, role):
    user = auth.login(role)
    page = client.get("/").get_data(as_text=True)
    assert f"Signed in as <strong>{user['username']}</strong>" in page
    assert ("Archive</a>" in page) == (role != Role.RESEARCHER)


def test_password_is_stored_hashed(auth, db):
    user = auth.login(fast_hash=False)
    with db.session() as session:
        stored = session.get(User, user["id"]).password_hash
    assert user["password"] not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/sign-in", data={"username": user["username"], "password": user["password"]})
    assert response.status_code == 200 or response.status_code == 400
    assert "Signed in as <strong>" not in response.get_data(as_text=True)
    assert 'value="' + user["username"] + '"' in response.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(client, auth, make_user):
    user = make_user()
    response = auth.sign_in(user["username"], "not the password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    unknown = auth.sign_in("nobody-here", "not the password")
    assert "do not match an active account" in unknown.get_data(as_text=True)


def test_repeated_failures_throttle_even_the_right_password(client, auth, make_user, db):
    user = make_user()
    for _ in range(accounts.MAX_FAILURES):
        assert auth.sign_in(user["username"], "wrong password!").status_code == 401
    response = auth.sign_in(user["username"], user["password"])
    assert response.status_code == 401
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    with db.session() as session:
        assert session.scalar(select(LoginAttempt).where(LoginAttempt.succeeded.is_(True))) is None


def test_throttle_lifts_after_the_window(session, make_user):
    user = make_user()
    past = accounts.utcnow() - accounts.FAILURE_WINDOW - dt.timedelta(minutes=1)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(session, user["username"], "wrong", now=past)
    assert accounts.authenticate(session, user["username"], user["password"]).id == user["id"]


def test_sign_in_starts_a_fresh_session(client, auth, make_user):
    anonymous_token = auth.csrf_token()
    user = make_user()
    auth.sign_in(user["username"], user["password"])
    assert auth.csrf_token() != anonymous_token
    cookie = client.get_cookie("catalog_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_sign_out_is_post_only_and_ends_the_session_on_the_server(client, auth, db):
    user = auth.login()
    stolen = client.get_cookie("catalog_session").value
    assert client.get("/sign-out").status_code == 405
    auth.logout()
    assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)
    # Replaying the old cookie does not revive the session.
    client.set_cookie("catalog_session", stolen)
    assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)
    with db.session() as session:
        record = session.scalar(select(UserSession).where(UserSession.user_id == user["id"]))
        assert record.ended_reason == "signed out"


def test_deactivation_ends_every_session(client, auth, db):
    user = auth.login()
    assert client.get("/archive/").status_code == 200
    with db.writing() as session:
        accounts.set_active(session, session.get(User, user["id"]), False)
    assert client.get("/archive/").status_code == 302
    assert auth.sign_in(user["username"], user["password"]).status_code == 401


@pytest.mark.parametrize("column, limit", [("last_seen_dt", "idle"), ("created_dt", "absolute")])
def test_sessions_time_out(client, auth, db, app, column, limit):
    user = auth.login()
    hours = app.config["SESSION_MAX_HOURS"] + 1
    with db.writing() as session:
        record = session.scalar(select(UserSession).where(UserSession.user_id == user["id"]))
        setattr(record, column, accounts.utcnow() - dt.timedelta(hours=hours))
    assert "Signed in as <strong>" not in client.get("/").get_data(as_text=True)
    with db.session() as session:
        record = session.scalar(select(UserSession).where(UserSession.user_id == user["id"]))
        assert record.ended_reason in ("idle", "expired")


def test_next_only_goes_to_local_pages(client, auth, make_user):
    user = make_user()
    token = auth.csrf_token()
    response = client.post(
        "/sign-in",
        data={"username": user["username"], "password": user["password"], "csrf_token": token, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_security_headers(client, auth):
    auth.login()
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self' 'nonce-"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_expired_csrf_token_on_sign_in_keeps_the_name_typed(client, make_user):
    user = make_user()
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"username": user["username"], "password": "x", "csrf_token": "expired-or-forged"}
    )
    page = response.get_data(as_text=True)
    assert "security token expired" in page
    assert f'value="{user["username"]}"' in page


@pytest.mark.parametrize("role, url, status", [
    (None, "/archive/testimonies/new", 401),
    (Role.RESEARCHER, "/archive/testimonies/new", 403),
    (Role.ARCHIVIST, "/admin/users", 403),
])
def test_a_failed_csrf_check_never_bypasses_the_guards(client, auth, role, url, status):
    if role:
        auth.login(role)
    response = client.post(url, data={"csrf_token": "stale", "title": "x", "username": "x"})
    assert response.status_code == status
