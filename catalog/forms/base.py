"""The base form every form extends, and the field rules shared by all of them.

Text fields validate through `catalog.text.clean_text` (NFC, no NUL or control characters, no bidi
overrides in names, a length limit) and keep what was typed otherwise untouched; URL fields refuse
anything but http(s) and mailto; EDTF fields name what is wrong with a date; rich-text fields are
cleaned by `catalog.sanitize.sanitize_html` and nowhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import g
from flask_wtf import FlaskForm
from wtforms import Field, Form, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from .. import dates
from ..sanitize import sanitize_html
from ..text import TextRejected, clean_text

try:  # WTForms 3.3 declares options as SelectChoice; tuples are deprecated there.
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choice(value: str, label: str):
    """One option of a select, in the form the installed WTForms prefers."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


#: Shown when a form's CSRF token expired (or was missing) while the archivist was working.
CSRF_EXPIRED_MESSAGE = (
    "This form’s security token expired while you were working. Nothing was saved, and everything "
    "you typed is shown below: check it and save again."
)
#: URL schemes a link may use; javascript:, data:, vbscript: and the rest are refused.
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_INVISIBLE = re.compile(r"[\s\x00-\x1f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


class BaseForm(FlaskForm):
    """Every catalog form: CSRF on, with a clear message when the token has run out."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and (csrf.errors or g.get("csrf_failed")):
            # Keep one plain message instead of the library's terse ones.
            csrf.errors = [CSRF_EXPIRED_MESSAGE]
            return False
        return valid

    @property
    def csrf_expired(self) -> bool:
        csrf = getattr(self, "csrf_token", None)
        return bool(csrf is not None and csrf.errors)

    def typed_errors(self) -> dict[str, list[str]]:
        """Field errors by field name, without the CSRF field."""
        return {name: errors for name, errors in self._flat_errors() if name not in ("csrf_token", None)}

    def _flat_errors(self):
        """(field id, messages) for every field with errors, nested lists included."""
        def walk(fields):
            for field in fields:
                if hasattr(field, "entries"):
                    for entry in field.entries:
                        yield from walk(entry.form if hasattr(entry, "form") else [entry])
                elif field.errors:
                    yield field.id, list(field.errors)

        yield from walk(self)

    def field_by_id(self, field_id: str):
        def walk(fields):
            for field in fields:
                if field.id == field_id:
                    return field
                if hasattr(field, "entries"):
                    for entry in field.entries:
                        found = walk(entry.form if hasattr(entry, "form") else [entry])
                        if found is not None:
                            return found
            return None

        return walk(self)


class SubForm(Form):
    """A group of fields repeated inside a BaseForm (a segment, a role, a name); the enclosing
    form carries the CSRF token."""


class PlainText:
    """Plain text as typed: NFC, no NUL or control characters, at most `max_length` characters;
    with `is_name`, no bidi override characters either. Replaces the field's data by its NFC form."""

    def __init__(self, max_length: int, is_name: bool = False, required: bool = False) -> None:
        self.max_length = max_length
        self.is_name = is_name
        self.required = required
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form, field: Field) -> None:
        value = field.data or ""
        try:
            value = clean_text(value, field.label.text, max_length=self.max_length, is_name=self.is_name)
        except TextRejected as error:
            problem = str(error)[len(error.field) + 2 :]
            raise StopValidation(f"This field {problem}")
        if self.required and not value.strip():
            raise StopValidation("This field is required.")
        field.data = value


class NoMarkup:
    """Names, titles and keys are plain text: something that looks like an HTML tag is refused
    (a witness's words may contain anything and are only ever escaped; a name never needs a tag)."""

    _TAG = re.compile(r"<\s*[A-Za-z/!?]")

    def __call__(self, form, field: Field) -> None:
        match = self._TAG.search(field.data or "")
        if match:
            raise ValidationError("This is plain text: remove the markup (text starting with “<”).")


class Language:
    """A BCP 47 language tag such as en, fa, fa-Latn or pt-BR."""

    _TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

    def __init__(self, required: bool = True) -> None:
        self.required = required

    def __call__(self, form, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            if self.required:
                raise StopValidation("Give a language tag such as en or fa.")
            field.data = ""
            return
        if not self._TAG.match(value):
            raise StopValidation(f"“{value[:40]}” is not a language tag; use one such as en, fa or fa-Latn.")
        field.data = value


class SafeURL:
    """An http(s) or mailto URL, or a shelf mark (no scheme); never javascript:, data: and the like."""

    def __call__(self, form, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        probe = _INVISIBLE.sub("", value).lower()
        scheme = urlsplit(probe).scheme if ":" in probe else ""
        if re.match(r"^[a-z][a-z0-9+.-]*:", probe) and scheme not in SAFE_URL_SCHEMES:
            raise ValidationError(
                f"Links may use http, https or mailto only; “{scheme}:” links are refused."
            )
        field.data = value


class EDTF:
    """An EDTF date; the error says what is wrong ("1988-13 is not a valid month")."""

    def __call__(self, form, field: Field) -> None:
        try:
            parsed = dates.parse(field.data, field.label.text)
        except dates.InvalidDate as error:
            raise ValidationError(f"“{error.value}” is not a valid EDTF date: {error.problem}.") from None
        field.data = parsed.text if parsed else ""


class TextField(StringField):
    """A one-line text field whose data is never None."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""


class LongTextField(TextAreaField):
    """Multi-line plain text, kept exactly as typed (the browser's CRLF made LF)."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0].replace("\r\n", "\n") if valuelist else ""


#: What editorial HTML may never carry; named back to the archivist instead of silently dropped.
_UNSAFE_HTML = re.compile(
    r"<\s*(?P<tag>script|style|iframe|object|embed|svg|math|form|input|link|meta|base|frame|img)\b"
    r"|\s(?P<handler>on[a-z]+)\s*="
    r"|(?:href|src|action|xlink:href)\s*=\s*[\"']?\s*(?P<scheme>javascript|data|vbscript)\s*:",
    re.IGNORECASE,
)


class RichTextField(TextAreaField):
    """Editorial rich text. Dangerous markup gets a field error naming it (the typed text is kept
    for correction); whatever is saved leaves through `sanitize_html`."""

    def pre_validate(self, form):
        match = _UNSAFE_HTML.search(self.data or "")
        if match:
            if match["tag"]:
                what = f"the <{match['tag'].lower()}> element"
            elif match["handler"]:
                what = f"the event-handler attribute {match['handler'].lower()}="
            else:
                what = f"a {match['scheme'].lower()}: link"
            raise StopValidation(
                f"Editorial text may not contain {what}. Allowed: paragraphs, emphasis, lists, quotations, "
                "citations and http, https or mailto links."
            )

    def post_validate(self, form, validation_stopped):
        if not self.errors:
            self.data = sanitize_html(self.data or "")
