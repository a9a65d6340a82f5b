"""Signing in."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from .base import BaseForm, PlainText, TextField


class LoginForm(BaseForm):
    username = TextField(
        "User name", validators=[PlainText(80, is_name=True, required=True)],
        description="The name your administrator gave you.",
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
