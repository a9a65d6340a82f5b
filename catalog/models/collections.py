"""Collections: groups of testimonies that archivists define (a project, a donation, a theme).

Harvesters see each collection as an OAI-PMH set; a testimony may be in any number of them. Which
collections a testimony belongs to is part of the testimony's own record (and its revisions).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamp, utcnow

#: Which testimonies each collection holds.
testimony_collections = Table(
    "testimony_collections",
    Base.metadata,
    Column("testimony_id", ForeignKey("testimonies.id", ondelete="CASCADE"), primary_key=True),
    Column("collection_id", ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    #: What the collection gathers and why (editorial HTML, sanitised).
    description_html: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Collection {self.key!r}>"
