"""Printable transcripts: print views and PDFs of a testimony, a source and a selection."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..services import transcripts
from . import current_viewer, db_session

bp = Blueprint("printing", __name__)


def _options() -> transcripts.PrintOptions:
    return transcripts.PrintOptions.from_args(request.args)


def _testimony(public_id: str) -> transcripts.Transcript | None:
    document = transcripts.testimony_transcript(
        db_session(), current_viewer(), public_id, _options(), base_url=request.url_root
    )
    if document is None:
        abort(404)
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
    args = {key: value for key, value in request.args.items() if key in ("ids", "title")}
    toolbar = {
        "back": back,
        "pdf": url_for(pdf_endpoint, **values, **args, **document.options.query()),
        "options": {
            placement: url_for(request.endpoint, **values, **args, **document.options.query(translation=placement))
            for placement in ("after", "beside", "none")
        },
    }
    return transcripts.render_html(
        document, static_url=url_for("static", filename=""), for_pdf=False, toolbar=toolbar
    )


def _pdf(kind: str, key: str, build, variant: str = "") -> Response:
    try:
        pdf = transcripts.pdf_for(
            current_app.config["INSTANCE_PATH"], db_session(), current_viewer(), kind, key, _options(),
            request.url_root, build, variant=variant,
        )
    except transcripts.PdfUnavailable as error:
        return Response(render_template("print/unavailable.html", reason=str(error)), 503, {"Retry-After": "3600"})
    if pdf is None:
        abort(404)
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
