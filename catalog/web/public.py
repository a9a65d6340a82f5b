"""Reading: what anyone may see, through the visibility layer only."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Optional

from flask import (
    Blueprint, Response, abort, current_app, g, render_template, request, send_file, stream_with_context, url_for,
)

from .. import queries
from ..models import AccountKind
from ..sanitize import plain_text
from ..services import csv_export, files
from ..services import search as search_service
from ..services.search import QueryError
from . import current_viewer, database, db_session, reading

bp = Blueprint("public", __name__)

#: Testimonies on one page of a collection.
COLLECTION_PAGE_SIZE = 50


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), reading.MAX_PAGE)


def _csv_pairs() -> list[tuple[str, str]]:
    """The page's parameters that a download of its list keeps (all but paging and display)."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "more", "rows", "bom")]


@bp.get("/")
def index():
    """Home page: the browse list, so a first visit shows what may be read."""
    return browse()


@bp.get("/testimonies")
def browse():
    """Browse the testimonies this viewer may see, with facets, sorting and paging in the URL."""
    results = reading.browse(
        current_viewer(), "public.browse", sort=request.args.get("sort", search_service.catalog_index.DEFAULT_SORT),
        page=_page(), expanded=request.args.getlist("more"),
    )
    return render_template(
        "public/browse.html", results=results, sorts=search_service.SORTS,
        page_url=lambda page: reading.page_url("public.browse", page),
        more_url=lambda facet: reading.more_url("public.browse", facet),
        sort_pairs=[(k, v) for k, v in request.args.items(multi=True) if k not in ("sort", "page")],
        csv_pairs=_csv_pairs(),
    )


@bp.get("/search")
def search():
    """Full-text search: words, "phrases", -exclusions and prefix*, scoped by kind of text."""
    text = request.args.get("q", "")
    scope = request.args.get("scope", "all")
    scope = scope if scope in search_service.SCOPES else "all"
    results, error = None, None
    if text.strip():
        try:
            results = reading.search(current_viewer(), "public.search", text, scope=scope, page=_page(),
                                     expanded=request.args.getlist("more"))
        except QueryError as problem:
            error = str(problem)
    status = 400 if error else 200
    return render_template(
        "public/search.html", q=text, scope=scope, scopes=search_service.SCOPES, results=results, error=error,
        page_url=lambda page: reading.page_url("public.search", page),
        more_url=lambda facet: reading.more_url("public.search", facet),
        scope_pairs=[(k, v) for k, v in request.args.items(multi=True) if k not in ("scope", "page")],
        csv_pairs=_csv_pairs(),
    ), status


def gone_or_404(public_id: str):
    """Stop a request for a testimony this viewer may not read: 410 Gone with its tombstone when
    the public could once read it (withdrawn or removed since), else 404 as for no testimony."""
    tombstone = queries.get_tombstone(db_session(), current_viewer(), public_id)
    if tombstone is None:
        abort(404)
    csl = json.dumps(tombstone_csl_json(tombstone), ensure_ascii=False, indent=2)
    abort(Response(render_template("public/tombstone.html", tombstone=tombstone, csl=csl), 410))


def _csv_rows() -> str:
    rows = request.args.get("rows", "testimonies")
    if rows not in csv_export.ROWS:
        abort(400, description=f"rows={rows!r} is not a kind of row: give rows=testimonies or rows=passages.")
    return rows


def _csv_links() -> csv_export.Links:
    return csv_export.Links(
        testimony=lambda public_id: url_for("public.testimony", public_id=public_id, _external=True),
        source=lambda key: url_for("public.source", key=key, _external=True),
    )


def _csv_response(read_lines, rows: str, what: str) -> Response:
    """A CSV download named for its day, streamed as it is read (never cached: see page_cache).

    `read_lines(session)` gives the rows. They are read in a session of the download's own, closed
    once the last row is sent (or the reader goes away): the request's session ends when the view
    returns, before the first row is read."""
    columns, bom, db = csv_export.columns_for(rows), request.args.get("bom") == "1", database()

    def body():
        with db.session() as session:
            yield from csv_export.encode(columns, read_lines(session), bom=bom)

    response = Response(stream_with_context(body()), mimetype="text/csv")
    day = dt.date.today().isoformat()
    name = "-".join(part for part in ("testimony-catalog", day, what, rows) if part)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _browse_download(filters: list[tuple[str, str]], sort: str, what: str) -> Response:
    viewer, rows, links = current_viewer(), _csv_rows(), _csv_links()
    ids = search_service.browse_ids(db_session(), viewer, filters, sort)
    return _csv_response(lambda session: csv_export.testimonies_lines(session, viewer, ids, rows, links), rows, what)


@bp.get("/testimonies.csv")
def browse_csv():
    """The browse list, with the same filters and sort, as CSV: a row per testimony or per passage."""
    filters = search_service.parse_filters(current_viewer(), request.args)
    return _browse_download(filters, request.args.get("sort", search_service.catalog_index.DEFAULT_SORT), "browse")


