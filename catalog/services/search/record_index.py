"""The record index: each testimony's details as one document per audience, so a search also
finds records by their metadata — title, the speakers' visible names, summary, occasion, the
places it was given at and speaks of, and its claims' statements — apart from passage hits.

A speaker whose identity is sealed is indexed by pseudonym for the ranks that may not see the
identity, and by name only for those that may; a claim counts only for the ranks that may read
its passage. Like the passage index, the rows carry visibility and facet values as tags, are
written again on every write touching what they hold, and rebuilt by `catalog reindex`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ...models import Agent, AgentRole, Claim, Occasion, RoleKind, Segment, Testimony, testimony_places
from ...sanitize import plain_text
from .documents import RANKS, hidden_tag
from .engines import records_for
from .facts import RANK, PlaceFacts, TestimonyFacts, embargo_tag, facet_values, load_facts, place_chain, tag
from .normalise import tokens

#: Testimonies read per query when loading details in bulk.
CHUNK = 900


@dataclass(frozen=True)
class RecordRow:
    id: int
    testimony_id: int
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass
class Details:
    """What one testimony's record documents are made of, read in bulk."""

    summary: str = ""
    occasion: str = ""
    #: (name, pseudonym, lowest rank that may see the identity)
    speakers: list[tuple[str, str, int]] = field(default_factory=list)
    #: (statement, lowest rank that may read it, scope place id)
    claims: list[tuple[str, int, Optional[int]]] = field(default_factory=list)
    about: list[int] = field(default_factory=list)


def _chunks(ids: Optional[list[int]]):
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def load_details(connection: Connection, testimony_ids: Optional[Iterable[int]] = None) -> dict[int, Details]:
    """The details of these testimonies (all of them when None): a few bulk reads, no ORM."""
    ids = None if testimony_ids is None else sorted(set(testimony_ids))
    details: dict[int, Details] = {}

    def scoped(statement, column, chunk):
        return statement if chunk is None else statement.where(column.in_(chunk))

    for chunk in _chunks(ids):
        base = select(Testimony.id, Testimony.summary_html, Occasion.title).outerjoin(
            Occasion, Testimony.occasion_id == Occasion.id)
        for tid, summary, occasion in connection.execute(scoped(base, Testimony.id, chunk)):
            details[tid] = Details(plain_text(summary) if summary else "", occasion or "")
        speakers = select(AgentRole.testimony_id, Agent.preferred_name, Agent.public_pseudonym, Agent.is_protected,
                          Agent.identity_access).join(Agent, AgentRole.agent_id == Agent.id).where(
            AgentRole.role == RoleKind.SPEAKER, AgentRole.testimony_id.is_not(None))
        for tid, name, pseudonym, protected, identity in connection.execute(
                scoped(speakers, AgentRole.testimony_id, chunk)):
            if tid in details:
                details[tid].speakers.append((name or "", (pseudonym or "") if protected else "",
                                              RANK[identity] if protected else 0))
        claims = select(Segment.testimony_id, Claim.statement, Segment.access_level, Claim.scope_place_id).join(
            Segment, Claim.segment_id == Segment.id).where(Segment.testimony_id.is_not(None))
        for tid, statement, access, scope_place in connection.execute(scoped(claims, Segment.testimony_id, chunk)):
            if tid in details:
                details[tid].claims.append((statement or "", RANK[access], scope_place))
        about = select(testimony_places.c.testimony_id, testimony_places.c.place_id)
        for tid, place_id in connection.execute(scoped(about, testimony_places.c.testimony_id, chunk)):
            if tid in details:
                details[tid].about.append(place_id)
    return details


def _place_words(places: dict[int, PlaceFacts], place_id: Optional[int]) -> list[str]:
    return [place.name for place in place_chain(places, place_id)]


def _text_for(rank: int, fact: TestimonyFacts, detail: Details, places: dict[int, PlaceFacts]) -> str:
    parts = [fact.title, detail.summary, detail.occasion, *_place_words(places, fact.place_id)]
    for place_id in detail.about:
        parts.extend(_place_words(places, place_id))
    for name, pseudonym, identity_rank in detail.speakers:
        if rank >= identity_rank:
            parts.append(name)
        else:
            parts.append(pseudonym or "Protected person")
    for statement, claim_rank, scope_place in detail.claims:
        if rank >= claim_rank:
            parts.append(statement)
            parts.extend(_place_words(places, scope_place))
    return "\n".join(part for part in parts if part)


def record_rows(
    facts: dict[int, TestimonyFacts], details: dict[int, Details], places: dict[int, PlaceFacts], sources: dict,
) -> list[RecordRow]:
    """The record index rows of these testimonies: one per distinct text an audience reads."""
    rows: list[RecordRow] = []
    for tid, fact in facts.items():
        detail = details.get(tid)
        visible_to = fact.visible_to
        if detail is None or visible_to is None:
            continue
        facet_tags = tuple(tag(facet, value) for facet, values in facet_values(fact, places, sources).items()
                           for value in values)
        if fact.embargo_until is not None:
            # Hidden, as its passages are, from searches by non-staff until the embargo's day.
            facet_tags = (*facet_tags, embargo_tag(fact.embargo_until))
        groups: dict[str, list[int]] = {}
        for rank in RANKS:
            if rank >= visible_to:
                groups.setdefault(_text_for(rank, fact, detail, places), []).append(rank)
        for body, ranks in groups.items():
            tags = ("krec", *(hidden_tag(r) for r in RANKS if r not in ranks), *facet_tags)
            rows.append(RecordRow(tid * 4 + ranks[0], tid, tuple(tokens(body)), tags))
    return rows


def update_records(connection: Connection, testimony_ids: Iterable[int], places: dict[int, PlaceFacts],
                   sources: dict) -> None:
    """Write the record index rows of these testimonies again (none for a deleted one)."""
    ids = sorted({int(t) for t in testimony_ids if t is not None})
    if not ids:
        return
    engine = records_for(connection)
    engine.delete(ids)
    engine.insert(record_rows(load_facts(connection, ids), load_details(connection, ids), places, sources))


#: Testimonies whose record rows a full rebuild derives at once.
REBUILD_BATCH = 5000


def rebuild_records(connection: Connection, facts: dict[int, TestimonyFacts], places: dict[int, PlaceFacts],
                    sources: dict) -> int:
    """Rebuild the whole record index (part of `catalog reindex`); the caller commits."""
    engine = records_for(connection)
    engine.clear()
    engine.before_bulk()
    written = 0
    ids = sorted(facts)
    for start in range(0, len(ids), REBUILD_BATCH):
        chunk = ids[start:start + REBUILD_BATCH]
        rows = record_rows({tid: facts[tid] for tid in chunk}, load_details(connection, chunk), places, sources)
        engine.insert(rows, bulk=True)
        written += len(rows)
    engine.after_bulk()
    return written
