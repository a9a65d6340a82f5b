"""Signing in."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..services.write import rules
from .base import BaseForm, RuleCheck, TextField


class LoginForm(BaseForm):
    username = TextField(
        "User name", validators=[RuleCheck(rules.name, max_length=80, required=True)],
        description="The name your administrator gave you.",
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
