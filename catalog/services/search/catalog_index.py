"""The in-process browse index: every testimony's facet values, visibility and sort keys held in
numpy arrays, so facet counts under any filters, sorting and paging at any depth cost a few
vector operations instead of GROUP BY scans over joins.

It is built from the base tables once (about a second per 100,000 testimonies) and then kept in
step with the database by the rows of `index_changes` that every write records (see
services/search/indexing.py): on its next read a process reads again only the testimonies
written since the last row it applied, and patches them into a new index object (facet rows,
visibility ranks, sort orders; new testimonies appended, deleted ones ranked out), so requests
still holding the old object keep a consistent one. It is rebuilt only on first use, when
`catalog reindex` starts a new epoch (the INDEX_STATE token), or when the rows it would need have
been pruned. Each process keeps its own copy, so several app processes (on several machines)
stay consistent with the database.
"""

from __future__ import annotations

import bisect
import copy
from array import array
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, TypeVar

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import AccessLevel, AccountKind, CorroborationStatus, IndexChange, SearchState
from ...models.search import INDEX_STATE, NAMES_STATE
from .facts import FACETS, MAX_YEAR_SPAN, RANK, load_places, load_sources, place_chain
from .indexing import PENDING_CHANGES, PRIVATE_INDEX
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
#: A facet whose base rows are outdated for more testimonies than this is rebuilt in memory.
COMPACT_AFTER = 2048
#: Changes to more testimonies than this re-sort the orders instead of inserting one by one.
RESORT_AFTER = 64
#: Orders stored ascending by their key and read backwards.
REVERSED = frozenset({"added"})

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
    """One facet's rows (testimony position, value code): the rows of the last full build (or
    compaction) sorted by code and by position, plus the rows written since, kept aside."""

    name: str
    values: list[str]
    labels: list[str]
    #: Lowest viewer rank allowed to see each value's label (restricted sources' titles).
    value_rank: np.ndarray
    lookup: dict[str, int]
    #: Base rows: testimony position and value code, sorted by code, with code offsets (CSR).
    positions: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray
    #: The same rows sorted by testimony position, with position offsets: each testimony's codes.
    by_position_codes: np.ndarray
    by_position_offsets: np.ndarray
    #: Current rows per value code (a value left with none is no longer in the catalog).
    totals: np.ndarray
    #: Positions whose base rows no longer hold (changed, or added after the base); None: none.
    stale: Optional[np.ndarray] = None
    #: Current rows of the stale positions.
    added_positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    added_codes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def code_of(self, value: str) -> Optional[int]:
        """The value's code while some testimony has it."""
        code = self.lookup.get(value)
        return code if code is not None and self.totals[code] else None

    def rows_for(self, value: str) -> np.ndarray:
        code = self.code_of(value)
        if code is None:
            return np.empty(0, dtype=np.int64)
        # A value first seen after the base has no base rows.
        rows = self.positions[self.offsets[code]:self.offsets[code + 1]] if code + 1 < self.offsets.size else \
            self.positions[:0]
        if self.stale is None:
            return rows
        return np.concatenate((rows[~self.stale[rows]], self.added_positions[self.added_codes == code]))

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Rows per value code among the testimonies in mask."""
        width = len(self.values)
        if not width:
            return np.zeros(0, dtype=np.int64)
        base = mask if self.stale is None else mask & ~self.stale
        chosen = np.flatnonzero(base)
        if chosen.size * SPARSE_RATIO < mask.size:
            # Few testimonies (a search's hits): gather their own rows instead of scanning all.
            starts = self.by_position_offsets[chosen]
            lengths = self.by_position_offsets[chosen + 1] - starts
            rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            counts = np.bincount(self.by_position_codes[rows], minlength=width)
        else:
            counts = np.bincount(self.codes[base[self.positions]], minlength=width)
        if self.added_positions.size:
            counts = counts + np.bincount(self.added_codes[mask[self.added_positions]], minlength=width)
        return counts

    def rows_at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The current rows (position, code) of the testimonies at these (distinct) positions."""
        base_size = len(self.by_position_offsets) - 1
        inside = positions[positions < base_size]
        if self.stale is not None:
            inside = inside[~self.stale[inside]]
        starts = self.by_position_offsets[inside]
        lengths = self.by_position_offsets[inside + 1] - starts
        gathered = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        at, codes = np.repeat(inside, lengths), self.by_position_codes[gathered]
        if self.added_positions.size:
            chosen = np.isin(self.added_positions, positions)
            at = np.concatenate((at, self.added_positions[chosen]))
            codes = np.concatenate((codes, self.added_codes[chosen]))
        return at, codes

    def patched(self, changed: np.ndarray, size: int, rows: list[tuple[int, str]], labels: "_Labels") -> "Facet":
        """A copy in which the testimonies at `changed` positions have exactly `rows`."""
        new = copy.copy(self)
        base_size = len(self.by_position_offsets) - 1
        was_stale = self.stale if self.stale is not None else np.zeros(base_size, dtype=bool)
        stale = np.ones(size, dtype=bool)
        stale[:was_stale.size] = was_stale
        totals = self.totals.copy()
        leaving = changed[changed < base_size]
        leaving = leaving[~was_stale[leaving]]
        if leaving.size:
            starts = self.by_position_offsets[leaving]
            lengths = self.by_position_offsets[leaving + 1] - starts
            gathered = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            totals -= np.bincount(self.by_position_codes[gathered], minlength=totals.size)
        is_changed = np.zeros(size, dtype=bool)
        is_changed[changed] = True
        dropped = is_changed[self.added_positions]
        if dropped.any():
            totals -= np.bincount(self.added_codes[dropped], minlength=totals.size)
        stale[changed] = True
        if any(value not in self.lookup for _, value in rows):
            new.values, new.labels, new.lookup = list(self.values), list(self.labels), dict(self.lookup)
            ranks = list(self.value_rank)
            for _, value in rows:
                if value not in new.lookup:
                    new.lookup[value] = len(new.values)
                    new.values.append(value)
                    label, rank = labels.label(self.name, value)
                    new.labels.append(label)
                    ranks.append(rank)
            new.value_rank = np.array(ranks, dtype=np.int8)
            totals = np.concatenate((totals, np.zeros(len(new.values) - totals.size, dtype=totals.dtype)))
        codes = np.fromiter((new.lookup[value] for _, value in rows), dtype=np.int64, count=len(rows))
        positions = np.fromiter((position for position, _ in rows), dtype=np.int64, count=len(rows))
        totals += np.bincount(codes, minlength=totals.size)
        new.totals = totals
        new.stale = stale
        new.added_positions = np.concatenate((self.added_positions[~dropped], positions))
        new.added_codes = np.concatenate((self.added_codes[~dropped], codes))
        if int(stale.sum()) > COMPACT_AFTER:
            live = ~stale[self.positions]
            return _facet(self.name, new.values, new.labels, new.value_rank, new.lookup, size,
                          np.concatenate((self.positions[live], new.added_positions)),
                          np.concatenate((self.codes[live], new.added_codes)))
        return new

    def relabelled(self, labels: "_Labels") -> "Facet":
        """A copy with every label and label rank read again (places or sources changed)."""
        new = copy.copy(self)
        pairs = [labels.label(self.name, value) for value in self.values]
        new.labels = [label for label, _ in pairs]
        new.value_rank = np.array([rank for _, rank in pairs], dtype=np.int8)
        return new


