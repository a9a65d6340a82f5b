"""Bulk import of JSON and CSV files, and the CSV template."""

from __future__ import annotations

from flask import render_template, request

from ...forms.imports import ImportForm
from ...services.imports import MAX_BYTES, csv_format, run_import
from .. import db_session
from . import actor, bp


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Import a JSON or CSV file: a dry run reports every problem; the import is all-or-nothing."""
    form = ImportForm()
    if request.method == "GET" or not form.validate():
        status = 400 if request.method == "POST" else 200
        return render_template("archive/import.html", form=form, result=None, columns=csv_format.COLUMNS), status
    upload = form.file.data
    filename = upload.filename or ""
    if form.format.data != "auto":
        filename = f"upload.{form.format.data}"
    session = db_session()
    result = run_import(session, upload.read(MAX_BYTES + 1), actor(), dry_run=form.dry_run.data, filename=filename)
    if result.ok and not result.dry_run:
        session.commit()
    else:
        session.rollback()
    # The next file is checked first too, unless the archivist unticks the box again.
    form.dry_run.data = True
    return render_template("archive/import.html", form=form, result=result, filename=upload.filename,
                           columns=csv_format.COLUMNS), 200 if result.ok else 400


@bp.get("/import/template.csv")
def import_template():
    """An empty CSV with the import's columns, to fill in a spreadsheet."""
    return csv_format.template_header(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=testimony-import-template.csv",
    }
