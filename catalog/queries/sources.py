"""Sources read as published, and the roles their own text gives to agents."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import AgentRole, RoleKind, Segment, Source, Testimony
from ..viewer import Viewer
from .records import AgentRef, SourceRecord, SourceRef
from .testimonies import SUMMARY_LOADING, testimony_summary
from .visibility import agent_ref, sees_identity, segment_record, source_ref, visible_testimonies, visible_testimony_ids


def get_source(session: Session, viewer: Viewer, key: str) -> Optional[SourceRecord]:
    """A source read as published: its own framing and the visible testimony it quotes, in order."""
    source = session.scalar(
        select(Source)
        .where(Source.key == key, Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher), selectinload(Source.files))
    )
    if source is None:
        return None
    all_segments = session.scalars(
        select(Segment)
        .where(Segment.source_id == source.id)
        .options(
            selectinload(Segment.redactions),
            selectinload(Segment.author),
            selectinload(Segment.testimony),
            selectinload(Segment.source),
        )
        .order_by(Segment.source_position)
    ).all()
    readable_testimony_ids = visible_testimony_ids(session, viewer, (s.testimony_id for s in all_segments if s.testimony_id))
    shown, withheld = [], 0
    for segment in all_segments:
        testimony_ok = segment.testimony_id is None or segment.testimony_id in readable_testimony_ids
        if testimony_ok and viewer.may_read(segment.access_level):
            shown.append(
                segment_record(viewer, segment, segment.testimony.public_id if segment.testimony else None)
            )
        else:
            withheld += 1
    testimonies = session.scalars(
        visible_testimonies(viewer)
        .where(
            (Testimony.source_id == source.id)
            | Testimony.id.in_(select(Segment.testimony_id).where(Segment.source_id == source.id))
        )
        .options(*SUMMARY_LOADING)
        .order_by(Testimony.public_id)
    ).all()
    return SourceRecord(
        ref=source_ref(viewer, source),
        language=source.language,
        location=source.location,
        stance_note_html=source.stance_note_html,
        access_level=source.access_level,
        files=tuple(
            {"filename": f.filename, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in source.files
            if viewer.may_read(f.access_level)
        ),
        segments=tuple(shown),
        withheld_passages=withheld,
        testimonies=tuple(testimony_summary(viewer, t) for t in testimonies),
    )


def list_sources(session: Session, viewer: Viewer) -> list[SourceRef]:
    sources = session.scalars(
        select(Source)
        .where(Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher))
        .order_by(Source.title)
    )
    return [source_ref(viewer, source) for source in sources]


def list_source_roles(session: Session, viewer: Viewer) -> list[tuple[SourceRef, AgentRef, RoleKind, str]]:
    """Roles that sources' own text gives to agents (the article naming an alleged perpetrator)."""
    roles = session.scalars(
        select(AgentRole)
        .join(Source, AgentRole.source_id == Source.id)
        .where(Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(AgentRole.agent), selectinload(AgentRole.source).selectinload(Source.publisher))
        .order_by(AgentRole.id)
    )
    return [
        (
            source_ref(viewer, role.source),
            agent_ref(viewer, role.agent),
            role.role,
            role.relation_to_events if sees_identity(viewer, role.agent) else "",
        )
        for role in roles
    ]
