"""Batch reads for browse and search: many records by id in a few queries, hidden ones absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple, Optional

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from ..models import AccessLevel, Agent, AgentRole, Occasion, Redaction, RoleKind, Segment, SegmentKind, Source, Testimony
from ..viewer import Viewer
from .records import AgentRef, SegmentRecord, SourceRef, TestimonySummary
from .visibility import (
    agent_ref_of,
    cached_statement,
    segment_record,
    segment_visibility,
    source_ref,
    testimony_visibility,
)


def summaries_by_ids(session: Session, viewer: Viewer, testimony_ids: list[int]) -> list[TestimonySummary]:
    """Summaries of these testimonies (by database id) in the order given; hidden ones are absent."""
    by_id = summaries_by_id(session, viewer, testimony_ids)
    return [by_id[i] for i in testimony_ids if i in by_id]


def summaries_by_id(session: Session, viewer: Viewer, testimony_ids: Iterable[int]) -> dict[int, TestimonySummary]:
    """Database id -> summary, for the testimonies among these that this viewer may see.

    Two selects of the displayed columns only (a browse page reads 50 of these per request, and
    loading ORM objects with their roles and agents cost more than the rest of the page)."""
    testimony_ids = list(set(testimony_ids))
    if not testimony_ids:
        return {}
    rows = session.execute(cached_statement("summaries", viewer, lambda: (
        select(
            Testimony.id, Testimony.public_id, Testimony.title, Testimony.account_kind, Testimony.language,
            Testimony.corroboration_status, Testimony.access_level, Testimony.publication_state,
            Occasion.title, Occasion.date_edtf,
        )
        .outerjoin(Occasion, Occasion.id == Testimony.occasion_id)
        # One expanding parameter: the ids are passed as they are, not coerced one by one.
        .where(Testimony.id.in_(bindparam("summary_ids", expanding=True)), testimony_visibility(viewer))
    )), {"summary_ids": testimony_ids}).all()
    speakers: dict[int, list[AgentRef]] = {row[0]: [] for row in rows}
    if speakers:
        for role in session.execute(cached_statement("speakers", None, lambda: (
            select(
                AgentRole.testimony_id, Agent.id, Agent.key, Agent.preferred_name, Agent.kind, Agent.is_protected,
                Agent.public_pseudonym, Agent.identity_access,
            )
            .join(Agent, Agent.id == AgentRole.agent_id)
            .where(AgentRole.testimony_id.in_(bindparam("speaker_ids", expanding=True)), AgentRole.role == RoleKind.SPEAKER)
            .order_by(AgentRole.testimony_id, AgentRole.position, AgentRole.id)
        )), {"speaker_ids": list(speakers)}):
            speakers[role[0]].append(agent_ref_of(viewer, *role[1:]))
    return {
        row[0]: TestimonySummary(
            public_id=row[1],
            title=row[2],
            account_kind=row[3].value,
            language=row[4],
            speakers=tuple(speakers[row[0]]),
            occasion_title=row[8],
            date_edtf=row[9],
            corroboration_status=row[5].value,
            access_level=row[6],
            publication_state=row[7],
        )
        for row in rows
    }


def source_refs_by_ids(session: Session, viewer: Viewer, source_ids: list[int]) -> dict[int, SourceRef]:
    if not source_ids:
        return {}
    sources = session.scalars(
        select(Source)
        .where(Source.id.in_(set(source_ids)), Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher))
    )
    return {source.id: source_ref(viewer, source) for source in sources}


@dataclass(frozen=True)
class _KeyRef:
    key: str


class _RedactionRow(NamedTuple):
    start: int
    end: int
    reason: str
    access_level: AccessLevel


@dataclass(frozen=True)
class _SegmentRow:
    """The columns of a segment that `segment_record` reads, from a Core select (a search page
    reads 20 of these per request; loading ORM objects with four relationships cost more)."""

    id: int
    kind: SegmentKind
    text: str
    language: str
    direction: str
    number: Optional[int]
    position: Optional[int]
    translation: Optional[str]
    translation_language: Optional[str]
    timecode_start: Optional[float]
    timecode_end: Optional[float]
    access_level: AccessLevel
    source_position: Optional[int]
    source_paragraph: Optional[int]
    author: Optional[Agent]
    source: Optional[_KeyRef]
    redactions: tuple


_PASSAGE_COLUMNS = (
    Segment.id, Segment.kind, Segment.text, Segment.language, Segment.direction, Segment.number, Segment.position,
    Segment.translation, Segment.translation_language, Segment.timecode_start, Segment.timecode_end,
    Segment.access_level, Segment.source_position, Segment.source_paragraph,
)


def passages_by_ids(session: Session, viewer: Viewer, segment_ids: list[int]) -> dict[int, SegmentRecord]:
    """Segments as this viewer may read them (redactions applied), checked again here: a segment
    of a hidden testimony, of a hidden source, or above the viewer's level is absent."""
    if not segment_ids:
        return {}
    # Joins rather than IN (subquery): the subquery would list every visible testimony.
    # One query: the segments, each with its redactions (outer join: a row per redaction).
    rows = session.execute(cached_statement("passages", viewer, lambda: (
        select(*_PASSAGE_COLUMNS, Segment.author_id, Testimony.public_id, Source.key,
               Redaction.start, Redaction.end, Redaction.reason, Redaction.access_level)
        .outerjoin(Testimony, Segment.testimony_id == Testimony.id)
        .outerjoin(Source, Segment.source_id == Source.id)
        .outerjoin(Redaction, Redaction.segment_id == Segment.id)
        .where(
            Segment.id.in_(bindparam("passage_ids", expanding=True)),
            segment_visibility(viewer),
            (Segment.testimony_id.is_not(None) & testimony_visibility(viewer))
            | (Segment.testimony_id.is_(None) & Source.access_level.in_(viewer.allowed_levels)),
        )
        .order_by(Segment.id, Redaction.start)
    )), {"passage_ids": list(set(segment_ids))}).all()
    if not rows:
        return {}
    redactions: dict[int, list[_RedactionRow]] = {}
    segments = {}
    for row in rows:
        segments.setdefault(row[0], row[:-4])
        if row[-4] is not None:
            redactions.setdefault(row[0], []).append(_RedactionRow(*row[-4:]))
    rows = list(segments.values())
    author_ids = {r[-3] for r in rows if r[-3] is not None}
    authors = {a.id: a for a in session.scalars(select(Agent).where(Agent.id.in_(author_ids)))} if author_ids else {}
    records = {}
    for row in rows:
        *columns, author_id, public_id, source_key = row
        segment = _SegmentRow(
            *columns, author=authors.get(author_id), source=_KeyRef(source_key) if source_key else None,
            redactions=tuple(redactions.get(row[0], ())),
        )
        records[row[0]] = segment_record(viewer, segment, public_id)
    return records
