"""Rendered reader pages, kept in memory for readers who are not signed in.

Every anonymous reader gets the same page for the same URL, so a page once rendered is served
again, byte for byte, until anything readers may see changes: entries are keyed by the content
token (`queries.content_token`, changed by every write to the records, in any process) and the
full URL (host, path and query string). Signed-in viewers, requests that carry a session cookie and responses
that set one are never cached, so nothing restricted can be stored or served from here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from flask import Flask, Response, current_app, g, request, session

from .. import queries

#: Response header telling whether a page came from the cache ("hit") or was rendered ("miss").
HEADER = "X-Catalog-Cache"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    content_type: str


class PageCache:
    """A least-recently-used map of rendered pages, bounded by the bytes it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: "OrderedDict[tuple[str, str], CachedPage]" = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Optional[CachedPage]:
        with self._lock:
            page = self._entries.get(key)
            if page is not None:
                self._entries.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: CachedPage) -> None:
        size = len(page.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            # Pages of another token are never served again: drop them all when the token moves
            # on (the least recently used entry tells whether any are left).
            if self._entries and next(iter(self._entries))[0] != key[0]:
                for stale in [k for k in self._entries if k[0] != key[0]]:
                    self._bytes -= len(self._entries.pop(stale).body)
            self._entries[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)


def _cache() -> Optional[PageCache]:
    return current_app.extensions.get("catalog_page_cache")


def _anonymous_request() -> bool:
    return (
        request.method == "GET"
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and g.get("viewer") is None
    )


def serve_cached():
    """before_request: answer from the cache when this anonymous request's page is there."""
    cache = _cache()
    if cache is None or not _anonymous_request():
        return None
    from . import db_session

    token = queries.content_token(db_session())
    if token is None:
        return None
    # The whole URL, host included: pages carry absolute links (the permalink, the citation), so
    # a page made for one Host header is never served to a request naming another.
    g.page_cache_key = (token, request.url)
    page = cache.get(g.page_cache_key)
    if page is None:
        return None
    g.page_cache_hit = True
    response = Response(page.body, status=200, content_type=page.content_type)
    response.headers[HEADER] = "hit"
    return response


def store(response: Response) -> Response:
    """after_request: keep a freshly rendered anonymous page."""
    cache = _cache()
    key = g.pop("page_cache_key", None)
    if cache is None or key is None or g.get("page_cache_hit"):
        return response
    response.headers[HEADER] = "miss"
    if (
        response.status_code == 200
        and not response.direct_passthrough
        # A streamed download (CSV) is read as it is sent: never gathered, never kept.
        and not response.is_streamed
        # A page that wrote to the session gets a cookie (set after this hook runs): not shared.
        and not session.modified
        and "Set-Cookie" not in response.headers
        and g.get("viewer") is None
        and not g.get("session_ended")
    ):
        cache.put(key, CachedPage(response.get_data(), response.content_type))
    return response


def init_app(app: Flask, blueprints: frozenset[str]) -> None:
    """Cache the pages of these blueprints when CATALOG_PAGE_CACHE_MB is above 0."""
    megabytes = app.config.get("PAGE_CACHE_MB", 0)
    if megabytes <= 0:
        return
    app.extensions["catalog_page_cache"] = PageCache(int(megabytes * 1024 * 1024))

    @app.before_request
    def _serve_cached():
        return serve_cached() if request.blueprint in blueprints else None

    @app.after_request
    def _store(response):
        return store(response) if request.blueprint in blueprints else response
