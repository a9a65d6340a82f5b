"""Immutable revisions: every saved state of a record, chained by hash."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamp, utcnow


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "testimony", "agent", "place", "occasion", "source".
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    #: 1 for the first saved state, then 2, 3…
    number: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    #: Who saved it, in words; kept even if the user is later renamed ("seed loader").
    actor_label: Mapped[str] = mapped_column(String(200))
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    #: The record's full state as canonical JSON.
    snapshot: Mapped[str] = mapped_column(Text)
    #: SHA-256 over the previous hash and the snapshot: altering any revision breaks the chain.
    sha256: Mapped[str] = mapped_column(String(64))
    previous_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Revision {self.entity_type}:{self.entity_id} #{self.number}>"
