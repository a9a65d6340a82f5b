"""Printable transcripts: print views and PDFs of a testimony, a source and a selection."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from .. import queries
from ..models import JobKind, JobState
from ..services import transcripts
from . import current_viewer, database, db_session, jobs_queue, signed_in_viewer, view_as
from .public import gone_or_404

bp = Blueprint("printing", __name__)


def _options() -> transcripts.PrintOptions:
    return transcripts.PrintOptions.from_args(request.args)


def _testimony(public_id: str) -> transcripts.Transcript | None:
    document = transcripts.testimony_transcript(
        db_session(), current_viewer(), public_id, _options(), base_url=request.url_root
    )
    if document is None:
        gone_or_404(public_id)
    return document


def _source(key: str) -> transcripts.Transcript:
    document = transcripts.source_transcript(db_session(), current_viewer(), key, _options(), base_url=request.url_root)
    if document is None:
        abort(404)
    return document


def _selection() -> transcripts.Transcript:
    try:
        ids = transcripts.parse_selection_ids(request.args.get("ids", ""))
        return transcripts.selection_transcript(
            db_session(), current_viewer(), ids, _options(),
            title=request.args.get("title", ""), base_url=request.url_root,
        )
    except transcripts.SelectionRefused as refusal:
        status = 404 if refusal.unprintable and "cannot be printed" in refusal.message else 400
        abort(Response(render_template("print/refused.html", refusal=refusal), status))


def _html(document: transcripts.Transcript, back: str, pdf_endpoint: str, **values) -> str:
    # The toolbar's links keep the audience staff asked to see the print as (web/__init__.py, `_view_as`).
    args = {key: value for key, value in request.args.items() if key in ("ids", "title", "view_as")}
    toolbar = {
        "back": back,
        "pdf": url_for(pdf_endpoint, **values, **args, **document.options.query()),
        "options": {
            placement: url_for(request.endpoint, **values, **args, **document.options.query(translation=placement))
            for placement in ("after", "beside", "none")
        },
    }
    if signed_in_viewer().is_staff:
        # Staff may see the print as each audience gets it (web/__init__.py, `_view_as`).
        toolbar["audiences"] = {
            label: url_for(request.endpoint, **values, **{**args, "view_as": audience}, **document.options.query())
            for audience, label in ((None, "your own view"), ("public", "the public"), ("researcher", "a researcher"))
        }
        toolbar["audience"] = {None: "your own view", "public": "the public", "researcher": "a researcher"}[view_as()]
    return transcripts.render_html(
        document, static_url=url_for("static", filename=""), for_pdf=False, toolbar=toolbar
    )


def _pdf(kind: str, key: str, build, variant: str = "") -> Response:
    """The PDF when it is cached for this viewer; otherwise a job renders it and the reader is
    sent to the job's page (rendering never happens inside the request)."""
    viewer, options, instance = current_viewer(), _options(), current_app.config["INSTANCE_PATH"]
    printable, pdf = transcripts.cached_pdf(instance, db_session(), viewer, kind, key, options, request.url_root,
                                            variant=variant)
    if not printable:
        # Not printable for this viewer: a selection's builder says which ids it refuses.
        build()
        abort(404)
    if pdf is None:
        params = {"kind": kind, "key": key, "title": variant, "options": options.token,
                  "access": viewer.access.value, "base_url": request.url_root}
        token = jobs_queue().submit(JobKind.PDF, params, viewer.user_id)
        # A queue that runs jobs at once (immediate mode) has the file ready already.
        printable, pdf = transcripts.cached_pdf(instance, db_session(), viewer, kind, key, options,
                                                request.url_root, variant=variant)
        if pdf is None:
            return _job_answer(token)
    return _pdf_response(pdf)


def _job_answer(token: str):
    """Where the reader waits for their PDF: the job's page (or, when the job already failed, the
    reason: say a PDF engine is missing)."""
    # A session of its own: the request's began before the job ran, and may not see its end.
    with database().session() as session:
        job = queries.get_job(session, current_viewer(), token)
    if job is not None and job.state is JobState.FAILED:
        return Response(render_template("print/unavailable.html", reason=job.error), 503, {"Retry-After": "3600"})
    return redirect(url_for("jobs.job", token=token), 303)


def _pdf_response(pdf: transcripts.CachedPdf) -> Response:
    response = current_app.response_class(pdf.path.read_bytes(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{pdf.filename}"'
    response.headers["X-Content-SHA256"] = pdf.content_sha256
    # A print is cut to its viewer: no shared cache may hand it to someone else.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/t/<public_id>/transcript")
def transcript(public_id: str):
    """Print view of one testimony (the browser's Print gives the same layout)."""
    document = _testimony(public_id)
    return _html(document, url_for("public.testimony", public_id=public_id), "printing.transcript_pdf", public_id=public_id)


@bp.get("/t/<public_id>/transcript.pdf")
def transcript_pdf(public_id: str):
    """One testimony as a PDF, cut to the viewer's access level."""
    return _pdf("testimony", public_id, lambda: _testimony(public_id))


@bp.get("/sources/<key>/transcript")
def source_transcript(key: str):
    """Print view of a source as published: its framing and the testimony it quotes, in order."""
    document = _source(key)
    return _html(document, url_for("public.source", key=key), "printing.source_transcript_pdf", key=key)


@bp.get("/sources/<key>/transcript.pdf")
def source_transcript_pdf(key: str):
    """A source as published, as a PDF."""
    return _pdf("source", key, lambda: _source(key))


@bp.get("/print/selection")
def selection():
    """Print view of several testimonies (a hand-picked list or a page of results)."""
    return _html(_selection(), url_for("public.index"), "printing.selection_pdf")


@bp.get("/print/selection.pdf")
def selection_pdf():
    """Several testimonies as one PDF with a table of contents."""
    try:
        ids = ",".join(transcripts.parse_selection_ids(request.args.get("ids", "")))
    except transcripts.SelectionRefused:
        ids = ""
    return _pdf("selection", ids, _selection, variant=request.args.get("title", "")) if ids else _selection()
