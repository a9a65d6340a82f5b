"""People who sign in: admins, archivists and researchers."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Role, Timestamp, enum_column, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    #: werkzeug's salted hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    last_login_dt: Mapped[Optional[dt.datetime]] = mapped_column(Timestamp())

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role.value}>"
