"""Forms: every one extends `BaseForm`; each field says what it is for in `description=`."""

from .auth import LoginForm
from .base import BaseForm, LongTextField, RichTextField, RuleCheck, SubForm, TextField

__all__ = ["BaseForm", "LoginForm", "LongTextField", "RichTextField", "RuleCheck", "SubForm", "TextField"]
