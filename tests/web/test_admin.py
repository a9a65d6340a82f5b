"""Admins manage accounts on the web; nobody else can."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.models import Role, User
from tests.conftest import AuthActions, csrf_token_from


@pytest.mark.parametrize("role, status", [(None, 302), (Role.RESEARCHER, 403), (Role.ARCHIVIST, 403), (Role.ADMIN, 200)])
def test_only_admins_manage_users(client, auth, role, status):
    if role:
        auth.login(role)
    assert client.get("/admin/users").status_code == status


def test_admin_creates_a_user_who_can_sign_in(app, client, auth, make_user, db):
    auth.login(Role.ADMIN)
    token = csrf_token_from(client.get("/admin/users").data)
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "amina", "display_name": "Amina R.", "role": "archivist",
        "password": "a long enough password", "confirm": "a long enough password",
    })
    assert response.status_code == 302
    other = app.test_client()
    assert AuthActions(other, make_user).sign_in("amina", "a long enough password").status_code == 302


def test_create_errors_keep_what_was_typed(client, auth, db):
    auth.login(Role.ADMIN)
    token = csrf_token_from(client.get("/admin/users").data)
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "bad name!", "display_name": "Kept Name", "role": "researcher",
        "password": "a long enough password", "confirm": "different",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The two passwords differ." in page and 'value="Kept Name"' in page
    with db.session() as session:
        assert session.scalar(select(User).where(User.display_name == "Kept Name")) is None


def test_change_role_and_deactivate_end_the_users_sessions(app, client, auth, make_user, db):
    auth.login(Role.ADMIN)
    target = make_user(Role.ARCHIVIST)
    theirs = app.test_client()
    AuthActions(theirs, make_user).sign_in(target["username"], target["password"])
    assert theirs.get("/archive/").status_code == 200
    token = csrf_token_from(client.get("/admin/users").data)
    client.post(f"/admin/users/{target['id']}/role", data={"csrf_token": token, "role": "researcher"})
    assert theirs.get("/archive/").status_code == 302  # signed out: must sign in again
    AuthActions(theirs, make_user).sign_in(target["username"], target["password"])
    assert theirs.get("/archive/").status_code == 403  # now a researcher
    client.post(f"/admin/users/{target['id']}/deactivate", data={"csrf_token": token})
    assert "Signed in as <strong>" not in theirs.get("/").get_data(as_text=True)
    with db.session() as session:
        assert session.get(User, target["id"]).is_active is False


def test_admin_cannot_remove_the_last_admin(client, auth, db):
    admin = auth.login(Role.ADMIN)
    token = csrf_token_from(client.get("/admin/users").data)
    response = client.post(f"/admin/users/{admin['id']}/deactivate", data={"csrf_token": token}, follow_redirects=True)
    assert "last active admin" in response.get_data(as_text=True)
    with db.session() as session:
        assert session.get(User, admin["id"]).is_active
