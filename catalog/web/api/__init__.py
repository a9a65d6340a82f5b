"""The JSON API: every reading page as JSON, read through the same visibility layer.

Each route answers what its page shows to the same viewer (a signed-in reader's session cookie
counts here as on the pages); a record the viewer may not see is a 404, exactly like one that does
not exist. The routes, parameters and answers are described once, in openapi.py, which serves both
/api/openapi.json and the reference page /api.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from ... import queries
from ...services.search import QueryError
from ...services.search.facts import FACETS
from .. import current_viewer, db_session, reading
from . import openapi, params, payloads

bp = Blueprint("api", __name__, url_prefix="/api")

#: Records per page of the lists of people, places and sources.
LIST_PAGE_SIZE = 100
#: Each reading page's JSON: the API endpoint answering with the same content.
ALTERNATES = {
    "public.index": "api.browse", "public.browse": "api.browse", "public.search": "api.search",
    "public.testimony": "api.testimony", "public.people": "api.people", "public.agent": "api.agent",
    "public.places": "api.places", "public.place": "api.place", "public.sources": "api.sources",
    "public.source": "api.source", "public.claim": "api.claim", "public.claims": "api.claims",
}
#: Parameters that the JSON of a list takes from its page's address.
LIST_PARAMETERS = {"api.browse": (*params.BROWSE, *FACETS), "api.search": (*params.SEARCH, *FACETS),
                   "api.claims": (*params.CLAIMS, *queries.CLAIM_FACETS)}


def json_alternate() -> Markup:
    """The <link rel="alternate"> from a reading page to its JSON (nothing for a page without one)."""
    endpoint = ALTERNATES.get(request.endpoint or "")
    if endpoint is None or (endpoint == "api.search" and not request.args.get("q", "").strip()):
        return Markup("")
    taken = LIST_PARAMETERS.get(endpoint, ())
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k in taken]
    href = url_for(endpoint, **(request.view_args or {}))
    if pairs:
        href += "?" + urlencode(pairs)
    return Markup('<link rel="alternate" type="application/json" href="{}">').format(href)


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """The document's descriptions, escaped, with their `backquoted` words set as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _json(body: Any) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    links = body.get("links", {}) if isinstance(body, dict) else {}
    # The same next and previous pages as RFC 8288 links, for clients that page by headers.
    rels = [f'<{links[rel]}>; rel="{rel}"' for rel in ("next", "prev", "first", "last") if rel in links]
    if rels:
        response.headers["Link"] = ", ".join(rels)
    return response


def _found(record):
    if record is None:
        abort(404)
    return record


