"""Bulk entry: a JSON or CSV file, checked first (dry run) and then imported all at once."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, TextAreaField

from .base import BaseForm, choice


class ImportForm(BaseForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")],
                     description="The catalog’s JSON format (as catalog export writes it), or CSV with one row per segment.")
    format = SelectField("Format", choices=[choice("auto", "from the file name"), choice("json", "JSON"), choice("csv", "CSV")], default="auto")
    dry_run = BooleanField("Only check the file (dry run)", default=True,
                           description="Reports every problem by row and field and saves nothing. Untick to import.")
    sealed_override = TextAreaField(
        "Import words naming a sealed identity anyway, because…",
        description="Leave empty: words naming a protected person whose identity is sealed are refused, each "
                    "named by row and field. With a reason, they are imported and every record that has them "
                    "records your name and this reason in its history.")
