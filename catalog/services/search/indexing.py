"""Keeping derived data in step: the full rebuild behind `catalog reindex`, and the incremental
update run after every ORM flush that touches what search or browse read."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import inspect, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...models import (
    Agent,
    AgentName,
    AgentRole,
    CorroborationChange,
    Occasion,
    Place,
    PlaceName,
    LoginAttempt,
    Redaction,
    SearchDocument,
    SearchState,
    Segment,
    Source,
    Testimony,
    TransmissionLink,
    UserSession,
)
from ...models.search import CONTENT_STATE, INDEX_STATE, NAMES_STATE
from .documents import SEGMENT_COLUMNS, rows_for_segments
from .engines import engine_for
from .facts import load_facts, load_places, load_sources

#: Segments read and indexed per batch by a full rebuild.
BATCH = 5000
#: SQLite page cache for a full rebuild, in KiB (the default is 2,000).
REINDEX_CACHE_KIB = 512 * 1024


def bump(connection: Connection, *states: int) -> None:
    """Tell every process that derived data (INDEX_STATE), any record (CONTENT_STATE) or names
    (NAMES_STATE) changed; their caches compare these tokens. Without states: the derived data.
    A change to the derived data is always a change of content too."""
    states = set(states or (INDEX_STATE,))
    if INDEX_STATE in states:
        states.add(CONTENT_STATE)
    for row in sorted(states):
        token = uuid.uuid4().hex
        updated = connection.execute(
            text("UPDATE search_state SET token = :token, updated_dt = CURRENT_TIMESTAMP WHERE id = :id"),
            {"token": token, "id": row},
        )
        if updated.rowcount == 0:
            # The state rows are themselves derived data: recreate one when it has been wiped.
            connection.execute(
                text("INSERT INTO search_state (id, token, updated_dt) VALUES (:id, :token, CURRENT_TIMESTAMP)"),
                {"token": token, "id": row},
            )


@dataclass(frozen=True)
class ReindexReport:
    testimonies: int
    segments: int
    rows: int
    seconds: float


def reindex_all(connection: Connection, progress=None) -> ReindexReport:
    """Rebuild the whole search index from the base tables, in batches; the caller commits."""
    started = time.monotonic()
    engine = engine_for(connection)
    facts = load_facts(connection)
    places = load_places(connection)
    sources = load_sources(connection)
    facet_cache: dict = {}
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # The FTS5 rebuild touches far more pages than SQLite's default 2 MB cache holds; with a
        # small cache it spills to the write-ahead log over and over (mostly system time).
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{REINDEX_CACHE_KIB}")
    engine.clear()
    engine.before_bulk()
    last_id, segments, rows = 0, 0, 0
    while True:
        batch = connection.execute(
            select(*SEGMENT_COLUMNS).where(Segment.id > last_id).order_by(Segment.id).limit(BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1][0]
        index_rows = rows_for_segments(connection, batch, facts, places, sources, facet_cache)
        engine.insert(index_rows, bulk=True)
        segments += len(batch)
        rows += len(index_rows)
        if progress:
            progress(segments)
    engine.after_bulk()
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
    bump(connection, INDEX_STATE, NAMES_STATE)
    return ReindexReport(len(facts), segments, rows, time.monotonic() - started)


def update_index(connection: Connection, testimony_ids: set[int], segment_ids: set[int], source_ids: set[int]) -> None:
    """Re-derive the index rows of these testimonies' segments, these segments, and these sources'
    own framing."""
    segment_ids = set(segment_ids)
    if testimony_ids:
        ids = list(testimony_ids)
        for start in range(0, len(ids), 900):
            segment_ids.update(connection.execute(
                select(Segment.id).where(Segment.testimony_id.in_(ids[start:start + 900]))
            ).scalars())
    if source_ids:
        segment_ids.update(connection.execute(
            select(Segment.id).where(Segment.source_id.in_(list(source_ids)), Segment.testimony_id.is_(None))
        ).scalars())
    engine = engine_for(connection)
    if segment_ids:
        engine.delete_segments(sorted(segment_ids))
        ids = sorted(segment_ids)
        segments = []
        for start in range(0, len(ids), 900):
            segments.extend(connection.execute(
                select(*SEGMENT_COLUMNS).where(Segment.id.in_(ids[start:start + 900]))
            ).all())
        owners = {s[1] for s in segments if s[1] is not None}
        facts = load_facts(connection, owners)
        # One facet computation per testimony, not per segment (a long transcript has thousands).
        engine.insert(rows_for_segments(connection, segments, facts, load_places(connection), load_sources(connection),
                                        facet_cache={}))
    bump(connection)


# --- maintenance on every ORM write ----------------------------------------------------------

#: Classes whose changes matter only to in-process caches (names, roles): bump the token.
_CACHE_ONLY = (Agent, AgentName, AgentRole, TransmissionLink, CorroborationChange, PlaceName)


def _place_subtree(connection: Connection, place_ids: set[int]) -> set[int]:
    found, frontier = set(place_ids), set(place_ids)
    while frontier:
        children = set(connection.execute(select(Place.id).where(Place.parent_id.in_(list(frontier)))).scalars())
        frontier = children - found
        found |= frontier
    return found


@dataclass
class _Touched:
    """What one flush wrote, as the derived data sees it."""

    testimonies: set[int] = field(default_factory=set)
    segments: set[int] = field(default_factory=set)
    sources: set[int] = field(default_factory=set)
    occasions: set[int] = field(default_factory=set)
    places: set[int] = field(default_factory=set)
    #: Something search or browse read (or their in-process caches) changed.
    relevant: bool = False
    #: An agent's or a place's names changed (the alternate-name index).
    names: bool = False
    #: Anything readers may see changed (cached pages).
    content: bool = False


#: Classes whose rows make up the alternate-name index (services/search/names.py).
_NAMED = (Agent, AgentName, Place, PlaceName)

#: Classes whose writes change nothing a page shows to readers (sign-ins and the derived search
#: rows themselves). Accounts do count: a display name appears in revision histories.
_NOT_CONTENT = (UserSession, LoginAttempt, SearchDocument, SearchState)


#: Columns whose change alone says only that a record was saved (its children may have changed,
#: and those are indexed by themselves): no indexed fact of the testimony itself changes.
_BOOKKEEPING = frozenset({"version", "updated_dt"})


def _only_bookkeeping(obj) -> bool:
    """A saved testimony whose own indexed values did not change (a segment was edited)."""
    state = inspect(obj)
    if state.pending or state.deleted or state.was_deleted:
        return False
    changed = {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}
    return changed <= _BOOKKEEPING


def _collect(session: Session) -> _Touched:
    touched = _Touched()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Testimony) and obj in session.dirty and _only_bookkeeping(obj):
            touched.content = True
            continue
        touched.names = touched.names or isinstance(obj, _NAMED)
        touched.content = touched.content or not isinstance(obj, _NOT_CONTENT)
        if isinstance(obj, Testimony):
            touched.testimonies.add(obj.id)
        elif isinstance(obj, Segment):
            # A segment's index row holds its testimony's facts, which no segment changes: the
            # segment alone is indexed again, not every passage of its testimony.
            touched.segments.add(obj.id)
        elif isinstance(obj, Redaction):
            if obj.segment_id is not None:
                touched.segments.add(obj.segment_id)
        elif isinstance(obj, Occasion):
            touched.occasions.add(obj.id)
        elif isinstance(obj, Place):
            touched.places.add(obj.id)
        elif isinstance(obj, Source):
            touched.sources.add(obj.id)
        elif isinstance(obj, _CACHE_ONLY):
            touched.relevant = True
    touched.relevant = touched.relevant or bool(
        touched.testimonies or touched.segments or touched.sources or touched.occasions or touched.places)
    return touched


def _after_flush(session: Session, _context) -> None:
    touched = _collect(session)
    if not touched.relevant:
        if touched.content:
            bump(session.connection(), CONTENT_STATE)
        return
    connection = session.connection()
    testimonies, segments, sources, occasions = touched.testimonies, touched.segments, touched.sources, touched.occasions
    testimonies.discard(None)
    segments.discard(None)
    if touched.names:
        bump(connection, NAMES_STATE)
    if touched.places:
        # A moved or renamed place changes the place facet of every testimony given beneath it.
        subtree = list(_place_subtree(connection, touched.places))
        occasions.update(connection.execute(select(Occasion.id).where(Occasion.place_id.in_(subtree))).scalars())
    if occasions:
        testimonies.update(connection.execute(
            select(Testimony.id).where(Testimony.occasion_id.in_(list(occasions)))
        ).scalars())
    if sources:
        testimonies.update(connection.execute(select(Testimony.id).where(Testimony.source_id.in_(list(sources)))).scalars())
    update_index(connection, testimonies, segments, sources)


def install() -> None:
    """Listen to every ORM session's flushes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
