"""Accounts: sign-in checks, server-side sessions and their endings, throttling, last admin."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.models import Role, User
from catalog.services import accounts
from catalog.services.users import create_user
from catalog.services.write import Rejected

LIMITS = accounts.SessionLimits(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=8))


@pytest.fixture
def user(session) -> User:
    return create_user(session, "amina", "a long enough password", Role.ARCHIVIST)


def test_session_token_is_stored_only_as_a_hash(session, user):
    token = accounts.start_session(session, user)
    from catalog.models import UserSession

    record = session.query(UserSession).one()
    assert token not in record.token_sha256 and record.token_sha256 == accounts.token_hash(token)
    assert accounts.resume_session(session, token, LIMITS) is user


def test_idle_and_absolute_timeouts(session, user):
    now = accounts.utcnow()
    token = accounts.start_session(session, user, now=now)
    assert accounts.resume_session(session, token, LIMITS, now=now + dt.timedelta(minutes=29)) is user
    assert accounts.resume_session(session, token, LIMITS, now=now + dt.timedelta(minutes=61)) is None
    # Once ended, it stays ended.
    assert accounts.resume_session(session, token, LIMITS, now=now + dt.timedelta(minutes=62)) is None
    busy = accounts.start_session(session, user, now=now)
    for minutes in range(25, 8 * 60, 25):
        assert accounts.resume_session(session, busy, LIMITS, now=now + dt.timedelta(minutes=minutes)) is user
    assert accounts.resume_session(session, busy, LIMITS, now=now + dt.timedelta(hours=8, minutes=5)) is None


def test_deactivation_and_role_change_end_sessions(session, user):
    token = accounts.start_session(session, user)
    accounts.change_role(session, user, Role.RESEARCHER)
    assert accounts.resume_session(session, token, LIMITS) is None
    token = accounts.start_session(session, user)
    accounts.set_active(session, user, False)
    assert accounts.resume_session(session, token, LIMITS) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(session, "amina", "a long enough password")


def test_last_admin_cannot_be_demoted_or_deactivated(session):
    admin = create_user(session, "root", "a long enough password", Role.ADMIN)
    with pytest.raises(Rejected):
        accounts.change_role(session, admin, Role.ARCHIVIST)
    with pytest.raises(Rejected):
        accounts.set_active(session, admin, False)
    create_user(session, "second", "a long enough password", Role.ADMIN)
    accounts.change_role(session, admin, Role.ARCHIVIST)


def test_throttle_counts_failures_per_name(session, user):
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(accounts.SignInRefused):
            accounts.authenticate(session, "amina", "wrong")
    assert accounts.authenticate(session, "amina", "a long enough password") is user
    with pytest.raises(accounts.SignInRefused):
        accounts.authenticate(session, "amina", "wrong")
    with pytest.raises(accounts.SignInRefused, match="Too many"):
        accounts.authenticate(session, "amina", "a long enough password")


def test_password_change_ends_sessions(session, user):
    token = accounts.start_session(session, user)
    with pytest.raises(Rejected):
        accounts.set_password(session, user, "short")
    accounts.set_password(session, user, "another long password")
    assert accounts.resume_session(session, token, LIMITS) is None
    assert accounts.authenticate(session, "amina", "another long password") is user


def test_cli_changes_role_and_deactivates(runner, make_user, db):
    from catalog.cli import main

    target = make_user(Role.ARCHIVIST)
    assert runner.invoke(main, ["user", "role", target["username"], "researcher"]).exit_code == 0
    result = runner.invoke(main, ["user", "deactivate", target["username"]])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["user", "deactivate", "nobody"]).exit_code != 0
    with db.session() as session:
        user = session.get(User, target["id"])
        assert (user.role, user.is_active) == (Role.RESEARCHER, False)
