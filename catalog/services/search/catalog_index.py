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

What each testimony contributes (its facts, facet values and sort keys) is read in
`browse_facts.py`; each facet's rows and counts live in `facet_rows.py`; which index each process
keeps, and bringing it up to date on a read, in `index_cache.py`; this module holds the index,
its sort orders and the patching.
"""

from __future__ import annotations

import bisect
import copy
import threading
from array import array
from collections import OrderedDict
from typing import Callable, Iterable, Optional, TypeVar

import numpy as np
from sqlalchemy import func, select

from ... import dates as clock
from ...models import IndexChange
from .browse_facts import FACT_SQL, NEVER, BrowseRow, Labels, day_number, derive, fetch_about, fetch_facts
from .facet_rows import build_facet
from .facts import FACETS

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
#: Changes to more testimonies than this re-sort the orders instead of inserting one by one.
RESORT_AFTER = 64
#: Orders stored ascending by their key and read backwards.
REVERSED = frozenset({"added"})



#: Testimony rows read at a time by a full build.
BUILD_CHUNK = 5000


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
        labels = self._labels = Labels(connection)
        #: The day the visibility ranks were read against, and each embargoed testimony's end
        #: day by id: when the day passes one of them, `current` reads those testimonies again.
        self.day = day_number(clock.today())
        self.embargoes: dict[int, int] = {}
        ids, visible = array("q"), array("b")
        dates = {name: array("q") for name in ("events_lo", "events_hi", "given_lo", "given_hi")}
        self.public_ids: list[str] = []
        self.titles: list[str] = []
        self.created: list[str] = []
        #: Per facet: the rows' positions, their values' codes in order of first meeting, and
        #: those codes by value.
        columns: dict[str, tuple[array, array, dict[str, int]]] = {name: (array("q"), array("q"), {}) for name in FACETS}
        spans: dict = {}
        about = fetch_about(connection)
        result = connection.exec_driver_sql(FACT_SQL + " ORDER BY t.id")
        i = 0
        while chunk := result.fetchmany(BUILD_CHUNK):
            for row in chunk:
                item = derive(row, labels, spans, self.day, about.get(row[0], ()))
                if item.embargo:
                    self.embargoes[row[0]] = item.embargo
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
            self.facets[name] = build_facet(
                name, distinct, [label for label, _ in pairs], np.array([r for _, r in pairs], dtype=np.int8),
                lookup, n, np.array(positions, dtype=np.int64),
                recode[np.array(codes, dtype=np.int64)] if len(codes) else np.zeros(0, dtype=np.int64))
        self.orders = self._sorted_orders()
        self._forget()

    def _set(self, i: int, item: BrowseRow) -> None:
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
        new.day = day_number(clock.today())
        new.embargoes = dict(self.embargoes)
        new.applied = max(self.applied, max(seq for seq, _ in changes))
        labels = Labels(connection) if any(t is None for _, t in changes) else self._labels
        new._labels = labels
        ids = sorted({t for _, t in changes if t is not None})
        facts = fetch_facts(connection, ids)
        about = fetch_about(connection, ids)
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
            new.embargoes.pop(t, None)
            if t not in facts:
                # Gone from the table altogether: ranked out, with no facet rows.
                new.visible_to[position] = NEVER
                continue
            item = derive(facts[t], labels, spans, new.day, about.get(t, ()))
            if item.embargo:
                new.embargoes[t] = item.embargo
            new._set(position, item)
            for facet, value in item.values:
                rows[facet].append((position, value))
        changed = np.array(sorted(position_of.values()), dtype=np.int64)
        new.facets = {}
        for name, facet in self.facets.items():
            if labels is not self._labels and name in ("place", "about", "source"):
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

    def _chosen(self, mask: np.ndarray, sort: str) -> np.ndarray:
        """Positions of the testimonies under the mask, in the order of `sort`."""
        sort = sort if sort in self.orders else DEFAULT_SORT
        order = self.orders[sort]
        if sort in REVERSED:
            order = order[::-1]
        return order[mask[order]]

    def page(self, mask: np.ndarray, sort: str, page: int, size: int) -> tuple[list[int], int]:
        """The testimony ids on one page of the sorted, filtered list, and the total."""
        chosen = self._chosen(mask, sort)
        start = (page - 1) * size
        return [int(i) for i in self.ids[chosen[start:start + size]]], int(chosen.size)

    def ordered_ids(self, mask: np.ndarray, sort: str) -> np.ndarray:
        """Every testimony id of the sorted, filtered list (a copy: the index may be patched)."""
        return self.ids[self._chosen(mask, sort)]
