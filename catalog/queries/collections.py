"""Collections as readers see them: each with the number of its testimonies the viewer may read,
and a page of those testimonies. A collection none of whose testimonies the viewer may read is
absent for them (its title and description could say what it holds): readers never learn of a
collection of restricted testimony; archivists see every collection."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Collection, Testimony
from ..models.collections import testimony_collections
from ..viewer import Viewer
from .records import CollectionPage, CollectionRef, CollectionSummary
from .testimonies import SUMMARY_LOADING, testimony_summary
from .visibility import testimony_visibility, visible_testimonies


def _visible_counts(viewer: Viewer):
    """(collection id, testimonies of it this viewer may see) of every collection with any."""
    return (
        select(testimony_collections.c.collection_id, func.count())
        .join(Testimony, Testimony.id == testimony_collections.c.testimony_id)
        .where(testimony_visibility(viewer))
        .group_by(testimony_collections.c.collection_id)
    )


def list_collections(session: Session, viewer: Viewer) -> list[CollectionSummary]:
    """Every collection this viewer may know of, by title, with the count of its testimonies they may read."""
    counts = {collection_id: count for collection_id, count in session.execute(_visible_counts(viewer))}
    rows = session.execute(
        select(Collection.id, Collection.key, Collection.title, Collection.description_html)
        .order_by(func.lower(Collection.title), Collection.key)
    ).all()
    return [
        CollectionSummary(CollectionRef(row.key, row.title), row.description_html, counts.get(row.id, 0))
        for row in rows
        if viewer.is_staff or counts.get(row.id, 0) > 0
    ]


def get_collection(session: Session, viewer: Viewer, key: str, *, limit: int, offset: int = 0) -> Optional[CollectionPage]:
    """A collection with one page of the testimonies this viewer may read in it, by public id;
    None when there is no such collection for them."""
    collection = session.execute(
        select(Collection.id, Collection.key, Collection.title, Collection.description_html).where(Collection.key == key)
    ).first()
    if collection is None:
        return None
    total = session.scalar(
        select(func.count()).select_from(Testimony).where(
            testimony_visibility(viewer),
            Testimony.id.in_(select(testimony_collections.c.testimony_id)
                             .where(testimony_collections.c.collection_id == collection.id)),
        )
    )
    if total == 0 and not viewer.is_staff:
        return None
    testimonies = session.scalars(
        visible_testimonies(viewer)
        .where(Testimony.id.in_(select(testimony_collections.c.testimony_id)
                                .where(testimony_collections.c.collection_id == collection.id)))
        .options(*SUMMARY_LOADING)
        .order_by(Testimony.public_id)
        .limit(limit)
        .offset(offset)
    ).all()
    return CollectionPage(
        summary=CollectionSummary(CollectionRef(collection.key, collection.title), collection.description_html, total),
        testimonies=tuple(testimony_summary(viewer, t) for t in testimonies),
        offset=offset,
        limit=limit,
    )
