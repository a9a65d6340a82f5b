"""Sources: the documents and recordings the catalog took its material from."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import AccessLevel, Base, SourceKind, Timestamp, enum_column, utcnow


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind))
    #: Publisher or author; None when unknown.
    publisher_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agents.id"), index=True)
    date_edtf: Mapped[Optional[str]] = mapped_column(String(100))
    date_lower: Mapped[Optional[dt.date]] = mapped_column(Date)
    date_upper: Mapped[Optional[dt.date]] = mapped_column(Date)
    language: Mapped[Optional[str]] = mapped_column(String(35))
    #: Where the original is found: a URL or a shelf mark.
    location: Mapped[str] = mapped_column(String(2000), default="")
    #: Neutral note on the source's stance or affiliation (sanitized HTML).
    stance_note_html: Mapped[str] = mapped_column(Text, default="")
    #: A full citation as a reader would write it (plain text).
    citation: Mapped[str] = mapped_column(Text, default="")
    #: The source as published may itself be restricted (e.g. an unpublished submission).
    access_level: Mapped[AccessLevel] = mapped_column(enum_column(AccessLevel), default=AccessLevel.PUBLIC)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    publisher: Mapped[Optional["Agent"]] = relationship()  # noqa: F821
    files: Mapped[list["SourceFile"]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="SourceFile.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Source {self.key!r}>"


class SourceFile(Base):
    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[Optional[int]] = mapped_column(Integer)
    #: Hex SHA-256 of the file's bytes, so a copy can be checked against what was catalogued.
    sha256: Mapped[str] = mapped_column(String(64))
    access_level: Mapped[AccessLevel] = mapped_column(enum_column(AccessLevel), default=AccessLevel.PUBLIC)

    source: Mapped[Source] = relationship(back_populates="files")

    def __repr__(self) -> str:
        return f"<SourceFile {self.filename!r} {self.sha256[:12]}>"
