"""Forms for managing accounts."""

from __future__ import annotations

from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from ..models import Role
from .base import BaseForm, NoMarkup, PlainText, TextField
from .records import vocabulary


class UserCreateForm(BaseForm):
    username = TextField("User name", validators=[PlainText(80, is_name=True, required=True), NoMarkup()],
                         description="2 to 80 letters, digits, dots, hyphens or underscores.")
    display_name = TextField("Name shown in the history", validators=[PlainText(200, is_name=True), NoMarkup()])
    role = SelectField("Role", choices=vocabulary(Role), default="archivist",
                       description="Researchers read restricted material and edit nothing; archivists edit; admins also manage accounts.")
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10, max=1024)],
                             description="At least 10 characters. Give it to the person by a safe channel.")
    confirm = PasswordField("Password again", validators=[EqualTo("password", message="The two passwords differ.")])


class UserRoleForm(BaseForm):
    role = SelectField("Role", choices=vocabulary(Role))


class UserActiveForm(BaseForm):
    """Deactivate or reactivate; only the CSRF token travels."""


class UserPasswordForm(BaseForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=1024)])
