"""Accounts: creating users, through the write path's rule book for users."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Role, User
from .actors import Actor
from .write import Problems, UserInput, WriteContext

ACCOUNTS = Actor.system("accounts")


def create_user(session: Session, username: str, password: str, role: Role, display_name: str = "") -> User:
    """A new active user; the password is stored only as a salted hash. Raises `Rejected`."""
    user_input = UserInput(username=username, password=password, role=role, display_name=display_name)
    ctx = WriteContext(session, ACCOUNTS)
    problems = Problems()
    user_input.check(ctx, problems)
    problems.raise_any()
    return user_input.apply(ctx)
