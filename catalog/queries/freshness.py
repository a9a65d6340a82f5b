"""Freshness tokens: cheap reads that change when what a page or a print shows may have changed."""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .. import dates
from ..models import Revision, SearchState, Source, Testimony
from ..models.search import CONTENT_STATE
from ..viewer import Viewer
from .visibility import testimony_visibility


def latest_revision_number(session: Session, entity_type: str, entity_id: int) -> Optional[int]:
    return session.scalar(
        select(func.max(Revision.number)).where(
            Revision.entity_type == entity_type, Revision.entity_id == entity_id
        )
    )


def source_revision(session: Session, viewer: Viewer, key: str) -> Optional[int]:
    """The latest revision number of a source this viewer may see; None when it is not theirs to see."""
    source_id = session.scalar(
        select(Source.id).where(Source.key == key, Source.access_level.in_(viewer.allowed_levels))
    )
    return None if source_id is None else latest_revision_number(session, "source", source_id)


def testimony_revisions(session: Session, viewer: Viewer, public_ids: Iterable[str]) -> dict[str, Optional[int]]:
    """Latest revision number of each of these testimonies this viewer may see (others absent).

    A cheap read for caches of printed transcripts: one query, no text loaded.
    """
    ids = list(public_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Testimony.public_id, func.max(Revision.number))
        .outerjoin(Revision, and_(Revision.entity_type == "testimony", Revision.entity_id == Testimony.id))
        .where(testimony_visibility(viewer), Testimony.public_id.in_(ids))
        .group_by(Testimony.public_id)
    ).all()
    return {public_id: number for public_id, number in rows}


def catalog_watermark(session: Session) -> int:
    """The id of the newest revision anywhere: it changes whenever any record is saved."""
    return session.scalar(select(func.max(Revision.id))) or 0


def content_token(session: Session) -> Optional[str]:
    """A token that changes with every write to what readers may see (None before the first),
    and with the day: an embargo ends on its day with nothing written, so a page kept yesterday
    is not today's."""
    token = session.scalar(select(SearchState.token).where(SearchState.id == CONTENT_STATE))
    return None if token is None else f"{token}@{dates.today().isoformat()}"
