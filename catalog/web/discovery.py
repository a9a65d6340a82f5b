"""For search engines and harvesters: robots.txt and the sitemap of public records.

Both describe what the public may read, whoever asks: a signed-in archivist gets the same sitemap
as anyone, so nothing restricted is ever named in it.
"""

from __future__ import annotations

import math

from flask import Blueprint, Response, abort, render_template, url_for

from .. import queries
from ..models.base import as_utc
from . import db_session

bp = Blueprint("discovery", __name__)

#: URLs per sitemap file (the sitemap protocol's limit).
SITEMAP_SIZE = 50_000
#: The page each kind of record links to, and the name of its URL value.
_PAGES = {
    "testimonies": ("public.testimony", "public_id"),
    "sources": ("public.source", "key"),
    "people": ("public.agent", "key"),
    "places": ("public.place", "key"),
    "claims": ("public.claim", "key"),
}


def _xml(template: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Where crawlers are welcome, and where the sitemap is."""
    body = render_template("discovery/robots.txt", sitemap=url_for("discovery.sitemap_index", _external=True))
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemap index: one sitemap file per kind of record and SITEMAP_SIZE records."""
    session = db_session()
    files = [
        url_for("discovery.sitemap", kind=kind, page=page, _external=True)
        for kind in queries.sitemap.KINDS
        for page in range(1, math.ceil(queries.sitemap_count(session, kind) / SITEMAP_SIZE) + 1)
    ]
    return _xml("discovery/sitemap_index.xml", files=files)


@bp.get("/sitemaps/<kind>/<int:page>.xml")
def sitemap(kind: str, page: int):
    """One sitemap file: the public records of a kind, with when each last changed."""
    if kind not in _PAGES or page < 1:
        abort(404)
    entries = queries.sitemap_entries(db_session(), kind, offset=(page - 1) * SITEMAP_SIZE, limit=SITEMAP_SIZE)
    if not entries and page > 1:
        abort(404)
    endpoint, value = _PAGES[kind]
    urls = [
        (url_for(endpoint, **{value: name}, _external=True),
         as_utc(changed).isoformat(timespec="seconds") if changed else None)
        for name, changed in entries
    ]
    return _xml("discovery/sitemap.xml", urls=urls)
