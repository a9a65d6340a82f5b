"""Testimonies for downloads: as many as the catalog holds, read a batch at a time in a few queries
per batch, and cut for the viewer by the same record builders as one record's page (visibility,
redactions, the protected-identity rule).

Memory stays bounded whatever the size of the catalog: BATCH testimonies at a time, and their
passages in groups of about PASSAGES_AT_ONCE (a longer testimony alone).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Iterator, Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import (
    Agent, AgentRole, Occasion, Place, Redaction, Revision, RoleKind, Segment, Source, Testimony, testimony_places,
)
from ..viewer import Viewer
from .records import SegmentRecord, TestimonyRow
from .testimony_rows import AGENT_COLUMNS, PlaceRow, agent_row
from .visibility import (
    agent_ref,
    cached_statement,
    occasion_record,
    segment_record,
    segment_visibility,
    source_ref,
    testimony_visibility,
)

#: Testimonies read per batch.
BATCH = 500
#: Passages held at once: a batch's testimonies are read in groups of about this many passages.
PASSAGES_AT_ONCE = 5000


def testimony_rows(
    session: Session, viewer: Viewer, testimony_ids: Sequence[int], *, passages: bool = False
) -> Iterator[TestimonyRow]:
    """The testimonies among these (database ids) that this viewer may see, in the order given;
    with `passages`, each carries the passages this viewer may read."""
    for start in range(0, len(testimony_ids), BATCH):
        chunk = [int(i) for i in testimony_ids[start:start + BATCH]]
        yield from _batch(session, viewer, chunk, passages)


def _statements():
    speakers = (
        select(AgentRole.testimony_id, *AGENT_COLUMNS)
        .join(Agent, Agent.id == AgentRole.agent_id)
        .where(AgentRole.testimony_id.in_(bindparam("ids", expanding=True)), AgentRole.role == RoleKind.SPEAKER)
        .order_by(AgentRole.testimony_id, AgentRole.position, AgentRole.id)
    )
    about = (
        select(testimony_places.c.testimony_id, Place.key)
        .join(Place, Place.id == testimony_places.c.place_id)
        .where(testimony_places.c.testimony_id.in_(bindparam("ids", expanding=True)))
        .order_by(testimony_places.c.testimony_id, Place.key)
    )
    revisions = (
        select(Revision.entity_id, func.max(Revision.number))
        .where(Revision.entity_type == "testimony", Revision.entity_id.in_(bindparam("ids", expanding=True)))
        .group_by(Revision.entity_id)
    )
    sources = (
        select(Source.id, Source.key, Source.title, Source.kind, Source.citation, Source.date_edtf, *AGENT_COLUMNS)
        .outerjoin(Agent, Agent.id == Source.publisher_id)
        .where(Source.id.in_(bindparam("ids", expanding=True)))
    )
    # The places of the batch's occasions and all their parents; UNION ends on a cycle.
    chain = select(Place.id, Place.key, Place.name, Place.parent_id).where(Place.id.in_(bindparam("ids", expanding=True)))
    chain = chain.cte("download_place_chain", recursive=True)
    chain = chain.union(
        select(Place.id, Place.key, Place.name, Place.parent_id).join(chain, Place.id == chain.c.parent_id)
    )
    places = select(chain.c.id, chain.c.key, chain.c.name, chain.c.parent_id)
    redactions = (
        select(Redaction.segment_id, Redaction.start, Redaction.end, Redaction.reason, Redaction.access_level)
        .join(Segment, Segment.id == Redaction.segment_id)
        .where(Segment.testimony_id.in_(bindparam("ids", expanding=True)))
        .order_by(Redaction.segment_id, Redaction.start, Redaction.id)
    )
    return SimpleNamespace(speakers=speakers, about=about, revisions=revisions, sources=sources, places=places,
                           redactions=redactions)


def _viewer_statements(viewer: Viewer):
    testimonies = (
        select(
            Testimony.id, Testimony.public_id, Testimony.title, Testimony.account_kind, Testimony.language,
            Testimony.publication_state, Testimony.access_level, Testimony.corroboration_status,
            Testimony.summary_html, Testimony.events_date_edtf, Testimony.source_id, Testimony.occasion_id,
            Occasion.key.label("o_key"), Occasion.kind.label("o_kind"), Occasion.title.label("o_title"),
            Occasion.place_id.label("o_place_id"), Occasion.date_edtf.label("o_date_edtf"),
            Occasion.date_note.label("o_date_note"),
        )
        .outerjoin(Occasion, Occasion.id == Testimony.occasion_id)
        .where(Testimony.id.in_(bindparam("ids", expanding=True)), testimony_visibility(viewer))
    )
    counts = (
        select(Segment.testimony_id, func.count())
        .where(Segment.testimony_id.in_(bindparam("ids", expanding=True)), segment_visibility(viewer))
        .group_by(Segment.testimony_id)
    )
    segments = (
        select(
            Segment.id, Segment.testimony_id, Segment.kind, Segment.text, Segment.language, Segment.direction,
            Segment.number, Segment.position, Segment.translation, Segment.translation_language,
            Segment.timecode_start, Segment.timecode_end, Segment.access_level, Segment.source_position,
            Segment.source_paragraph, Source.key.label("s_key"), *AGENT_COLUMNS,
        )
        .outerjoin(Agent, Agent.id == Segment.author_id)
        .outerjoin(Source, Source.id == Segment.source_id)
        .where(Segment.testimony_id.in_(bindparam("ids", expanding=True)), segment_visibility(viewer))
        .order_by(Segment.testimony_id, Segment.position, Segment.id)
    )
    return SimpleNamespace(testimonies=testimonies, counts=counts, segments=segments)


def _batch(session: Session, viewer: Viewer, ids: list[int], passages: bool) -> Iterator[TestimonyRow]:
    connection = session.connection()
    s = cached_statement("download_rows", None, _statements)
    v = cached_statement("download_viewer_rows", viewer, lambda: _viewer_statements(viewer))
    rows = {row.id: row for row in connection.execute(v.testimonies, {"ids": ids})}
    if not rows:
        return
    found = list(rows)
    speakers: dict[int, list] = {i: [] for i in found}
    for row in connection.execute(s.speakers, {"ids": found}):
        speakers[row.testimony_id].append(agent_ref(viewer, agent_row(row)))
    revisions = dict(connection.execute(s.revisions, {"ids": found}).all())
    about: dict[int, list[str]] = {}
    for testimony_id, key in connection.execute(s.about, {"ids": found}):
        about.setdefault(testimony_id, []).append(key)
    counts = dict(connection.execute(v.counts, {"ids": found}).all())
    sources = _sources(connection, s, {row.source_id for row in rows.values()})
    places = _places(connection, s, {row.o_place_id for row in rows.values()})

    def make(testimony_id: int, segments: tuple[SegmentRecord, ...] = ()) -> TestimonyRow:
        row = rows[testimony_id]
        occasion = None
        if row.occasion_id is not None:
            occasion = occasion_record(SimpleNamespace(
                key=row.o_key, kind=row.o_kind, title=row.o_title, place=places.get(row.o_place_id),
                date_edtf=row.o_date_edtf, date_note=row.o_date_note,
            ))
        source = sources.get(row.source_id)
        return TestimonyRow(
            public_id=row.public_id, title=row.title, account_kind=row.account_kind.value, language=row.language,
            publication_state=row.publication_state, access_level=row.access_level,
            corroboration_status=row.corroboration_status.value, summary_html=row.summary_html,
            events_date_edtf=row.events_date_edtf, occasion=occasion,
            source=source_ref(viewer, source) if source is not None else None,
            speakers=tuple(speakers[testimony_id]), revision=revisions.get(testimony_id),
            passage_count=counts.get(testimony_id, 0), segments=segments,
            about_places=tuple(about.get(testimony_id, ())),
        )

    order = [i for i in ids if i in rows]
    if not passages:
        for testimony_id in order:
            yield make(testimony_id)
        return
    for group in _groups(order, counts):
        by_testimony = _segments(connection, s, v, viewer, group, {i: rows[i].public_id for i in group})
        for testimony_id in group:
            yield make(testimony_id, tuple(by_testimony.get(testimony_id, ())))


def _groups(ids: list[int], counts: dict[int, int]) -> Iterator[list[int]]:
    """The ids in order, in groups of about PASSAGES_AT_ONCE passages (a longer testimony alone)."""
    group, size = [], 0
    for testimony_id in ids:
        count = counts.get(testimony_id, 0)
        if group and size + count > PASSAGES_AT_ONCE:
            yield group
            group, size = [], 0
        group.append(testimony_id)
        size += count
    if group:
        yield group


def _segments(
    connection: Connection, s, v, viewer: Viewer, ids: list[int], public_ids: dict[int, str]
) -> dict[int, list[SegmentRecord]]:
    segments = []
    for r in connection.execute(v.segments, {"ids": ids}):
        segments.append(SimpleNamespace(
            id=r.id, testimony_id=r.testimony_id, kind=r.kind, text=r.text, language=r.language,
            direction=r.direction, number=r.number, position=r.position, translation=r.translation,
            translation_language=r.translation_language, timecode_start=r.timecode_start,
            timecode_end=r.timecode_end, access_level=r.access_level, source_position=r.source_position,
            source_paragraph=r.source_paragraph, source=SimpleNamespace(key=r.s_key) if r.s_key else None,
            author=agent_row(r), redactions=[],
        ))
    if segments:
        by_id = {segment.id: segment for segment in segments}
        for r in connection.execute(s.redactions, {"ids": ids}):
            if r.segment_id in by_id:
                by_id[r.segment_id].redactions.append(
                    SimpleNamespace(start=r.start, end=r.end, reason=r.reason, access_level=r.access_level)
                )
    by_testimony: dict[int, list[SegmentRecord]] = {}
    for segment in segments:
        by_testimony.setdefault(segment.testimony_id, []).append(
            segment_record(viewer, segment, public_ids[segment.testimony_id])
        )
    return by_testimony


def _sources(connection: Connection, s, source_ids: set) -> dict[int, SimpleNamespace]:
    source_ids.discard(None)
    if not source_ids:
        return {}
    return {
        r.id: SimpleNamespace(key=r.key, title=r.title, kind=r.kind, citation=r.citation, date_edtf=r.date_edtf,
                              publisher=agent_row(r))
        for r in connection.execute(s.sources, {"ids": sorted(source_ids)})
    }


def _places(connection: Connection, s, place_ids: set) -> dict[int, PlaceRow]:
    place_ids.discard(None)
    if not place_ids:
        return {}
    places = {
        r.id: PlaceRow(id=r.id, key=r.key, name=r.name, parent_id=r.parent_id)
        for r in connection.execute(s.places, {"ids": sorted(place_ids)})
    }
    for node in places.values():
        node.parent = places.get(node.parent_id)
    return places

