"""Keeping OAI-PMH datestamps honest: a testimony's datestamp (`Testimony.harvest_dt`) moves
whenever what a harvester gets of it changes — a save of the testimony itself, and a save of any
record its metadata shows (an agent named in it, its source and that source's files, its occasion
and the places above it, a claim on its words, a collection it is in) — so an incremental harvest
(`from=`) never misses a change.

A testimony the public cannot read keeps the datestamp of the moment it stopped being readable:
its later edits change nothing harvesters get (a deleted header), and a moving datestamp would tell
them that someone is working on it.

Every ORM flush notes the testimonies it may have changed; just before the transaction commits
they are stamped, in one UPDATE, with the commit's time (stamped earlier, a long import would carry
times from before a harvest that could not yet see its records). Writes made without the ORM (SQL,
Core bulk loads) are not seen: such a load should stamp what it changed itself.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import and_, case, event, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...models import (
    Agent,
    AgentRole,
    Claim,
    Collection,
    CorroborationChange,
    Occasion,
    Place,
    Redaction,
    Segment,
    Source,
    SourceFile,
    Testimony,
    TransmissionLink,
    testimony_collections,
)
from ... import dates
from ...models.base import utcnow
from ...models.places import place_subtree
from ...queries.visibility import once_public, testimony_visibility
from ...viewer import Viewer

#: `Session.info` key: ids of the testimonies this transaction's flushes may have changed.
_PENDING = "catalog_harvest_pending"

#: Ids are sent to the database in chunks of this many (SQLite's parameter limit).
_CHUNK = 900


def publicly_readable():
    """SQL: the testimony is one harvesters get whole (the public reads it now)."""
    return and_(once_public(), testimony_visibility(Viewer.public()))


def _chunks(ids: Iterable[int]):
    ids = sorted(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _ids(connection: Connection, column, where_column, values: set) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(v for v in values if v is not None):
        found.update(v for v in connection.execute(select(column).where(where_column.in_(chunk))).scalars()
                     if v is not None)
    return found


def _of_sources(connection: Connection, source_ids: set[int]) -> set[int]:
    """Testimonies that show these sources: taken from them, passed on by them, naming by them."""
    return (
        _ids(connection, Testimony.id, Testimony.source_id, source_ids)
        | _ids(connection, TransmissionLink.testimony_id, TransmissionLink.source_id, source_ids)
        | _ids(connection, AgentRole.testimony_id, AgentRole.named_by_source_id, source_ids)
        | _ids(connection, Segment.testimony_id, Segment.source_id, source_ids)
    )


def _of_agents(connection: Connection, agent_ids: set[int]) -> set[int]:
    """Testimonies that name these agents: in a role, in the chain, as an author, as a publisher."""
    return (
        _ids(connection, AgentRole.testimony_id, AgentRole.agent_id, agent_ids)
        | _ids(connection, TransmissionLink.testimony_id, TransmissionLink.agent_id, agent_ids)
        | _ids(connection, Segment.testimony_id, Segment.author_id, agent_ids)
        | _of_sources(connection, _ids(connection, Source.id, Source.publisher_id, agent_ids))
    )


def _changed(session: Session) -> set[int]:
    """The testimonies whose harvested metadata this flush may have changed."""
    connection = session.connection()
    testimonies: set[int] = set()
    segments, agents, sources, occasions, places, collections = set(), set(), set(), set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Testimony):
            testimonies.add(obj.id)
        elif isinstance(obj, (Segment, AgentRole, TransmissionLink, CorroborationChange)):
            testimonies.add(obj.testimony_id)
        elif isinstance(obj, (Redaction, Claim)):
            segments.add(obj.segment_id)
        elif isinstance(obj, Agent):
            agents.add(obj.id)
        elif isinstance(obj, Source):
            sources.add(obj.id)
        elif isinstance(obj, SourceFile):
            sources.add(obj.source_id)
        elif isinstance(obj, Occasion):
            occasions.add(obj.id)
        elif isinstance(obj, Place):
            places.add(obj.id)
        elif isinstance(obj, Collection):
            collections.add(obj.id)
    if segments:
        testimonies |= _ids(connection, Segment.testimony_id, Segment.id, segments)
    if agents:
        testimonies |= _of_agents(connection, agents)
    if sources:
        testimonies |= _of_sources(connection, sources)
    if places:
        occasions |= _ids(connection, Occasion.id, Occasion.place_id, place_subtree(connection, places))
    if occasions:
        testimonies |= _ids(connection, Testimony.id, Testimony.occasion_id, occasions)
    if collections:
        # A renamed key is a new set name in every member's header.
        testimonies |= _ids(connection, testimony_collections.c.testimony_id,
                            testimony_collections.c.collection_id, collections)
    testimonies.discard(None)
    return testimonies


def _before_flush(session: Session, _context, _instances) -> None:
    # A collection's members are gone once its delete is flushed: note them now.
    removed = {obj.id for obj in session.deleted if isinstance(obj, Collection) and obj.id is not None}
    if removed:
        session.info.setdefault(_PENDING, set()).update(_ids(
            session.connection(), testimony_collections.c.testimony_id, testimony_collections.c.collection_id, removed))


def _after_flush(session: Session, _context) -> None:
    changed = _changed(session)
    if changed:
        session.info.setdefault(_PENDING, set()).update(changed)


def stamp(connection: Connection, testimony_ids: Iterable[int]) -> None:
    """Give these testimonies the present as their datestamp, where harvesters see a change: those
    the public reads now, and those it read until now (which become deleted records)."""
    now = utcnow()
    readable = publicly_readable()
    for chunk in _chunks(set(testimony_ids)):
        connection.execute(
            update(Testimony)
            .where(Testimony.id.in_(chunk), or_(readable, Testimony.harvest_public.is_(True)))
            .values(harvest_dt=now, harvest_public=case((readable, True), else_=False))
        )
        # Published to the public under an embargo: harvesters get it from the embargo's first
        # moment, so that moment is its datestamp (a harvest from any day before finds it).
        for testimony_id, first in connection.execute(
            select(Testimony.id, Testimony.first_public_dt).where(
                Testimony.id.in_(chunk), Testimony.first_public_dt > dates.now())
        ).all():
            connection.execute(update(Testimony).where(Testimony.id == testimony_id)
                               .values(harvest_dt=first, harvest_public=True))


def _before_commit(session: Session) -> None:
    if not session.info.get(_PENDING) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        stamp(session.connection(), pending)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def install() -> None:
    """Listen to every ORM session (idempotent)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("before_commit", _before_commit), ("after_transaction_end", _after_transaction_end)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
