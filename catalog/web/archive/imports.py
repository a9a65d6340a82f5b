"""Bulk import of JSON and CSV files, and the CSV template."""

from __future__ import annotations

from flask import render_template, request

from .. import db_session
from . import actor, bp


# --- bulk import --------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Import a JSON or CSV file: a dry run reports every problem; the import is all-or-nothing."""
    import json as json_module

    from ...forms.imports import ImportForm
    from ...services import csv_import
    from ...services.ingest import ImportRejected, load_catalog

    form = ImportForm()
    result = None
    status = 200
    if request.method == "POST":
        if not form.validate():
            return render_template("archive/import.html", form=form, result=None, columns=csv_import.COLUMNS), 400
        upload = form.file.data
        filename = (upload.filename or "").lower()
        fmt = form.format.data if form.format.data != "auto" else ("csv" if filename.endswith(".csv") else "json")
        raw = upload.read(csv_import.MAX_BYTES + 1)
        session = db_session()
        problems: list[str] = []
        created: dict = {}
        skipped: dict = {}
        try:
            if fmt == "csv":
                report = csv_import.import_csv(session, raw, actor(), dry_run=form.dry_run.data)
                created, skipped = report.created, report.skipped
            else:
                try:
                    data = json_module.loads(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, ValueError) as error:
                    raise csv_import.CsvRejected([f"file: not valid JSON ({error})."]) from None
                loaded = load_catalog(session, data, actor())
                created, skipped = dict(loaded.created), dict(loaded.skipped)
        except csv_import.CsvRejected as rejected:
            problems = rejected.problems
        except ImportRejected as rejected:
            problems = [str(p) for p in rejected.problems]
        if problems or form.dry_run.data:
            session.rollback()
        else:
            session.commit()
        status = 400 if problems else 200
        result = {"format": fmt, "dry_run": form.dry_run.data, "problems": problems, "created": created,
                  "skipped": skipped, "filename": upload.filename}
    return render_template("archive/import.html", form=form, result=result, columns=csv_import.COLUMNS), status


@bp.get("/import/template.csv")
def import_template():
    """An empty CSV with the import's columns, to fill in a spreadsheet."""
    from ...services import csv_import

    return csv_import.template_header(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=testimony-import-template.csv",
    }