def _facet(name: str, values: list[str], labels: list[str], value_rank: np.ndarray, lookup: dict[str, int],
           size: int, positions: np.ndarray, codes: np.ndarray) -> Facet:
    """A facet whose rows (positions, codes) are all base rows, sorted both ways."""
    order = np.argsort(codes, kind="stable")
    codes, positions = codes[order], positions[order]
    offsets = np.searchsorted(codes, np.arange(len(values) + 1))
    by_position = np.argsort(positions, kind="stable")
    by_position_offsets = np.searchsorted(positions[by_position], np.arange(size + 1))
    totals = np.diff(offsets).astype(np.int64)
    return Facet(name, values, labels, value_rank, lookup, positions, codes, offsets,
                 codes[by_position], by_position_offsets, totals)


class _Labels:
    """Places and sources as the facets show them: read in full (they are small tables) at a
    build and again whenever a change row says they changed."""

    def __init__(self, connection) -> None:
        self.places = load_places(connection)
        sources = load_sources(connection)
        self.chains = {pid: [p.key for p in place_chain(self.places, pid)] for pid in self.places}
        self.source_keys = {sid: key for sid, (key, _title, _level) in sources.items()}
        self.place_by_key = {p.key: p for p in self.places.values()}
        self.source_by_key = {key: (title, level) for key, title, level in sources.values()}

    def label(self, name: str, value: str) -> tuple[str, int]:
        """What readers see for a facet value, and the lowest rank that may see it."""
        label, rank = value, 0
        if name == "kind":
            label = AccountKind(value).label if value in AccountKind._value2member_map_ else value
        elif name == "status":
            label = CorroborationStatus(value).label if value in CorroborationStatus._value2member_map_ else value
        elif name == "place" and value in self.place_by_key:
            label = ", ".join(p.name for p in place_chain(self.places, self.place_by_key[value].id))
        elif name == "source" and value in self.source_by_key:
            label, level = self.source_by_key[value]
            rank = RANK[level]
        elif name == "lang":
            label = language_name(value)
        elif name == "access" and value in AccessLevel._value2member_map_:
            label = AccessLevel(value).label
            rank = RANK[AccessLevel(value)]
        return label, rank


