"""What the reading pages and the JSON API share: browse and search state kept in the query string.

A page and its JSON run the same visibility-scoped search calls with the same filters; only the
addresses differ (the page's, or the API's absolute ones), so each caller names its endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlencode

from flask import request, url_for

from .. import queries
from ..services import search as search_service
from ..viewer import Viewer
from . import db_session

#: Longest page number accepted (deeper pages are empty anyway).
MAX_PAGE = 1_000_000


def state_url(endpoint: str, pairs: list[tuple[str, str]], external: bool = False, **values) -> str:
    """The endpoint's address (with these URL values) and these query-string pairs."""
    base = url_for(endpoint, _external=external, **values)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def toggler(endpoint: str, external: bool = False):
    """Builds each facet value's toggle URL from the current state (page reset to 1)."""
    current = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    base = url_for(endpoint, _external=external)
    # A page has a hundred or more facet links: the current state is encoded once, and adding a
    # value appends its own encoded pair (the same URL `state_url` gives for current + [pair]).
    prefix = f"{base}?{urlencode(current)}&" if current else f"{base}?"

    def toggle(facet: str, value: str, selected: bool) -> str:
        if selected:
            pairs = [(k, v) for k, v in current if not (k == facet and v == value)]
            return f"{base}?{urlencode(pairs)}" if pairs else base
        return prefix + urlencode(((facet, value),))

    return toggle


def more_url(endpoint: str, facet: str) -> str:
    """The current state with all of one facet's values shown."""
    pairs = [(k, v) for k, v in request.args.items(multi=True)] + [("more", facet)]
    return state_url(endpoint, pairs)


def page_url(endpoint: str, page: int, external: bool = False, **values) -> str:
    """The current state at another page (page 1 has no `page` parameter)."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if page > 1:
        pairs.append(("page", str(page)))
    return state_url(endpoint, pairs, external, **values)


def browse(viewer: Viewer, endpoint: str, *, sort: str, page: int, external: bool = False,
           expanded: Iterable[str] = ()) -> search_service.BrowseResults:
    """One page of the testimonies this viewer may see, filtered by the query string's facets."""
    filters = search_service.parse_filters(viewer, request.args)
    return search_service.browse(db_session(), viewer, filters, sort, page, toggler(endpoint, external),
                                 expanded=expanded)


def search(viewer: Viewer, endpoint: str, text: str, *, scope: str, page: int, external: bool = False,
           expanded: Iterable[str] = ()) -> search_service.SearchResults:
    """One page of passages matching `text` that this viewer may read (raises QueryError)."""
    return search_service.search(
        db_session(), viewer, text, scope=scope, filters=search_service.parse_filters(viewer, request.args),
        page=page, toggle_url=toggler(endpoint, external), expanded=expanded,
    )


def claims(viewer: Viewer, endpoint: str, *, page: int, external: bool = False,
           expanded: Iterable[str] = ()) -> "ClaimResults":
    """One page of the claims this viewer may read, filtered by the query string, with facets."""
    query = queries.ClaimQuery.from_args(request.args)
    found = queries.claim_index(db_session(), viewer, query, page=page, expanded=expanded)
    toggle = toggler(endpoint, external)
    facets = []
    for name, title in queries.CLAIM_FACETS.items():
        chosen = set(query.selected(name))
        values = tuple(search_service.FacetValue(v.value, v.label, v.count, v.value in chosen,
                                                 toggle(name, v.value, v.value in chosen))
                       for v in found.facets.get(name, ()))
        if values:
            facets.append(search_service.FacetResult(name, title, values, found.hidden.get(name, 0)))
    return ClaimResults(found.claims, found.total, found.page, found.page_size, found.pages, tuple(facets),
                        query.text, query.filtered,
                        tuple((name, value) for name in queries.CLAIM_FACETS for value in query.selected(name)))


@dataclass(frozen=True)
class ClaimResults:
    """A page of the claims index as the page and the API show it."""

    claims: tuple
    total: int
    page: int
    page_size: int
    pages: int
    facets: tuple
    text: str
    filtered: bool
    #: The facet values asked for, (facet, value).
    filters: tuple = ()