def _list(name: str, load, to_json, endpoint: str, page_endpoint: str) -> Response:
    """One page of a whole list (people, places, sources), read as its page reads it."""
    listing = params.read(current_viewer())
    items = load()
    total = len(items)
    pages = max(1, -(-total // LIST_PAGE_SIZE))
    start = (listing.page - 1) * LIST_PAGE_SIZE
    body = {name: [to_json(item) for item in items[start:start + LIST_PAGE_SIZE]]}
    body.update(payloads.paging(
        listing.page, pages, total, LIST_PAGE_SIZE,
        lambda page: reading.page_url(endpoint, page, external=True),
        lambda _page: url_for(page_endpoint, _external=True),
    ))
    return _json(body)


@bp.get("")
def reference():
    """The API reference: every route, parameter and answer, from the OpenAPI document."""
    return render_template("api/reference.html", api=openapi.reference(openapi.document()))


@bp.get("/")
def reference_slash():
    """The reference page lives at /api."""
    return redirect(url_for("api.reference"), 308)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document describing every route of the API."""
    return _json(openapi.document())


@bp.get("/testimonies")
def browse():
    """Browse as JSON: the testimonies this viewer may see, with the page's filters, sort and facets."""
    viewer = current_viewer()
    listing = params.read(viewer, params.BROWSE, facets=True)
    results = reading.browse(viewer, "api.browse", sort=listing.sort, page=listing.page, external=True,
                             expanded=listing.expanded)
    body = {
        "sort": results.sort,
        "filters": [{"facet": facet, "value": value} for facet, value in results.filters],
        "testimonies": [payloads.testimony_summary(t) for t in results.testimonies],
        "facets": payloads.facets(results.facets),
    }
    body.update(payloads.paging(
        results.page, results.pages, results.total, results.page_size,
        lambda page: reading.page_url("api.browse", page, external=True),
        lambda page: reading.page_url("public.browse", page, external=True),
    ))
    return _json(body)


@bp.get("/search")
def search():
    """Search as JSON: matching passages this viewer may read, grouped by testimony or source."""
    viewer = current_viewer()
    listing = params.read(viewer, params.SEARCH, facets=True)
    try:
        results = reading.search(viewer, "api.search", listing.text, scope=listing.scope, page=listing.page,
                                 external=True, expanded=listing.expanded)
    except QueryError as problem:
        raise params.QueryRefused(str(problem)) from None
    body = {
        "query": listing.text,
        "scope": results.scope,
        "also_searched": list(results.also_searched),
        "ranked": results.ranked,
        "exact": results.exact,
        "records": results.records,
        "filters": [{"facet": facet, "value": value} for facet, value in results.filters],
        "results": [
            payloads.drop_empty({
                "testimony": payloads.testimony_summary(group.testimony) if group.testimony else None,
                "source": payloads.source_ref(group.source) if group.source else None,
                "passages": [payloads.snippet(s) for s in group.snippets],
            })
            for group in results.groups
        ],
        "facets": payloads.facets(results.facets),
        "matching_records": {
            "total": results.record_total,
            "testimonies": [
                {"testimony": payloads.testimony_summary(match.testimony), "matched_in": list(match.fields)}
                for match in results.record_matches
            ],
        },
    }
    body.update(payloads.paging(
        results.page, results.pages, results.total, results.page_size,
        lambda page: reading.page_url("api.search", page, external=True),
        lambda page: reading.page_url("public.search", page, external=True),
    ))
    return _json(body)


@bp.get("/testimonies/<public_id>")
def testimony(public_id: str):
    """One testimony in the export's format: metadata, roles, transmission, segments and claims."""
    params.read(current_viewer(), ())
    session, viewer = db_session(), current_viewer()
    record = queries.get_testimony(session, viewer, public_id)
    if record is None:
        tombstone = queries.get_tombstone(session, viewer, public_id)
        if tombstone is not None:
            return payloads.tombstone_problem(tombstone)
    return _json(payloads.testimony(_found(record)))


@bp.get("/people")
def people():
    """People and organisations, by the name this viewer may see."""
    return _list("people", lambda: queries.list_agents(db_session(), current_viewer()), payloads.agent_ref,
                 "api.people", "public.people")


@bp.get("/people/<key>")
def agent(key: str):
    """One person or organisation: names and every role across testimonies and sources."""
    params.read(current_viewer(), ())
    return _json(payloads.agent(_found(queries.get_agent(db_session(), current_viewer(), key))))


@bp.get("/places")
def places():
    """Places, with their parents."""
    return _list("places", lambda: queries.list_places(db_session()), payloads.place_ref,
                 "api.places", "public.places")


@bp.get("/places/<key>")
def place(key: str):
    """One place: where it lies, what lies within, and the testimonies given there."""
    params.read(current_viewer(), ())
    return _json(payloads.place(_found(queries.get_place(db_session(), current_viewer(), key))))


@bp.get("/sources")
def sources():
    """Every source this viewer may see."""
    return _list("sources", lambda: queries.list_sources(db_session(), current_viewer()), payloads.source_ref,
                 "api.sources", "public.sources")


@bp.get("/sources/<key>")
def source(key: str):
    """A source in the export's format, and as published: its framing and the passages it quotes."""
    params.read(current_viewer(), ())
    return _json(payloads.source(_found(queries.get_source(db_session(), current_viewer(), key))))


@bp.get("/claims")
def claims():
    """The claims index as JSON: the claims this viewer may read, filtered, with facet counts."""
    viewer = current_viewer()
    listing = params.read_claims()
    results = reading.claims(viewer, "api.claims", page=listing.page, external=True, expanded=listing.expanded)
    body = {
        "query": results.text,
        "filters": [{"facet": facet, "value": value} for facet, value in results.filters],
        "claims": [payloads.claim_summary(c) for c in results.claims],
        "facets": payloads.facets(results.facets),
    }
    body.update(payloads.paging(
        results.page, results.pages, results.total, results.page_size,
        lambda page: reading.page_url("api.claims", page, external=True),
        lambda page: reading.page_url("public.claims", page, external=True),
    ))
    return _json(body)


@bp.get("/claims/<key>")
def claim(key: str):
    """One claim, attributed to whoever makes it, with what supports or contradicts it."""
    params.read(current_viewer(), ())
    return _json(payloads.claim(_found(queries.get_claim(db_session(), current_viewer(), key))))
