"""The base form every form extends.

Forms carry what was typed, the CSRF token and the record's version; they hold no rules. Each
record form builds the write path's typed input (`to_input()`), and the write path's problems come
back to the field they concern (`show_problems()`), so a form refuses exactly what an import refuses.
"""

from __future__ import annotations

from typing import Any, Union

from flask import g
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import StopValidation

from ..services.write import Problems, Rejected

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core as widgets_core

#: WTForms' own `html_params`, kept for the test that holds the faster one to its output.
WTFORMS_HTML_PARAMS = widgets_core.html_params


def html_params(**kwargs) -> Markup:
    """The attributes of an HTML tag, exactly as WTForms' `html_params` writes them (sorted by name;
    True gives a bare attribute, False none; names and values escaped), built with plain string
    formatting. WTForms builds each attribute with `Markup.format`, which was two thirds of the time
    spent rendering a testimony's edit form (about a thousand attributes, most of them options)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widgets_core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{escape(value)}"')
    return Markup(" ".join(params))


# WTForms' widgets look `html_params` up in their module when they render, labels in the package.
widgets_core.html_params = widgets.html_params = html_params

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


class BaseForm(FlaskForm):
    """Every catalog form: CSRF on, with a clear message when the token has run out."""

    #: The form's field names for the write path's names where they differ ("events_date" is
    #: typed in "events_date_edtf").
    FIELD_NAMES: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Problems about a whole list ("Name the speaker" for the roles), by the list's name.
        self.section_errors: dict[str, list[str]] = {}

    def field_id(self, path: tuple) -> str:
        """The id of the field a write-path problem concerns: ("roles", 0, "new_agent", "name")
        is typed in "roles-0-new_agent_name"."""
        parts: list[str] = []
        index = 0
        while index < len(path):
            part = path[index]
            if part in ("new_agent", "new_occasion", "new_source", "scope") and index + 1 < len(path):
                part = f"{part}_{path[index + 1]}"
                index += 1
            parts.append(str(self.FIELD_NAMES.get(part, part)) if isinstance(part, str) else str(part))
            index += 1
        # A form used with a prefix (two on one page) names its fields "delete-reason".
        return getattr(self, "_prefix", "") + "-".join(parts)

    def show_problems(self, rejected: Rejected) -> None:
        """Put each problem under its own field; a problem about a whole list goes above the list,
        and one no field shows goes to the top of the form."""
        for problem in rejected.problems:
            field_id = self.field_id(problem.path)
            field = self.field_by_id(field_id)
            if field is not None and not hasattr(field, "entries"):
                field.errors = [*field.errors, problem.message] if isinstance(field.errors, list) else [problem.message]
            elif field is not None or field_id in self._fields:
                self.section_errors.setdefault(field_id, []).append(problem.message)
            else:
                self.form_errors.append(problem.message)
        if rejected.sealed and hasattr(self, "sealed_override_chosen"):
            #: Words naming a sealed identity were refused: the form now offers "Save anyway".
            self.sealed_offered = True

    @staticmethod
    def reference(value: Any) -> Union[int, str, None]:
        """A picker's value as a reference: a record's id, or None when nothing was picked."""
        value = (value or "").strip() if isinstance(value, str) else value
        if value in (None, ""):
            return None
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else value

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
        """Field errors by field name, without the CSRF field; problems about a whole list too."""
        errors = {name: errors for name, errors in self._flat_errors() if name not in ("csrf_token", None)}
        return {**errors, **getattr(self, "section_errors", {})}

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


class SealedOverride:
    """“Save anyway” for words naming a protected person whose identity is sealed: offered once
    the write path has refused them; the reason is recorded, with who saved, in the history."""

    sealed_override_chosen = BooleanField(
        "Save anyway, naming the sealed identity",
        description="Only when the person agreed to be named here, or the words must stand as they are.")
    sealed_override = TextAreaField("Why these words may name them",
                                    description="Recorded with your name in the record’s history.")
    sealed_offered = False

    def sealed_reason(self):
        """The reason to pass to the write path, or None when "Save anyway" is not chosen."""
        return (self.sealed_override.data or "") if self.sealed_override_chosen.data else None


class SubForm(Form):
    """A group of fields repeated inside a BaseForm (a segment, a role, a name); the enclosing
    form carries the CSRF token."""


class RuleCheck:
    """A write-path rule used on a form that writes nothing (the sign-in name): the same rule, the
    same message."""

    def __init__(self, rule, **options) -> None:
        self.rule = rule
        self.options = options

    def __call__(self, form, field) -> None:
        problems = Problems()
        field.data = self.rule(problems, field.name, field.data, **self.options)
        if problems:
            raise StopValidation(problems.found[0].message)


class TextField(StringField):
    """A one-line text field whose data is never None."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""


class CheckboxesField(SelectMultipleField):
    """Several choices of a short list, each a checkbox (none ticked: none chosen). The write
    path checks the values, as it does every picker's."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


class LongTextField(TextAreaField):
    """Multi-line plain text, kept exactly as typed (the browser's CRLF made LF)."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0].replace("\r\n", "\n") if valuelist else ""


class RichTextField(TextAreaField):
    """Editorial rich text, kept as typed until it is saved: the write path refuses markup that
    could run (naming it) and cleans the rest with `sanitize_html`."""