_FACT_SQL = (
    "SELECT t.id, t.public_id, t.title, t.language, t.account_kind, t.corroboration_status, t.source_id, "
    "t.access_level, t.publication_state, t.is_deleted, t.events_date_lower, t.events_date_upper, "
    "o.date_lower, o.date_upper, o.place_id, t.created_dt "
    "FROM testimonies t LEFT JOIN occasions o ON o.id = t.occasion_id"
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


@dataclass
class _Testimony:
    """One testimony's row as the index holds it."""

    visible_to: int
    values: list[tuple[str, str]]
    events: tuple[int, int]
    given: tuple[int, int]
    public_id: str
    title: str
    created: str


def _derive(row, labels: _Labels, spans: dict) -> _Testimony:
    (_id, public_id, title, language, kind, status, source_id, access, state, deleted,
     ev_lo, ev_hi, gv_lo, gv_hi, place_id, created) = row
    if deleted:
        visible_to = NEVER
    elif state == "published":
        visible_to = _RANK_BY_VALUE[access]
    else:
        visible_to = 2
    values = [(facet, value) for facet, value in (("kind", kind), ("status", status), ("lang", language),
                                                  ("access", access)) if value]
    if source_id in labels.source_keys:
        values.append(("source", labels.source_keys[source_id]))
    values.extend(("place", key) for key in labels.chains.get(place_id, ()))
    events, given = (_day(ev_lo), _day(ev_hi)), (_day(gv_lo), _day(gv_hi))
    for facet, key in (("year", events), ("given", given)):
        if key not in spans:
            spans[key] = _span(*key)
        values.extend((facet, year) for year in spans[key])
    return _Testimony(visible_to, values, events, given, public_id, (title or "").casefold(), str(created or ""))


#: Testimony rows read at a time by a full build.
BUILD_CHUNK = 5000


def _fetch_facts(connection, ids: list[int]) -> dict[int, tuple]:
    """The fact rows of these testimonies, as the full build reads them. Plain driver SQL: this
    runs on the first read after every save, where compiling a statement is most of its cost."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found = {}
    for start in range(0, len(ids), 900):
        chunk = tuple(ids[start:start + 900])
        sql = f"{_FACT_SQL} WHERE t.id IN ({', '.join([mark] * len(chunk))})"
        for row in connection.exec_driver_sql(sql, chunk):
            found[row[0]] = tuple(row)
    return found


class CatalogIndex:
    def __init__(self, token: str, connection) -> None:
        #: The epoch: the INDEX_STATE token this index was built at.
        self.token = token
        # The last change row is read before the testimonies: a change committed in between is
        # applied again later, which is harmless (a change row says only "read this again").
        #: The last change row applied.
        self.applied = connection.execute(select(func.max(IndexChange.seq))).scalar() or 0
        # Plain SQL and plain values: this reads every testimony, so no per-row ORM or enum work.
        # The rows are read in chunks and each facet value is kept as a number as it is met, so
        # the build never holds every row, nor a string per facet value, at once (at 100,000
        # testimonies that was most of a process's peak memory).
        labels = self._labels = _Labels(connection)
        ids, visible = array("q"), array("b")
        dates = {name: array("q") for name in ("events_lo", "events_hi", "given_lo", "given_hi")}
        self.public_ids: list[str] = []
        self.titles: list[str] = []
        self.created: list[str] = []
        #: Per facet: the rows' positions, their values' codes in order of first meeting, and
        #: those codes by value.
        columns: dict[str, tuple[array, array, dict[str, int]]] = {name: (array("q"), array("q"), {}) for name in FACETS}
        spans: dict = {}
        result = connection.exec_driver_sql(_FACT_SQL + " ORDER BY t.id")
        i = 0
        while chunk := result.fetchmany(BUILD_CHUNK):
            for row in chunk:
                item = _derive(row, labels, spans)
                ids.append(row[0])
                visible.append(item.visible_to)
                dates["events_lo"].append(item.events[0])
                dates["events_hi"].append(item.events[1])
                dates["given_lo"].append(item.given[0])
                dates["given_hi"].append(item.given[1])
                self.public_ids.append(item.public_id)
                self.titles.append(item.title)
                self.created.append(item.created)
                for facet, value in item.values:
                    positions, codes, seen = columns[facet]
                    code = seen.get(value)
                    if code is None:
                        code = seen[value] = len(seen)
                    positions.append(i)
                    codes.append(code)
                i += 1
        n = self.size = i
        self.ids = np.array(ids, dtype=np.int64)
        #: Positions in id order when ids are not ascending (a testimony added with a lower id
        #: than one already applied); None while they are.
        self.id_sorter: Optional[np.ndarray] = None
        self.visible_to = np.array(visible, dtype=np.int8)
        self.events_lo, self.events_hi = np.array(dates["events_lo"], dtype=np.int64), np.array(dates["events_hi"], dtype=np.int64)
        self.given_lo, self.given_hi = np.array(dates["given_lo"], dtype=np.int64), np.array(dates["given_hi"], dtype=np.int64)
        self.facets = {}
        for name in FACETS:
            positions, codes, seen = columns[name]
            distinct = sorted(seen)
            lookup = {value: code for code, value in enumerate(distinct)}
            # From order of meeting to the sorted values' order.
            recode = np.empty(len(seen), dtype=np.int64)
            for value, first_met in seen.items():
                recode[first_met] = lookup[value]
            pairs = [labels.label(name, value) for value in distinct]
            self.facets[name] = _facet(
                name, distinct, [label for label, _ in pairs], np.array([r for _, r in pairs], dtype=np.int8),
                lookup, n, np.array(positions, dtype=np.int64),
                recode[np.array(codes, dtype=np.int64)] if len(codes) else np.zeros(0, dtype=np.int64))
        self.orders = self._sorted_orders()
        self._forget()

    def _set(self, i: int, item: _Testimony) -> None:
        self.visible_to[i] = item.visible_to
        self.events_lo[i], self.events_hi[i] = item.events
        self.given_lo[i], self.given_hi[i] = item.given
        for column, value in ((self.public_ids, item.public_id), (self.titles, item.title),
                              (self.created, item.created)):
            if i < len(column):
                column[i] = value
            else:
                column.append(value)

    def _forget(self) -> None:
        #: Values derived from this index alone (facet counts of the unfiltered list per viewer
        #: rank, ...): the same for every request while this object is current, and any change
        #: makes a new object, so this cache lives and dies with the data it was computed from.
        self._memo: dict[tuple, object] = {}
        self._recent: "OrderedDict[tuple, object]" = OrderedDict()
        self._recent_lock = threading.Lock()

    # --- sort orders --------------------------------------------------------------------------

    def _sort_key(self, sort: str) -> Callable[[int], tuple]:
        """The key each stored order ascends by (unique: it ends with the catalogue number)."""
        pids, titles, created, ids = self.public_ids, self.titles, self.created, self.ids
        catalogue = lambda p: (len(pids[p]), pids[p])  # noqa: E731
        if sort == "id":
            return catalogue
        if sort == "title":
            return lambda p: (titles[p], *catalogue(p))
        if sort == "added":
            return lambda p: (created[p], int(ids[p]))
        days = {"given": self.given_lo, "-given": self.given_hi, "events": self.events_lo, "-events": self.events_hi}[sort]
        sign = -1 if sort.startswith("-") else 1
        # Unknown dates last; ties in catalogue order.
        return lambda p: (days[p] == 0, sign * int(days[p]), *catalogue(p))

    def _sorted_orders(self) -> dict[str, np.ndarray]:
        n = self.size
        if not n:
            return {sort: np.zeros(0, dtype=np.int64) for sort in SORTS}
        public_ids = np.array(self.public_ids, dtype=str)
        lengths = np.fromiter((len(p) for p in self.public_ids), dtype=np.int64, count=n)
        catalogue = np.lexsort((public_ids, lengths))
        place_in_catalogue = np.empty(n, dtype=np.int64)
        place_in_catalogue[catalogue] = np.arange(n)

        def by_date(days: np.ndarray, newest_first: bool) -> np.ndarray:
            return np.lexsort((place_in_catalogue, -days if newest_first else days, days == 0)).astype(np.int64)

        return {
            "id": catalogue.astype(np.int64),
            "given": by_date(self.given_lo, False),
            "-given": by_date(self.given_hi, True),
            "events": by_date(self.events_lo, False),
            "-events": by_date(self.events_hi, True),
            "title": np.lexsort((place_in_catalogue, np.array(self.titles, dtype=str))).astype(np.int64),
            "added": np.lexsort((self.ids, np.array(self.created, dtype=str))).astype(np.int64),
        }

    def _patched_orders(self, changed: np.ndarray) -> dict[str, np.ndarray]:
        """The orders with the changed positions taken out and put back where their keys now go."""
        if changed.size > RESORT_AFTER:
            return self._sorted_orders()
        is_changed = np.zeros(self.size, dtype=bool)
        is_changed[changed] = True
        orders = {}
        for sort, order in self.orders.items():
            kept = order[~is_changed[order]]
            key = self._sort_key(sort)
            moving = sorted((int(p) for p in changed), key=key)
            where = [bisect.bisect_left(kept, key(p), key=key) for p in moving]
            orders[sort] = np.insert(kept, where, moving).astype(np.int64)
        return orders

    # --- changes ------------------------------------------------------------------------------

    def positions_of(self, ids: np.ndarray) -> np.ndarray:
        """Each id's position in the index, -1 for ids it does not hold."""
        found = np.full(ids.size, -1, dtype=np.int64)
        if not ids.size or not self.size:
            return found
        ordered = self.ids if self.id_sorter is None else self.ids[self.id_sorter]
        where = np.minimum(np.searchsorted(ordered, ids), self.size - 1)
        hit = ordered[where] == ids
        found[hit] = where[hit] if self.id_sorter is None else self.id_sorter[where[hit]]
        return found

    def patched(self, connection, changes: list[tuple[int, Optional[int]]]) -> "CatalogIndex":
        """A new index: this one with the change rows applied (the testimonies they name read
        again from the database; places and sources too when a row says they changed)."""
        new = copy.copy(self)
        new.applied = max(self.applied, max(seq for seq, _ in changes))
        labels = _Labels(connection) if any(t is None for _, t in changes) else self._labels
        new._labels = labels
        ids = sorted({t for _, t in changes if t is not None})
        facts = _fetch_facts(connection, ids)
        wanted = np.array(ids, dtype=np.int64)
        positions = self.positions_of(wanted)
        added = [t for t, p in zip(ids, positions) if p < 0 and t in facts]
        size = new.size = self.size + len(added)
        new.ids = np.concatenate((self.ids, np.array(added, dtype=np.int64)))
        if added and (self.id_sorter is not None or (self.size and added[0] < self.ids[-1])):
            new.id_sorter = np.argsort(new.ids, kind="stable")
        grow = lambda a: np.concatenate((a, np.zeros(len(added), dtype=a.dtype)))  # noqa: E731
        new.visible_to = grow(self.visible_to)
        new.events_lo, new.events_hi = grow(self.events_lo), grow(self.events_hi)
        new.given_lo, new.given_hi = grow(self.given_lo), grow(self.given_hi)
        new.public_ids, new.titles, new.created = list(self.public_ids), list(self.titles), list(self.created)
        position_of = {t: int(p) for t, p in zip(ids, positions) if p >= 0}
        position_of.update({t: self.size + i for i, t in enumerate(added)})
        rows: dict[str, list[tuple[int, str]]] = {name: [] for name in FACETS}
        spans: dict = {}
        for t, position in position_of.items():
            if t not in facts:
                # Gone from the table altogether: ranked out, with no facet rows.
                new.visible_to[position] = NEVER
                continue
            item = _derive(facts[t], labels, spans)
            new._set(position, item)
            for facet, value in item.values:
                rows[facet].append((position, value))
        changed = np.array(sorted(position_of.values()), dtype=np.int64)
        new.facets = {}
        for name, facet in self.facets.items():
            if labels is not self._labels and name in ("place", "source"):
                facet = facet.relabelled(labels)
            new.facets[name] = facet.patched(changed, size, rows[name], labels) if changed.size else facet
        new.orders = new._patched_orders(changed) if changed.size else self.orders
        new._forget()
        new._carry_counts(self, changed)
        return new

    def _carry_counts(self, old: "CatalogIndex", changed: np.ndarray) -> None:
        """Carry the old index's unfiltered counts over, corrected by the changed testimonies'
        rows as they were and as they are (far cheaper than counting every row again)."""
        # A snapshot: other threads may be adding to the old index's cache meanwhile.
        for key, counts in list(old._memo.items()):
            if key[0] != "counts":
                continue
            _, name, rank = key
            before, after = old.facets[name], self.facets[name]
            width = len(after.values)
            carried = np.zeros(width, dtype=np.int64)
            carried[:counts.size] = counts
            if changed.size:
                at, codes = before.rows_at(changed[changed < old.size])
                carried -= np.bincount(codes[old.visible_to[at] <= rank], minlength=width)
                at, codes = after.rows_at(changed)
                carried += np.bincount(codes[self.visible_to[at] <= rank], minlength=width)
            carried.flags.writeable = False
            self._memo[key] = carried

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
        positions = self.positions_of(np.fromiter(set(testimony_ids), dtype=np.int64))
        mask = np.zeros(self.size, dtype=bool)
        mask[positions[positions >= 0]] = True
        return mask

    def counts(self, facet: str, mask: np.ndarray) -> np.ndarray:
        return self.facets[facet].counts(mask)

    def cached(self, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()`, kept for as long as this index is current: any change makes a new index
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
        sort = sort if sort in self.orders else DEFAULT_SORT
        order = self.orders[sort]
        if sort in REVERSED:
            order = order[::-1]
        chosen = order[mask[order]]
        start = (page - 1) * size
        return [int(i) for i in self.ids[chosen[start:start + size]]], int(chosen.size)


_cache: "OrderedDict[str, CatalogIndex]" = OrderedDict()
#: Alternate-name indexes by database, with the names token they were built at.
_names: "OrderedDict[str, tuple[str, NameIndex]]" = OrderedDict()
_lock = threading.Lock()
#: Databases whose indexes one process keeps.
KEPT = 8


def _keep(cache: OrderedDict, key: str, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > KEPT:
        cache.popitem(last=False)


def pending_changes(connection, applied: int) -> Optional[list[tuple[int, Optional[int]]]]:
    """The change rows after `applied`, in order; None when some of them may have been pruned
    (pruning deletes a prefix of the sequence, so nothing is missing while the oldest row left
    comes at most right after `applied`)."""
    rows = connection.execute(
        select(IndexChange.seq, IndexChange.testimony_id).where(IndexChange.seq > applied).order_by(IndexChange.seq)
    ).all()
    if rows and applied < connection.execute(select(func.min(IndexChange.seq))).scalar_one() - 1:
        return None
    return [(seq, testimony_id) for seq, testimony_id in rows]


def current(session: Session) -> CatalogIndex:
    """The index for this session's database as it now stands: the process's copy with the
    changes written since applied, or a new build when there is none for this epoch.

    A session whose open transaction wrote changes gets a copy of its own: what it wrote is not
    committed, so it must not reach the copy other requests share."""
    token = session.scalar(select(SearchState.token).where(SearchState.id == INDEX_STATE))
    connection = session.connection()
    if token is None:
        # No state row (wiped): never trust a cache, build for this request only.
        return CatalogIndex("", connection)
    if session.info.get(PENDING_CHANGES):
        return _private(session, token)
    key = session.get_bind().url.render_as_string(hide_password=False)
    found = _cache.get(key)
    if found is not None and found.token == token:
        changes = pending_changes(connection, found.applied)
        if changes is not None:
            if not changes:
                return found
            with _lock:
                latest = _cache.get(key)
                if latest is not None and latest.token == token and latest.applied >= found.applied:
                    found = latest
                changes = [change for change in changes if change[0] > found.applied]
                if not changes:
                    return found
                patched = found.patched(connection, changes)
                _keep(_cache, key, patched)
                return patched
    with _lock:
        latest = _cache.get(key)
        if latest is not None and latest is not found and latest.token == token:
            return latest
        built = CatalogIndex(token, connection)
        _keep(_cache, key, built)
        return built


def _private(session: Session, token: str) -> CatalogIndex:
    """The index as this session's open transaction sees it, kept in the session until the
    transaction ends (indexing.py drops it then)."""
    connection = session.connection()
    key = session.get_bind().url.render_as_string(hide_password=False)
    base = session.info.get(PRIVATE_INDEX)
    if base is None or base.token != token:
        base = _cache.get(key)
    if base is not None and base.token == token:
        changes = pending_changes(connection, base.applied)
        if changes is not None:
            index = base.patched(connection, changes) if changes else base
            session.info[PRIVATE_INDEX] = index
            return index
    index = session.info[PRIVATE_INDEX] = CatalogIndex(token, connection)
    return index


def names(session: Session) -> NameIndex:
    """The alternate-name index for this session's database, rebuilt when a name has changed.
    Only searches use it, so a browse never waits for it."""
    token = session.scalar(select(SearchState.token).where(SearchState.id == NAMES_STATE))
    connection = session.connection()
    if token is None:
        return NameIndex(connection)
    key = session.get_bind().url.render_as_string(hide_password=False)
    found = _names.get(key)
    if found is not None and found[0] == token:
        return found[1]
    with _lock:
        found = _names.get(key)
        if found is not None and found[0] == token:
            return found[1]
        # Keyed by the token it was built at: a token written by a transaction that is rolled
        # back is never read again, so a name index holding uncommitted names is never reused.
        built = NameIndex(connection)
        _keep(_names, key, (token, built))
        return built
