"""Job pages: how far a job got, then its result or why it failed. They refresh themselves while
the job runs (no script needed), and a small JSON status serves the optional script."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template

from .. import queries
from ..forms.imports import ImportForm
from ..models import JobKind
from ..services.transcripts.cache import cache_folder
from . import current_viewer, db_session

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

#: Seconds between two refreshes of a running job's page.
REFRESH_SECONDS = 2


def _job_or_404(token: str) -> queries.JobRecord:
    job = queries.get_job(db_session(), current_viewer(), token)
    if job is None:
        abort(404)
    return job


def _no_store(response):
    # A job's page may name restricted records and is its asker's alone: no cache keeps it.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<token>")
def job(token: str):
    """A job's progress, then its result or the reason it failed."""
    record = _job_or_404(token)
    next_import = None
    if record.kind is JobKind.IMPORT and record.is_over and current_viewer().is_staff:
        # The next file is checked first too, unless the archivist unticks the box again.
        next_import = ImportForm(formdata=None, data={"dry_run": True})
    html = render_template("jobs/job.html", job=record, refresh=None if record.is_over else REFRESH_SECONDS,
                           may_download=record.serves(current_viewer()), import_form_=next_import)
    return _no_store(current_app.make_response(html))


@bp.get("/<token>/status.json")
def job_status(token: str):
    """A job's state as JSON, for the page's optional script."""
    record = _job_or_404(token)
    return _no_store(jsonify({
        "state": record.state.value, "done": record.progress_done, "total": record.progress_total,
        "stage": record.stage, "error": record.error, "over": record.is_over,
    }))


@bp.get("/<token>/file")
def job_file(token: str):
    """A print job's PDF, only for a viewer of exactly the access level it was made for."""
    record = _job_or_404(token)
    if not record.serves(current_viewer()) or record.result is None or not record.result.get("file"):
        abort(404)
    path = cache_folder(current_app.config["INSTANCE_PATH"]) / Path(record.result["file"]).name
    if not path.is_file():
        abort(410, "This PDF is no longer kept; ask for it again from its page.")
    response = current_app.response_class(path.read_bytes(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{record.result.get("filename") or "transcript.pdf"}"'
    response.headers["X-Content-SHA256"] = record.result.get("sha256", "")
    return _no_store(response)
