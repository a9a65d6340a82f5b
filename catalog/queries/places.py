"""Places, with the testimonies of occasions anywhere within them, and occasions."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Occasion, Place, Testimony
from ..models.places import place_subtree
from ..viewer import Viewer
from .records import NameRecord, OccasionRecord, PlaceRecord, PlaceRef
from .testimonies import SUMMARY_LOADING, testimony_summary
from .visibility import occasion_record, place_ref, testimony_visibility, visible_testimonies


def get_place(session: Session, viewer: Viewer, key: str) -> Optional[PlaceRecord]:
    place = session.scalar(
        select(Place).where(Place.key == key).options(selectinload(Place.children), selectinload(Place.names))
    )
    if place is None:
        return None
    subtree = sorted(place_subtree(session, [place.id]))
    testimonies = session.scalars(
        visible_testimonies(viewer)
        .join(Occasion, Testimony.occasion_id == Occasion.id)
        .where(Occasion.place_id.in_(subtree))
        .options(*SUMMARY_LOADING)
        .order_by(Testimony.public_id)
    ).all()
    return PlaceRecord(
        ref=place_ref(place),
        parent_key=place.parent.key if place.parent else None,
        kind=place.kind,
        latitude=place.latitude,
        longitude=place.longitude,
        names=tuple(NameRecord(n.name, n.kind, n.language, "") for n in place.names),
        children=tuple(place_ref(child) for child in place.children),
        testimonies=tuple(testimony_summary(viewer, t) for t in testimonies),
    )


def list_places(session: Session) -> list[PlaceRef]:
    places = session.scalars(select(Place).options(selectinload(Place.parent))).all()
    return sorted((place_ref(p) for p in places), key=lambda ref: ref.full_name.casefold())


def list_place_records(session: Session, viewer: Viewer) -> list[PlaceRecord]:
    keys = list(session.scalars(select(Place.key).order_by(Place.id)))
    return [record for record in (get_place(session, viewer, key) for key in keys) if record is not None]


def list_occasions(session: Session, viewer: Viewer) -> list[OccasionRecord]:
    """Occasions of visible testimonies, and those no testimony uses yet; an occasion only a
    hidden testimony uses could say too much about it."""
    used_by_visible = select(Testimony.occasion_id).where(testimony_visibility(viewer))
    used_at_all = select(Testimony.occasion_id).where(Testimony.occasion_id.is_not(None))
    occasions = session.scalars(
        select(Occasion)
        .where(Occasion.id.in_(used_by_visible) | Occasion.id.not_in(used_at_all))
        .options(selectinload(Occasion.place))
        .order_by(Occasion.id)
    )
    return [occasion_record(occasion) for occasion in occasions]
