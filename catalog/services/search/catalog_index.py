"""The in-process browse index: every testimony's facet values, visibility and sort keys held in
numpy arrays, so facet counts under any filters, sorting and paging at any depth cost a few
vector operations instead of GROUP BY scans over joins.

It is built from the base tables (about a second per 100,000 testimonies) and rebuilt when the
`search_state` token changes, which every ORM write and `catalog reindex` do; each process keeps
its own copy, so several app processes stay consistent with the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AccessLevel, AccountKind, CorroborationStatus, SearchState
from ...models.search import INDEX_STATE, NAMES_STATE
from .facts import FACETS, MAX_YEAR_SPAN, RANK, load_places, load_sources, place_chain
from .names import NameIndex

T = TypeVar("T")

#: Sort orders: URL value -> what readers see.
SORTS = {
    "id": "Catalogue number",
    "given": "Date given, oldest first",
    "-given": "Date given, newest first",
    "events": "Date of the events, earliest first",
    "-events": "Date of the events, latest first",
    "title": "Title, A to Z",
    "added": "Recently added",
}
DEFAULT_SORT = "id"
#: Searches whose hit count and facet sample an index keeps (see `CatalogIndex.remembered`).
REMEMBERED = 512
#: Facet counts gather the chosen testimonies' rows when fewer than 1 in SPARSE_RATIO are chosen.
SPARSE_RATIO = 16
#: Rank given to deleted testimonies: above every viewer.
NEVER = 9

LANGUAGE_NAMES = {
    "en": "English", "fa": "Persian", "ar": "Arabic", "fr": "French", "de": "German", "es": "Spanish",
    "ku": "Kurdish", "az": "Azerbaijani", "tr": "Turkish", "it": "Italian", "sq": "Albanian",
}


def language_name(code: str) -> str:
    primary = code.split("-")[0].lower()
    name = LANGUAGE_NAMES.get(primary)
    return f"{name} ({code})" if name else code


@dataclass
class Facet:
    name: str
    values: list[str]
    labels: list[str]
    #: Lowest viewer rank allowed to see each value's label (restricted sources' titles).
    value_rank: np.ndarray
    #: Row arrays: testimony position and value code, sorted by code, with code offsets (CSR).
    positions: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray
    lookup: dict[str, int]
    #: The same rows sorted by testimony position, with position offsets: each testimony's codes.
    by_position_codes: np.ndarray
    by_position_offsets: np.ndarray

    def rows_for(self, value: str) -> np.ndarray:
        code = self.lookup.get(value)
        if code is None:
            return np.empty(0, dtype=np.int64)
        return self.positions[self.offsets[code]:self.offsets[code + 1]]


_FACT_SQL = (
    "SELECT t.id, t.public_id, t.title, t.language, t.account_kind, t.corroboration_status, t.source_id, "
    "t.access_level, t.publication_state, t.is_deleted, t.events_date_lower, t.events_date_upper, "
    "o.date_lower, o.date_upper, o.place_id, t.created_dt "
    "FROM testimonies t LEFT JOIN occasions o ON o.id = t.occasion_id ORDER BY t.id"
)
_RANK_BY_VALUE = {level.value: rank for level, rank in RANK.items()}


def _day(value) -> int:
    """A date (or its ISO text, as SQLite returns it) as a sortable integer; 0 when unknown."""
    if value is None:
        return 0
    text = str(value)
    return int(text[0:4]) * 10000 + int(text[5:7]) * 100 + int(text[8:10])


def _span(lower: int, upper: int) -> list[str]:
    if not lower and not upper:
        return []
    first, last = (lower or upper) // 10000, (upper or lower) // 10000
    if last < first:
        first, last = last, first
    if last - first > MAX_YEAR_SPAN:
        return [str(first), str(last)]
    return [str(year) for year in range(first, last + 1)]


class CatalogIndex:
    def __init__(self, token: str, connection, names: Optional[NameIndex] = None) -> None:
        self.token = token
        # Plain SQL and plain values: this reads every testimony, so no per-row ORM or enum work.
        rows = connection.exec_driver_sql(_FACT_SQL).fetchall()
        places = load_places(connection)
        sources = load_sources(connection)
        n = self.size = len(rows)
        self.ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        visible = np.empty(n, dtype=np.int8)
        self.public_ids = [r[1] for r in rows]
        chains = {pid: [p.key for p in place_chain(places, pid)] for pid in places}
        source_keys = {sid: key for sid, (key, _title, _level) in sources.items()}
        columns: dict[str, tuple[list[int], list[str]]] = {name: ([], []) for name in FACETS}
        events_lo = np.zeros(n, dtype=np.int64)
        events_hi = np.zeros(n, dtype=np.int64)
        given_lo = np.zeros(n, dtype=np.int64)
        given_hi = np.zeros(n, dtype=np.int64)
        span_cache: dict[tuple[int, int], list[str]] = {}

        def add(facet: str, position: int, value) -> None:
            if value:
                columns[facet][0].append(position)
                columns[facet][1].append(value)

        for i, r in enumerate(rows):
            (_id, _pid, _title, language, kind, status, source_id, access, state, deleted,
             ev_lo, ev_hi, gv_lo, gv_hi, place_id, _created) = r
            if deleted:
                visible[i] = NEVER
            elif state == "published":
                visible[i] = _RANK_BY_VALUE[access]
            else:
                visible[i] = 2
            add("kind", i, kind)
            add("status", i, status)
            add("lang", i, language)
            add("access", i, access)
            if source_id in source_keys:
                add("source", i, source_keys[source_id])
            for key in chains.get(place_id, ()):
                add("place", i, key)
            events_lo[i], events_hi[i] = _day(ev_lo), _day(ev_hi)
            given_lo[i], given_hi[i] = _day(gv_lo), _day(gv_hi)
            for facet, lo, hi in (("year", events_lo[i], events_hi[i]), ("given", given_lo[i], given_hi[i])):
                key = (int(lo), int(hi))
                if key not in span_cache:
                    span_cache[key] = _span(*key)
                for year in span_cache[key]:
                    add(facet, i, year)
        self.visible_to = visible
        place_by_key = {p.key: p for p in places.values()}
        source_by_key = {key: (title, level) for key, title, level in sources.values()}
        self.facets = {name: self._facet(name, *columns[name], place_by_key, places, source_by_key) for name in FACETS}
        self.orders = self._orders(rows, events_lo, events_hi, given_lo, given_hi)
        self.names = names if names is not None else NameIndex(connection)
        #: Values derived from this index alone (facet counts of the unfiltered list per viewer
        #: rank, ...): the same for every request until the index is rebuilt, and a rebuild makes
        #: a new object, so this cache lives and dies with the data it was computed from.
        self._memo: dict[tuple, object] = {}
        self._recent: "OrderedDict[tuple, object]" = OrderedDict()
        self._recent_lock = threading.Lock()

    def _facet(self, name, positions, values, place_by_key, places, source_by_key) -> Facet:
        distinct = sorted(set(values))
        lookup = {value: code for code, value in enumerate(distinct)}
        codes = np.fromiter((lookup[v] for v in values), dtype=np.int64, count=len(values))
        positions = np.array(positions, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        codes, positions = codes[order], positions[order]
        offsets = np.searchsorted(codes, np.arange(len(distinct) + 1))
        by_position = np.argsort(positions, kind="stable")
        by_position_offsets = np.searchsorted(positions[by_position], np.arange(self.size + 1))
        labels, ranks = [], []
        for value in distinct:
            label, rank = value, 0
            if name == "kind":
                label = AccountKind(value).label if value in AccountKind._value2member_map_ else value
            elif name == "status":
                label = CorroborationStatus(value).label if value in CorroborationStatus._value2member_map_ else value
            elif name == "place" and value in place_by_key:
                label = ", ".join(p.name for p in place_chain(places, place_by_key[value].id))
            elif name == "source" and value in source_by_key:
                label, level = source_by_key[value]
                rank = RANK[level]
            elif name == "lang":
                label = language_name(value)
            elif name == "access" and value in AccessLevel._value2member_map_:
                label = AccessLevel(value).label
                rank = RANK[AccessLevel(value)]
            labels.append(label)
            ranks.append(rank)
        return Facet(name, distinct, labels, np.array(ranks, dtype=np.int8), positions, codes, offsets, lookup,
                     codes[by_position], by_position_offsets)

    @staticmethod
    def _orders(rows, events_lo, events_hi, given_lo, given_hi) -> dict[str, np.ndarray]:
        n = len(rows)
        public_ids = np.array([r[1] for r in rows], dtype=str) if n else np.array([], dtype=str)
        lengths = np.fromiter((len(r[1]) for r in rows), dtype=np.int64, count=n)
        catalogue = np.lexsort((public_ids, lengths)) if n else np.zeros(0, dtype=np.int64)
        place_in_catalogue = np.empty(n, dtype=np.int64)
        place_in_catalogue[catalogue] = np.arange(n)

        def by_date(days: np.ndarray, newest_first: bool) -> np.ndarray:
            unknown = days == 0
            key = -days if newest_first else days
            # Unknown dates last; ties in catalogue order.
            return np.lexsort((place_in_catalogue, key, unknown)).astype(np.int64)

        titles = np.array([(r[2] or "").casefold() for r in rows], dtype=str) if n else np.array([], dtype=str)
        created = np.array([str(r[15] or "") for r in rows], dtype=str) if n else np.array([], dtype=str)
        added = np.lexsort((np.arange(n), created))[::-1] if n else np.zeros(0, dtype=np.int64)
        return {
            "id": catalogue.astype(np.int64),
            "given": by_date(given_lo, False),
            "-given": by_date(given_hi, True),
            "events": by_date(events_lo, False),
            "-events": by_date(events_hi, True),
            "title": np.lexsort((place_in_catalogue, titles)).astype(np.int64) if n else catalogue,
            "added": np.ascontiguousarray(added).astype(np.int64),
        }

    # --- questions ----------------------------------------------------------------------------

    def visible(self, rank: int) -> np.ndarray:
        return self.visible_to <= rank

    def mask(self, rank: int, filters: Iterable[tuple[str, str]]) -> np.ndarray:
        """Testimonies this rank sees that have every (facet, value) in filters."""
        mask = self.visible(rank)
        for facet, value in filters:
            selected = np.zeros(self.size, dtype=bool)
            selected[self.facets[facet].rows_for(value)] = True
            mask &= selected
        return mask

    def mask_of_ids(self, testimony_ids: Iterable[int]) -> np.ndarray:
        ids = np.fromiter(set(testimony_ids), dtype=np.int64)
        mask = np.zeros(self.size, dtype=bool)
        if ids.size and self.size:
            where = np.searchsorted(self.ids, ids)
            inside = where < self.size
            where, ids = where[inside], ids[inside]
            mask[where[self.ids[where] == ids]] = True
        return mask

    def counts(self, facet: str, mask: np.ndarray) -> np.ndarray:
        data = self.facets[facet]
        if not data.values:
            return np.zeros(0, dtype=np.int64)
        chosen = np.flatnonzero(mask)
        if chosen.size * SPARSE_RATIO < self.size:
            # Few testimonies (a search's hits): gather their own rows instead of scanning all.
            starts = data.by_position_offsets[chosen]
            lengths = data.by_position_offsets[chosen + 1] - starts
            rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            return np.bincount(data.by_position_codes[rows], minlength=len(data.values))
        return np.bincount(data.codes[mask[data.positions]], minlength=len(data.values))

    def cached(self, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()`, kept for as long as this index is current: a rebuild makes a new index
        object, so nothing cached here outlives the data it was computed from. Callers put in
        the key everything the value depends on (the viewer's rank above all)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def remembered(self, key: tuple, compute: Callable[[], T]) -> T:
        """Like `cached`, for values of which there may be many (one per search): only the
        REMEMBERED most recently used are kept."""
        with self._recent_lock:
            try:
                self._recent.move_to_end(key)
                return self._recent[key]
            except KeyError:
                pass
        value = compute()
        with self._recent_lock:
            self._recent[key] = value
            while len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)
        return value

    def visible_counts(self, facet: str, rank: int) -> np.ndarray:
        """`counts(facet, visible(rank))`, computed once per rank while this index is current.

        Keyed by the rank whose visibility mask made the counts, so a count that includes
        testimonies only a higher rank may see is never given to a lower one."""
        def compute() -> np.ndarray:
            counts = self.counts(facet, self.visible(rank))
            counts.flags.writeable = False
            return counts

        return self.cached(("counts", facet, rank), compute)

    def page(self, mask: np.ndarray, sort: str, page: int, size: int) -> tuple[list[int], int]:
        """The testimony ids on one page of the sorted, filtered list, and the total."""
        order = self.orders.get(sort, self.orders[DEFAULT_SORT])
        chosen = order[mask[order]]
        start = (page - 1) * size
        return [int(i) for i in self.ids[chosen[start:start + size]]], int(chosen.size)


_cache: "OrderedDict[str, CatalogIndex]" = OrderedDict()
#: Alternate-name indexes by database, with the names token they were built at: a rebuild of the
#: browse index after an edit that touched no name reuses it (it is about half the build time).
_names: dict[str, tuple[str, NameIndex]] = {}
_lock = threading.Lock()


def current(session: Session) -> CatalogIndex:
    """The index for this session's database as of its current token (rebuilt when stale)."""
    tokens = dict(session.execute(
        select(SearchState.id, SearchState.token).where(SearchState.id.in_((INDEX_STATE, NAMES_STATE)))
    ).all())
    token = tokens.get(INDEX_STATE)
    if token is None:
        # No state row (wiped): never trust a cache, build for this request only.
        return CatalogIndex("", session.connection())
    key = session.get_bind().url.render_as_string(hide_password=False)
    found = _cache.get(key)
    if found is not None and found.token == token:
        return found
    with _lock:
        found = _cache.get(key)
        if found is not None and found.token == token:
            return found
        names_token = tokens.get(NAMES_STATE)
        names = _names.get(key)
        names = names[1] if names is not None and names_token is not None and names[0] == names_token else None
        built = CatalogIndex(token, session.connection(), names)
        if names_token is not None:
            _names[key] = (names_token, built.names)
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > 8:
            dropped, _ = _cache.popitem(last=False)
            _names.pop(dropped, None)
        return built
