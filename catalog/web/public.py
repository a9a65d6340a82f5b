"""Reading: what anyone may see, through the visibility layer only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .. import queries
from . import current_viewer, db_session

bp = Blueprint("public", __name__)

PAGE_SIZE = 50


@bp.get("/")
def index():
    """Home page: the published testimonies the viewer may see."""
    viewer = current_viewer()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    session = db_session()
    total = queries.count_testimonies(session, viewer)
    testimonies = queries.list_testimonies(session, viewer, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "public/index.html", testimonies=testimonies, total=total, page=page, page_size=PAGE_SIZE
    )


@bp.get("/t/<public_id>")
def testimony(public_id: str):
    """One testimony: its metadata, then its text with every kind of segment labelled."""
    record = queries.get_testimony(db_session(), current_viewer(), public_id)
    if record is None:
        abort(404)
    return render_template("public/testimony.html", t=record)


@bp.get("/sources/<key>")
def source(key: str):
    """A source read as published: its framing and the testimonies it quotes, in order."""
    record = queries.get_source(db_session(), current_viewer(), key)
    if record is None:
        abort(404)
    return render_template("public/source.html", source=record)