@bp.get("/catalog.csv")
def catalog_csv():
    """Every testimony this viewer may read, or every passage of them, as CSV."""
    return _browse_download([], search_service.catalog_index.DEFAULT_SORT, "")


@bp.get("/search.csv")
def search_csv():
    """Every result of a search (same query, scope and filters) as CSV, in catalogue order."""
    viewer, rows, links = current_viewer(), _csv_rows(), _csv_links()
    text, scope = request.args.get("q", ""), request.args.get("scope", "all")
    filters = search_service.parse_filters(viewer, request.args)
    if not text.strip():
        abort(400, description="Give the words to search for: /search.csv?q=…")
    try:
        search_service.parse(text)
    except QueryError as problem:
        abort(400, description=str(problem))
    return _csv_response(
        lambda session: csv_export.search_lines(session, viewer, text, scope, filters, rows, links), rows, "search"
    )


@bp.get("/t/<public_id>")
def testimony(public_id: str):
    """One testimony: its metadata, then its text with every kind of segment labelled."""
    session, viewer = db_session(), current_viewer()
    translations = request.args.get("translations", "after")
    if translations not in TRANSLATION_PLACES:
        abort(400, description=f"translations={translations!r} is not a place for translations: "
                               "give translations=after (under each passage) or translations=beside.")
    record = queries.get_testimony(session, viewer, public_id)
    if record is None:
        gone_or_404(public_id)
    return render_template("public/testimony.html", t=record, csl=json.dumps(csl_json(record), ensure_ascii=False, indent=2),
                           structured_data=schema_org(record), translations=translations)


#: Where the reading page sets a passage's translation: under it, or beside it (as prints can).
TRANSLATION_PLACES = ("after", "beside")


@bp.get("/t/<public_id>/release-form")
def release_form(public_id: str):
    """The signed release form, to viewers whose level opens it; 404, as for a testimony that does
    not exist, to anyone else. Never kept by a cache, here or on the way."""
    record = queries.get_testimony(db_session(), current_viewer(), public_id)
    if record is None or record.release_form is None:
        abort(404)
    path = files.path_of(current_app.config["INSTANCE_PATH"], record.release_form.sha256)
    if not path.is_file():
        abort(404)
    g.pop("page_cache_key", None)  # readers' page cache: never
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
                 "image/tiff": ".tif"}.get(record.release_form.media_type, "")
    response = send_file(path, mimetype=record.release_form.media_type, as_attachment=True,
                         download_name=f"{public_id}-release-form{extension}", max_age=0, conditional=False,
                         etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/t/<public_id>/cite.json")
def testimony_csl(public_id: str):
    """The testimony's citation as CSL-JSON, for reference managers (410 with a citation that says
    it was withdrawn, for a testimony that was)."""
    session, viewer = db_session(), current_viewer()
    record = queries.get_testimony(session, viewer, public_id)
    if record is not None:
        item, status = csl_json(record), 200
    else:
        tombstone = queries.get_tombstone(session, viewer, public_id)
        if tombstone is None:
            abort(404)
        item, status = tombstone_csl_json(tombstone), 410
    body = json.dumps([item], ensure_ascii=False, indent=2)
    return Response(body, status=status, mimetype="application/vnd.citationstyles.csl+json")


def csl_json(t) -> dict:
    """A CSL-JSON item for a testimony record (its speakers as authors, the catalog as archive)."""
    item = {
        "id": t.public_id,
        "type": "interview" if t.occasion and t.occasion.kind in ("interview", "press_interview") else "document",
        "title": t.title,
        "author": [{"literal": role.agent.name} for role in t.speakers],
        "archive": "Testimony Catalog",
        "archive_location": t.public_id,
        "language": t.language,
        "URL": url_for("public.testimony", public_id=t.public_id, _external=True),
    }
    if t.occasion and t.occasion.date_edtf:
        item["issued"] = {"raw": t.occasion.date_edtf}
    if t.occasion and t.occasion.place:
        item["event-place"] = t.occasion.place.full_name
    if t.source:
        item["container-title"] = t.source.title
        if t.source.citation:
            item["note"] = f"Quoted from: {t.source.citation}"
    return item


def tombstone_csl_json(tombstone: queries.TombstoneRecord) -> dict:
    """A CSL-JSON item for a testimony that is gone: its identifier and permalink, and a note that
    says it was withdrawn (or removed) and when; no title or author (see `get_tombstone`)."""
    when = f" on {tombstone.gone_dt.date().isoformat()}" if tombstone.gone_dt else ""
    note = f"{tombstone.state_word.capitalize()} from the Testimony Catalog{when}."
    if tombstone.public_reason:
        note += f" {tombstone.public_reason}"
    return {
        "id": tombstone.public_id,
        "type": "document",
        "status": tombstone.state_word,
        "archive": "Testimony Catalog",
        "archive_location": tombstone.public_id,
        "URL": url_for("public.testimony", public_id=tombstone.public_id, _external=True),
        "note": note,
    }


#: Who may read a testimony of each access level, as schema.org's conditionsOfAccess says it.
_CONDITIONS_OF_ACCESS = {
    "public": "Open to every reader.",
    "restricted": "Restricted: readable by signed-in researchers and archivists of the catalog.",
    "confidential": "Confidential: readable by the catalog's archivists only.",
}
#: EDTF values that are also plain ISO 8601 dates (or intervals of them), as schema.org reads dates.
_ISO_DATE = re.compile(r"\d{4}(-\d\d(-\d\d)?)?")


def _iso(edtf: Optional[str], interval: bool = False) -> Optional[str]:
    if not edtf:
        return None
    parts = edtf.split("/") if interval else [edtf]
    return edtf if len(parts) <= 2 and all(_ISO_DATE.fullmatch(part) for part in parts) else None


def schema_org(t) -> dict:
    """schema.org JSON-LD for a testimony record, holding only what its page shows its viewer (the
    record is already cut: a protected speaker is their pseudonym). Uncertain or approximate EDTF
    dates, which schema.org cannot express, are left out; the page gives them in words."""

    def agent(ref) -> dict:
        return {"@type": "Organization" if ref.kind.value == "organisation" else "Person", "name": ref.name,
                "url": url_for("public.agent", key=ref.key, _external=True)}

    permalink = url_for("public.testimony", public_id=t.public_id, _external=True)
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": permalink,
        "url": permalink,
        "identifier": t.public_id,
        "name": t.title,
        "genre": AccountKind(t.account_kind).label,
        "inLanguage": t.language,
        "author": [agent(role.agent) for role in t.speakers],
        "conditionsOfAccess": _CONDITIONS_OF_ACCESS[t.access_level.value],
        "isAccessibleForFree": True,
    }
    if t.occasion:
        if _iso(t.occasion.date_edtf):
            data["dateCreated"] = t.occasion.date_edtf
        if t.occasion.place:
            data["contentLocation"] = {"@type": "Place", "name": t.occasion.place.full_name,
                                       "url": url_for("public.place", key=t.occasion.place.key, _external=True)}
    if _iso(t.events_date_edtf, interval=True):
        data["temporalCoverage"] = t.events_date_edtf
    if t.source:
        data["isPartOf"] = {"@type": "CreativeWork", "name": t.source.title,
                            "url": url_for("public.source", key=t.source.key, _external=True)}
    if t.summary_html:
        data["abstract"] = plain_text(t.summary_html)
    return data


