"""Places (a hierarchy with alternate names) and the occasions testimony was given on."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from sqlalchemy import Date, Float, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, NameKind, OccasionKind, Timestamp, enum_column, utcnow


class Place(Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    #: What sort of place: country, province, city, prison, ward, grave site…
    kind: Mapped[str] = mapped_column(String(60), default="")
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("places.id"), index=True)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Optional["Place"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Place"]] = relationship(back_populates="parent", order_by="Place.name")
    names: Mapped[list["PlaceName"]] = relationship(
        back_populates="place", cascade="all, delete-orphan", order_by="PlaceName.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def ancestors(self) -> list["Place"]:
        """Parents from the nearest outwards (Evin Prison -> Tehran -> Iran)."""
        chain, node, seen = [], self.parent, {self.id}
        while node is not None and node.id not in seen:
            chain.append(node)
            seen.add(node.id)
            node = node.parent
        return chain

    def __repr__(self) -> str:
        return f"<Place {self.key!r}>"


def place_subtree(connection, place_ids: Iterable[int]) -> set[int]:
    """These places and every place within them, however deep (Iran: Tehran, Evin Prison…);
    `connection` is a Connection or a Session."""
    found = set(place_ids)
    frontier = set(found)
    while frontier:
        children = set(connection.execute(select(Place.id).where(Place.parent_id.in_(sorted(frontier)))).scalars())
        frontier = children - found
        found |= frontier
    return found


class PlaceName(Base):
    __tablename__ = "place_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[NameKind] = mapped_column(enum_column(NameKind))
    language: Mapped[Optional[str]] = mapped_column(String(35))

    place: Mapped[Place] = relationship(back_populates="names")

    def __repr__(self) -> str:
        return f"<PlaceName {self.name!r} ({self.kind.value})>"


class Occasion(Base):
    __tablename__ = "occasions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[OccasionKind] = mapped_column(enum_column(OccasionKind))
    title: Mapped[str] = mapped_column(String(500))
    place_id: Mapped[Optional[int]] = mapped_column(ForeignKey("places.id"), index=True)
    #: EDTF string ("2018-07-16?") and its inclusive bounds for sorting and filtering.
    date_edtf: Mapped[Optional[str]] = mapped_column(String(100))
    date_lower: Mapped[Optional[dt.date]] = mapped_column(Date)
    date_upper: Mapped[Optional[dt.date]] = mapped_column(Date)
    #: Why the date reads as it does (editorial, plain text).
    date_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    place: Mapped[Optional[Place]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Occasion {self.key!r} {self.date_edtf}>"
