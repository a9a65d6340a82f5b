"""The public records a sitemap lists, with when each last changed: always as the public sees them,
whoever asks (a sitemap is for search engines, and is shared by every reader)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Agent, Claim, Place, Revision, Source, Testimony
from ..viewer import Viewer
from .visibility import agent_ref_of, readable_claims, testimony_visibility

#: Kinds of record in the sitemap, in its order.
KINDS = ("testimonies", "sources", "people", "places", "claims")

_PUBLIC = Viewer.public()


def _latest_revision(entity_type: str, entity_id):
    return (
        select(func.max(Revision.created_dt))
        .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
        .scalar_subquery()
    )


def _statement(kind: str):
    """(id, what names the record in its URL, when it last changed) of the public records of a kind."""
    if kind == "testimonies":
        return select(Testimony.id, Testimony.public_id, Testimony.updated_dt).where(testimony_visibility(_PUBLIC))
    if kind == "sources":
        return select(Source.id, Source.key, _latest_revision("source", Source.id)).where(
            Source.access_level.in_(_PUBLIC.allowed_levels))
    if kind == "people":
        return select(Agent.id, Agent.key, Agent.updated_dt, Agent.kind, Agent.is_protected, Agent.identity_access)
    if kind == "places":
        return select(Place.id, Place.key, _latest_revision("place", Place.id))
    if kind == "claims":
        return readable_claims(select(Claim.id, Claim.key, Claim.created_dt), _PUBLIC)
    raise ValueError(f"no such kind of record in the sitemap: {kind}")


def sitemap_count(session: Session, kind: str) -> int:
    return session.scalar(select(func.count()).select_from(_statement(kind).subquery()))


def sitemap_entries(
    session: Session, kind: str, *, offset: int, limit: int
) -> list[tuple[str, Optional[dt.datetime]]]:
    """(the URL's public id or key, last change) of `limit` public records of a kind, by id."""
    statement = _statement(kind)
    rows = session.execute(statement.order_by(statement.selected_columns[0]).offset(offset).limit(limit))
    if kind != "people":
        return [(row[1], row[2]) for row in rows]
    # A protected person's page is named protected-<id>, by the one rule every page follows.
    return [
        (agent_ref_of(_PUBLIC, row[0], row[1], "", row[3], row[4], None, row[5]).key, row[2])
        for row in rows
    ]
