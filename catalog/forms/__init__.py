"""Forms: every one extends `BaseForm`; each field says what it is for in `description=`."""

from .base import (
    BaseForm, EDTF, Language, LongTextField, NoMarkup, PlainText, RichTextField, SafeURL, SubForm, TextField,
)
from .auth import LoginForm

__all__ = [
    "BaseForm", "EDTF", "LoginForm", "LongTextField", "PlainText", "RichTextField", "SafeURL",
    "TextField",
]
