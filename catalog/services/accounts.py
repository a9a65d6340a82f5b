"""Accounts and sign-in: passwords checked against hashes, server-side sessions, throttling.

The browser holds only a random token; the server keeps its SHA-256 in `user_sessions`, so a
session ends for good when the user signs out, is deactivated, or stays idle too long — a signed
cookie alone could not be revoked. Nothing here touches Flask; the web layer passes in the clock
and the limits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import LoginAttempt, Role, User, UserSession
from ..models.base import utcnow
from .write import Problems, Rejected
from .write.users import MAX_PASSWORD_LENGTH, password as password_rule

#: Failed sign-ins allowed for one name, or from one address, within the window below.
MAX_FAILURES = 5
#: How far back failures count; after this long without one, the name may try again.
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: How long sign-in attempts are kept (for throttling and review).
ATTEMPTS_KEPT = dt.timedelta(days=30)
#: Checked against when the name is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password anybody has")


class SignInRefused(Exception):
    """Wrong name or password, inactive account, or too many failures; the message says which
    (without telling whether a name exists)."""


@dataclass(frozen=True)
class SessionLimits:
    idle: dt.timedelta
    absolute: dt.timedelta


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_throttled(session: Session, username: str, remote_addr: str, now: dt.datetime | None = None) -> bool:
    """True when the name or the address has failed too often lately."""
    since = (now or utcnow()) - FAILURE_WINDOW
    failures = lambda column, value: session.scalar(  # noqa: E731
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_dt >= since)
    )
    by_name = failures(LoginAttempt.username, username.lower())
    by_addr = failures(LoginAttempt.remote_addr, remote_addr) if remote_addr else 0
    return by_name >= MAX_FAILURES or by_addr >= MAX_FAILURES * 4


def authenticate(
    session: Session, username: str, password: str, remote_addr: str = "", now: dt.datetime | None = None
) -> User:
    """The active user with that name and password, or SignInRefused. Every attempt is recorded."""
    now = now or utcnow()
    name = username.strip()[:80]
    if is_throttled(session, name, remote_addr, now):
        # Refused before the password is looked at, so guessing on cannot succeed.
        raise SignInRefused(
            "Too many failed sign-ins for this name or from this address. "
            f"Wait {int(FAILURE_WINDOW.total_seconds() // 60)} minutes and try again."
        )
    user = session.scalar(select(User).where(User.username == name))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(username=name.lower(), remote_addr=remote_addr[:64], succeeded=ok, attempted_dt=now))
    # Attempts only matter for throttling (and a short look back); old ones are not kept.
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_dt < now - ATTEMPTS_KEPT))
    session.flush()
    if not ok:
        raise SignInRefused("That name and password do not match an active account.")
    user.last_login_dt = now
    return user


def start_session(session: Session, user: User, remote_addr: str = "", now: dt.datetime | None = None) -> str:
    """Open a server-side session for the user; returns the token for the browser to hold."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_sha256=token_hash(token), user_id=user.id, created_dt=now, last_seen_dt=now,
            remote_addr=remote_addr[:64],
        )
    )
    session.flush()
    return token


def resume_session(
    session: Session, token: str, limits: SessionLimits, now: dt.datetime | None = None
) -> User | None:
    """The user behind a token if its session is still open, active and within its timeouts.

    A session past a timeout is ended here (and stays ended). The caller commits so that
    `last_seen_dt` moves on; it is updated at most once a minute to spare the database.
    """
    now = now or utcnow()
    record = session.scalar(select(UserSession).where(UserSession.token_sha256 == token_hash(token)))
    if record is None or record.ended_dt is not None:
        return None
    user = record.user
    reason = None
    if not user.is_active:
        reason = "deactivated"
    elif now - _aware(record.created_dt) > limits.absolute:
        reason = "expired"
    elif now - _aware(record.last_seen_dt) > limits.idle:
        reason = "idle"
    if reason:
        record.ended_dt, record.ended_reason = now, reason
        return None
    if now - _aware(record.last_seen_dt) > dt.timedelta(minutes=1):
        record.last_seen_dt = now
    return user


def end_session(session: Session, token: str, reason: str = "signed out", now: dt.datetime | None = None) -> None:
    """End the session behind a token (signing out)."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_sha256 == token_hash(token), UserSession.ended_dt.is_(None))
        .values(ended_dt=now or utcnow(), ended_reason=reason)
    )


def end_user_sessions(session: Session, user_id: int, reason: str, now: dt.datetime | None = None) -> int:
    """End every open session of a user; returns how many were open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_dt.is_(None))
        .values(ended_dt=now or utcnow(), ended_reason=reason)
    )
    return result.rowcount or 0


def open_session_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user_id, UserSession.ended_dt.is_(None)
        )
    )


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
        )
    )


def change_role(session: Session, user: User, role: Role) -> None:
    """Give a user another role; their open sessions end so the new rights apply at once."""
    if user.role == Role.ADMIN and role != Role.ADMIN and user.is_active and not _other_active_admins(session, user):
        raise Rejected.one("role", "This is the last active admin; make someone else admin first.")
    if user.role != role:
        user.role = role
        end_user_sessions(session, user.id, "role changed")


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if not active and user.role == Role.ADMIN and user.is_active and not _other_active_admins(session, user):
        raise Rejected.one("active", "This is the last active admin; it cannot be deactivated.")
    user.is_active = active
    if not active:
        end_user_sessions(session, user.id, "deactivated")


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password; their sessions end, so a stolen session dies with the old one."""
    problems = Problems()
    password_rule(problems, "password", password)
    problems.raise_any()
    user.password_hash = generate_password_hash(password)
    end_user_sessions(session, user.id, "password changed")
