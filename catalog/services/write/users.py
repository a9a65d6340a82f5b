"""Accounts: who may sign in, with which role. Passwords are stored only as salted hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ...models import Role, User
from . import rules
from .context import WriteContext
from .problems import Problems

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def password(problems: Problems, where, value: Any) -> str:
    """A password long enough to resist guessing, short enough to hash."""
    if not isinstance(value, str) or len(value) < MIN_PASSWORD_LENGTH:
        problems.add(where, f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    elif len(value) > MAX_PASSWORD_LENGTH:
        problems.add(where, f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    return value if isinstance(value, str) else ""


@dataclass
class UserInput:
    username: Any = None
    password: Any = None
    role: Any = Role.ARCHIVIST.value
    display_name: Any = ""

    def check(self, ctx: WriteContext, problems: Problems, existing: Any = None) -> None:
        name = rules.name(problems, "username", self.username, max_length=80, required=True)
        if name is not None and not USERNAME.match(name):
            problems.add("username", "Use 2 to 80 letters, digits, dots, hyphens or underscores.")
        elif name is not None and ctx.session.scalar(select(User.id).where(User.username == name)) is not None:
            problems.add("username", f"“{name}” is already taken.")
        self.username = name
        self.display_name = rules.name(problems, "display_name", self.display_name, max_length=200) or name
        self.role = rules.choice(problems, "role", self.role, Role, required=True)
        self.password = password(problems, "password", self.password)

    def apply(self, ctx: WriteContext, existing: Any = None) -> User:
        user = User(username=self.username, display_name=self.display_name or self.username,
                    password_hash=generate_password_hash(self.password), role=self.role)
        ctx.session.add(user)
        ctx.session.flush()
        return user
