"""Bulk import of JSON and CSV files, and the CSV template."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...forms.imports import ImportForm
from ...models import JobKind
from ...services.imports import MAX_BYTES, csv_format
from .. import current_viewer, jobs_queue
from . import actor, bp


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Import a JSON or CSV file as a job: a dry run reports every problem; the import is all-or-nothing."""
    form = ImportForm()
    if request.method == "GET" or not form.validate():
        status = 400 if request.method == "POST" else 200
        return render_template("archive/import.html", form=form, columns=csv_format.COLUMNS), status
    upload = form.file.data
    queue = jobs_queue()
    who = actor()
    params = {
        "upload": queue.save_upload(upload.read(MAX_BYTES + 1)),
        "filename": upload.filename or "",
        # The format chosen on the form, as a file name the import reads it from.
        "format_hint": f"upload.{form.format.data}" if form.format.data != "auto" else "",
        "dry_run": bool(form.dry_run.data),
        "actor": who.label,
        "actor_id": who.user_id,
        "may_override_sealed": who.may_override_sealed,
        "sealed_override": (form.sealed_override.data or "").strip() or None,
    }
    token = queue.submit(JobKind.IMPORT, params, current_viewer().user_id)
    return redirect(url_for("jobs.job", token=token), 303)


@bp.get("/import/template.csv")
def import_template():
    """An empty CSV with the import's columns, to fill in a spreadsheet."""
    return csv_format.template_header(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=testimony-import-template.csv",
    }
