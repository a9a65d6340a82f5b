"""Keeping derived data in step: the full rebuild behind `catalog reindex`, and the incremental
update run after every ORM flush that touches what search or browse read: the full-text rows are
written again, and the testimonies whose browse facts may have changed are recorded in
`index_changes`, which every process's browse index applies on its next read."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...models import (
    Agent,
    AgentName,
    AgentRole,
    Claim,
    CorroborationChange,
    IndexChange,
    Job,
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
    testimony_places,
)
from ...models.places import place_subtree
from ...models.search import CONTENT_STATE, INDEX_STATE, NAMES_STATE
from .documents import SEGMENT_COLUMNS, Tokenised, build_rows, load_redactions, rows_for_segments
from .engines import engine_for
from .facts import load_facts, load_places, load_sources
from .record_index import rebuild_records, update_records

#: Segments read and indexed per batch by a full rebuild.
BATCH = 5000
#: SQLite page cache for a full rebuild, in KiB (the default is 2,000).
REINDEX_CACHE_KIB = 512 * 1024
#: A write touching more testimonies than this starts a new index epoch (every process rebuilds)
#: rather than recording them one by one.
MAX_RECORDED = 20000
#: Change rows are pruned when older than this many minutes and not among the newest
#: KEEP_CHANGES; a process that has applied none of the newer rows rebuilds its browse index.
KEEP_MINUTES = 60
KEEP_CHANGES = 1000
#: Pruning is tried on every PRUNE_EVERY-th change row.
PRUNE_EVERY = 100
#: `Session.info` key: this session's open transaction has recorded index changes (which other
#: processes cannot see yet), so the shared browse index must not be advanced through it.
PENDING_CHANGES = "catalog_index_changes_pending"
#: `Session.info` key: the browse index as that open transaction sees it (index_cache.py).
PRIVATE_INDEX = "catalog_index_private"


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
    """Rebuild the whole search index from the base tables, in batches; the caller commits.

    This process reads the base rows and writes the index; deriving the index rows from them
    (folding and tokenising every passage, most of the work) runs in DERIVERS other processes at
    once when there are more than PARALLEL_FROM segments, so the two sides overlap.
    `progress(done, total)` hears of the segments indexed after each batch."""
    started = time.monotonic()
    engine = engine_for(connection)
    facts = load_facts(connection)
    places = load_places(connection)
    sources = load_sources(connection)
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # The FTS5 rebuild touches far more pages than SQLite's default 2 MB cache holds; with a
        # small cache it spills to the write-ahead log over and over (mostly system time).
        cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{REINDEX_CACHE_KIB}")
    engine.clear()
    engine.before_bulk()
    total = connection.execute(select(func.count()).select_from(Segment)).scalar_one()
    derivers = _derivers(total, (facts, places, sources))
    facet_cache: dict = {}
    pending: deque = deque()
    last_id, segments, rows = 0, 0, 0

    def write_one() -> None:
        nonlocal segments, rows
        count, result = pending.popleft()
        index_rows = result.get() if derivers else result
        engine.insert(index_rows, bulk=True)
        segments += count
        rows += len(index_rows)
        if progress:
            progress(segments, total)

    try:
        while True:
            batch = [tuple(row) for row in connection.execute(
                select(*SEGMENT_COLUMNS).where(Segment.id > last_id).order_by(Segment.id).limit(BATCH)
            )]
            if not batch:
                break
            last_id = batch[-1][0]
            redactions = load_redactions(connection, [segment[0] for segment in batch])
            if derivers:
                pending.append((len(batch), derivers.apply_async(_derive, (batch, redactions))))
            else:
                pending.append((len(batch), build_rows(batch, facts, places, sources, redactions, facet_cache)))
            # Keep every deriver busy while this process writes what is ready.
            while len(pending) > (2 * DERIVERS if derivers else 0):
                write_one()
        while pending:
            write_one()
    finally:
        if derivers:
            derivers.terminate()
            derivers.join()
    engine.after_bulk()
    rebuild_records(connection, facts, places, sources)
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
    bump(connection, INDEX_STATE, NAMES_STATE)
    return ReindexReport(len(facts), segments, rows, time.monotonic() - started)


#: Processes deriving index rows during a full rebuild, and the corpus size from which they are
#: started (below it, starting them costs more than they save).
DERIVERS = max(1, min(4, os.cpu_count() or 1))
PARALLEL_FROM = 50_000

#: A deriver's copy of the facts every row needs, sent once when it starts.
_deriver_facts: tuple = ()
_deriver_cache: dict = {}


def _start_deriver(facts: tuple) -> None:
    global _deriver_facts
    _deriver_facts = facts


def _derive(batch: list, redactions: dict) -> list:
    facts, places, sources = _deriver_facts
    return build_rows(batch, facts, places, sources, redactions, _deriver_cache)


def _derivers(total: int, facts: tuple):
    """A pool of deriving processes for a large rebuild, or None. They are started afresh
    ("spawn"): forking a process that may run threads (a web server, a job consumer) is unsafe."""
    if total < PARALLEL_FROM:
        return None
    context = multiprocessing.get_context("spawn")
    return context.Pool(DERIVERS, initializer=_start_deriver, initargs=(facts,))


def record_changes(connection: Connection, testimony_ids: Iterable[int], other: bool = False) -> None:
    """Record, for every process's browse index, the testimonies whose facts may have changed
    (`other`: places, sources, names or a source's framing did: labels are read again and cached
    answers dropped); the caller commits.

    The content token's row is updated first: on PostgreSQL that row lock, held to the end of the
    transaction, makes concurrent writers insert and commit their rows one after the other, so a
    reader that sees a change row has seen every row before it."""
    ids = sorted({int(t) for t in testimony_ids if t is not None})
    if len(ids) > MAX_RECORDED:
        bump(connection, INDEX_STATE)
        return
    bump(connection, CONTENT_STATE)
    # The epoch row is derived data too: recreated (a new epoch) when it has been wiped.
    connection.execute(
        text("INSERT INTO search_state (id, token, updated_dt) SELECT :id, :token, CURRENT_TIMESTAMP "
             "WHERE NOT EXISTS (SELECT 1 FROM search_state WHERE id = :id)"),
        {"id": INDEX_STATE, "token": uuid.uuid4().hex},
    )
    rows = [{"testimony_id": t} for t in ids] + ([{"testimony_id": None}] if other else [])
    if not rows:
        return
    now = dt.datetime.now(dt.timezone.utc)
    for row in rows:
        row["created_dt"] = now
    connection.execute(insert(IndexChange), rows)
    last = connection.execute(select(func.max(IndexChange.seq))).scalar_one()
    if last // PRUNE_EVERY != (last - len(rows)) // PRUNE_EVERY:
        prune_changes(connection, last, now)


def prune_changes(connection: Connection, last: int, now: dt.datetime) -> None:
    """Delete the change rows older than KEEP_MINUTES outside the newest KEEP_CHANGES. Always a
    prefix of the sequence: a reader whose last applied row is below the oldest row left may
    have missed some, and rebuilds (index_cache.pending_changes)."""
    old = connection.execute(
        select(func.max(IndexChange.seq)).where(IndexChange.created_dt < now - dt.timedelta(minutes=KEEP_MINUTES))
    ).scalar_one()
    if old is None:
        return
    cut = min(old + 1, last - KEEP_CHANGES)
    if cut > 0:
        connection.execute(delete(IndexChange).where(IndexChange.seq < cut))


def update_index(
    connection: Connection, testimony_ids: set[int], segment_ids: set[int], source_ids: set[int], other: bool = False,
    tokenised: Optional[Tokenised] = None, records: Iterable[int] = (),
) -> None:
    """Re-derive the index rows of these testimonies' segments, these segments, and these sources'
    own framing, and record the testimonies concerned for the browse indexes (`other`: see
    `record_changes`; `tokenised`: row bodies tokenised before the write, see `tokenise_ahead`).
    The record index rows of every testimony concerned, and of `records` (whose details alone
    changed: a claim, a speaker's name), are written again."""
    segment_ids = set(segment_ids)
    changed = set(testimony_ids)
    places = sources = None
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
        places, sources = load_places(connection), load_sources(connection)
        # One facet computation per testimony, not per segment (a long transcript has thousands).
        engine.insert(rows_for_segments(connection, segments, facts, places, sources,
                                        facet_cache={}, tokenised=tokenised))
        # A passage's hits are its testimony's: cached search counts over it are dropped with it.
        changed |= owners
        other = other or any(s[1] is None for s in segments) or len(segments) < len(segment_ids)
    concerned = changed | set(records)
    concerned.discard(None)
    if concerned:
        if places is None:
            places, sources = load_places(connection), load_sources(connection)
        update_records(connection, concerned, places, sources)
    record_changes(connection, changed, other or not changed)


# --- maintenance on every ORM write ----------------------------------------------------------

#: Classes whose changes matter only to in-process caches (names, roles): bump the token.
_CACHE_ONLY = (Agent, AgentName, AgentRole, TransmissionLink, CorroborationChange, PlaceName)


@dataclass
class _Touched:
    """What one flush wrote, as the derived data sees it."""

    testimonies: set[int] = field(default_factory=set)
    segments: set[int] = field(default_factory=set)
    sources: set[int] = field(default_factory=set)
    occasions: set[int] = field(default_factory=set)
    places: set[int] = field(default_factory=set)
    #: Claims' passages and agents whose changes alter testimonies' record index rows only.
    claim_segments: set[int] = field(default_factory=set)
    agents: set[int] = field(default_factory=set)
    records: set[int] = field(default_factory=set)
    #: Something search or browse read (or their in-process caches) changed.
    relevant: bool = False
    #: Something other than testimonies and their passages did (places, sources, names, roles).
    other: bool = False
    #: An agent's or a place's names changed (the alternate-name index).
    names: bool = False
    #: Anything readers may see changed (cached pages).
    content: bool = False


#: Classes whose rows make up the alternate-name index (services/search/names.py).
_NAMED = (Agent, AgentName, Place, PlaceName)

#: Classes whose writes change nothing a page shows to readers (sign-ins, jobs' progress and the
#: derived search rows themselves). Accounts do count: a display name appears in revision histories.
_NOT_CONTENT = (UserSession, LoginAttempt, SearchDocument, SearchState, Job)


#: Columns whose change alone says only that a record was saved (its children may have changed,
#: and those are indexed by themselves): no indexed fact of the testimony itself changes.
_BOOKKEEPING = frozenset({"version", "updated_dt"})


def _only_bookkeeping(obj) -> bool:
    """A saved testimony whose own indexed values did not change (a segment was edited)."""
    state = inspect(obj)
    if state.pending or state.deleted or state.was_deleted:
        return False
    changed = {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}
    # The places it speaks of are a collection, not a column: a change there is a change of facts.
    return changed <= _BOOKKEEPING and not state.attrs.about_places.history.has_changes()


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
            # segment alone is indexed again, not every passage of its testimony. (Save its access
            # level: which claims' places the testimony is about depends on it.)
            touched.segments.add(obj.id)
            if obj in session.dirty and inspect(obj).attrs.access_level.history.has_changes():
                touched.testimonies.add(obj.testimony_id)
        elif isinstance(obj, Redaction):
            if obj.segment_id is not None:
                touched.segments.add(obj.segment_id)
        elif isinstance(obj, Occasion):
            touched.occasions.add(obj.id)
        elif isinstance(obj, Place):
            touched.places.add(obj.id)
        elif isinstance(obj, Source):
            touched.sources.add(obj.id)
        elif isinstance(obj, Claim):
            # A claim's scope place is a place its testimony is about (a facet of every passage).
            touched.claim_segments.add(obj.segment_id)
            touched.relevant = True
        elif isinstance(obj, _CACHE_ONLY):
            touched.relevant = touched.other = True
            if isinstance(obj, Agent):
                touched.agents.add(obj.id)
            elif isinstance(obj, AgentRole):
                touched.records.add(obj.testimony_id)
    touched.relevant = touched.relevant or bool(
        touched.testimonies or touched.segments or touched.sources or touched.occasions or touched.places)
    return touched


def _after_flush(session: Session, _context) -> None:
    touched = _collect(session)
    if touched.relevant or touched.content:
        # From here on this transaction may record changes (here, or by a write done in SQL that
        # calls update_index itself): browse reads through it use a private index.
        session.info[PENDING_CHANGES] = True
    if not touched.relevant:
        if touched.content:
            bump(session.connection(), CONTENT_STATE)
        return
    connection = session.connection()
    testimonies, segments, sources, occasions = touched.testimonies, touched.segments, touched.sources, touched.occasions
    testimonies.discard(None)
    segments.discard(None)
    if touched.names:
        # The content row first, as every writer takes it (see record_changes): one lock order.
        bump(connection, CONTENT_STATE, NAMES_STATE)
    if touched.places:
        # A moved or renamed place changes the place facet of every testimony given beneath it.
        subtree = list(place_subtree(connection, touched.places))
        occasions.update(connection.execute(select(Occasion.id).where(Occasion.place_id.in_(subtree))).scalars())
        # And the "about" facet of every testimony speaking of a place beneath it.
        testimonies.update(connection.execute(select(testimony_places.c.testimony_id).where(
            testimony_places.c.place_id.in_(subtree))).scalars())
        testimonies.update(connection.execute(select(Segment.testimony_id).join(Claim, Claim.segment_id == Segment.id).where(
            Claim.scope_place_id.in_(subtree), Segment.testimony_id.is_not(None))).scalars())
    if occasions:
        testimonies.update(connection.execute(
            select(Testimony.id).where(Testimony.occasion_id.in_(list(occasions)))
        ).scalars())
    if sources:
        testimonies.update(connection.execute(select(Testimony.id).where(Testimony.source_id.in_(list(sources)))).scalars())
    records = set(touched.records)
    if touched.claim_segments:
        ids = [i for i in touched.claim_segments if i is not None]
        testimonies.update(connection.execute(select(Segment.testimony_id).where(
            Segment.id.in_(ids), Segment.testimony_id.is_not(None))).scalars())
    if touched.agents:
        ids = [i for i in touched.agents if i is not None]
        records.update(connection.execute(select(AgentRole.testimony_id).where(
            AgentRole.agent_id.in_(ids), AgentRole.testimony_id.is_not(None))).scalars())
    records.discard(None)
    update_index(connection, testimonies, segments, sources,
                 other=touched.other or bool(touched.places or touched.sources), records=records)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING_CHANGES, None)
        session.info.pop(PRIVATE_INDEX, None)


def install() -> None:
    """Listen to every ORM session's flushes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Session, "after_transaction_end", _after_transaction_end):
        event.listen(Session, "after_transaction_end", _after_transaction_end)
