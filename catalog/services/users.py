"""Accounts: creating users with hashed passwords."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..models import Role, User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


class UserRejected(ValueError):
    pass


def create_user(session: Session, username: str, password: str, role: Role, display_name: str = "") -> User:
    """A new active user; the password is stored only as a salted hash."""
    if not USERNAME.match(username):
        raise UserRejected("username: use 2 to 80 letters, digits, dots, hyphens or underscores.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserRejected(f"username: {username!r} is already taken.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserRejected(f"password: use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserRejected(f"password: use at most {MAX_PASSWORD_LENGTH} characters.")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user
