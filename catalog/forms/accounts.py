"""Forms for managing accounts."""

from __future__ import annotations

from wtforms import PasswordField, SelectField
from wtforms.validators import EqualTo

from ..models import Role
from .base import BaseForm, TextField
from .records import vocabulary


class UserCreateForm(BaseForm):
    username = TextField("User name", description="2 to 80 letters, digits, dots, hyphens or underscores.")
    display_name = TextField("Name shown in the history")
    role = SelectField("Role", choices=vocabulary(Role), default="archivist",
                       description="Researchers read restricted material and edit nothing; archivists edit; admins also manage accounts.")
    password = PasswordField("Password",
                             description="At least 10 characters. Give it to the person by a safe channel.")
    confirm = PasswordField("Password again", validators=[EqualTo("password", message="The two passwords differ.")])


class UserRoleForm(BaseForm):
    role = SelectField("Role", choices=vocabulary(Role))


class UserActiveForm(BaseForm):
    """Deactivate or reactivate; only the CSRF token travels."""


class UserPasswordForm(BaseForm):
    password = PasswordField("New password")
