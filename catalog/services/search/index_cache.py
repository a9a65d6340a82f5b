"""Which browse index each process keeps, and bringing it up to date on a read.

Each process keeps one `CatalogIndex` per database (catalog_index.py). A read takes the kept
copy with the change rows written since it was made applied (`pending_changes`), a copy of its
own when its open transaction wrote changes, or a new build for a new epoch; and, as of today,
with the testimonies whose embargo ended since read again (`_dated`). The alternate-name index
is kept here the same way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ... import dates as clock
from ...models import IndexChange, SearchState
from ...models.search import INDEX_STATE, NAMES_STATE
from .browse_facts import day_number
from .catalog_index import CatalogIndex
from .indexing import PENDING_CHANGES, PRIVATE_INDEX
from .names import NameIndex

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


def _dated(index: CatalogIndex, connection) -> CatalogIndex:
    """The index as of today: when the day has moved past (or, with a clock set back, before)
    an embargo's end since the index read it, those testimonies are read again (nothing
    scheduled lifts an embargo: the index compares the day, as the SQL read layer does)."""
    day = day_number(clock.today())
    if day == index.day or not index.embargoes:
        return index
    low, high = min(day, index.day), max(day, index.day)
    moved = [t for t, end in index.embargoes.items() if low < end <= high]
    if not moved:
        return index
    return index.patched(connection, [(index.applied, t) for t in moved])


def current(session: Session) -> CatalogIndex:
    """The index for this session's database as it now stands, as of today (`_dated`)."""
    index = _current(session)
    dated = _dated(index, session.connection())
    if dated is not index and not session.info.get(PENDING_CHANGES) and index.token:
        key = session.get_bind().url.render_as_string(hide_password=False)
        with _lock:
            if _cache.get(key) is index:
                _keep(_cache, key, dated)
    return dated


def _current(session: Session) -> CatalogIndex:
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
