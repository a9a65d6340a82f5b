"""Server-side sign-in sessions and the record of sign-in attempts used for throttling.

The browser holds only a random token (inside Flask's signed cookie); the server keeps its hash,
so signing out, deactivating a user or an expiry ends the session no matter what the cookie says.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamp, utcnow


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token the browser holds; the token itself is never stored.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    #: Last request seen; a session idle for longer than the idle timeout is over.
    last_seen_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    #: Set when the session ended (sign-out, deactivation, timeout); an ended session never revives.
    ended_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())
    #: Why it ended: "signed out", "deactivated", "idle", "expired", "role changed".
    ended_reason: Mapped[str] = mapped_column(String(40), default="")
    #: Where it was opened from, for the account's own review.
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<UserSession user={self.user_id} {'ended' if self.ended_dt else 'open'}>"


class LoginAttempt(Base):
    """One sign-in attempt; repeated failures for a name or from an address slow further tries."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name as typed (lower-cased), whether or not such a user exists.
    username: Mapped[str] = mapped_column(String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="", index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.username!r} {'ok' if self.succeeded else 'failed'}>"