@bp.get("/sources")
def sources():
    """Every source this viewer may see."""
    return render_template("public/sources.html", sources=queries.list_sources(db_session(), current_viewer()))


@bp.get("/sources/<key>")
def source(key: str):
    """A source read as published: its framing and the testimonies it quotes, in order."""
    record = queries.get_source(db_session(), current_viewer(), key)
    if record is None:
        abort(404)
    return render_template("public/source.html", source=record)


@bp.get("/people")
def people():
    """People and organisations, by the name this viewer may see."""
    return render_template("public/people.html", agents=queries.list_agents(db_session(), current_viewer()))


@bp.get("/people/<key>")
def agent(key: str):
    """One person or organisation: names by kind and every role across testimonies and sources."""
    record = queries.get_agent(db_session(), current_viewer(), key)
    if record is None:
        abort(404)
    return render_template("public/agent.html", agent=record)


@bp.get("/places")
def places():
    """Places, with their parents."""
    return render_template("public/places.html", places=queries.list_places(db_session()))


@bp.get("/places/<key>")
def place(key: str):
    """One place: where it lies, what lies within, and the testimonies given there."""
    record = queries.get_place(db_session(), current_viewer(), key)
    if record is None:
        abort(404)
    return render_template("public/place.html", place=record)


@bp.get("/collections")
def collections():
    """The collections this viewer may read testimonies of, each with how many."""
    return render_template("public/collections.html",
                           collections=queries.list_collections(db_session(), current_viewer()))


@bp.get("/collections/<key>")
def collection(key: str):
    """One collection: what it gathers, and its testimonies this viewer may read, paged."""
    page = _page()
    record = queries.get_collection(db_session(), current_viewer(), key, limit=COLLECTION_PAGE_SIZE,
                                    offset=(page - 1) * COLLECTION_PAGE_SIZE)
    if record is None:
        abort(404)
    return render_template("public/collection.html", collection=record,
                           page_url=lambda number: reading.page_url("public.collection", number, key=key))


@bp.get("/claims")
def claims():
    """Every claim this viewer may read, with facets (kind, corroboration, who claims it, place,
    period) and a search of their words."""
    results = reading.claims(current_viewer(), "public.claims", page=_page(), expanded=request.args.getlist("more"))
    return render_template(
        "public/claims.html", results=results,
        page_url=lambda page: reading.page_url("public.claims", page),
        more_url=lambda facet: reading.more_url("public.claims", facet),
        search_pairs=[(k, v) for k, v in request.args.items(multi=True) if k not in ("q", "page")],
    )


@bp.get("/claims/<key>")
def claim(key: str):
    """One claim, attributed to whoever makes it, with what supports or contradicts it."""
    record = queries.get_claim(db_session(), current_viewer(), key)
    if record is None:
        abort(404)
    return render_template("public/claim.html", claim=record)
