"""Derived search data: rebuilt from the base tables by `catalog reindex`, kept in step on every
ORM write, and never required by an insert into the base tables (no foreign keys point here).

On PostgreSQL `search_documents` holds tsvector columns under GIN indexes; on SQLite it holds the
folded token text and serves as the external content of the FTS5 table `search_fts`, which the
migration creates (FTS5 is SQLite-only DDL, so that table is outside this metadata).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamp, utcnow

#: Folded tokens: a tsvector on PostgreSQL, space-separated tokens on SQLite.
TokenText = TSVECTOR().with_variant(Text(), "sqlite")


class SearchDocument(Base):
    """One searchable passage as one audience may read it (a segment has one row per distinct
    redacted form): `id` is segment_id * 4 + the lowest viewer rank reading that form."""

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False)
    segment_id: Mapped[int] = mapped_column(Integer, index=True)
    #: The testimony the passage belongs to; None for a source's own framing.
    testimony_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    source_id: Mapped[Optional[int]] = mapped_column(Integer)
    #: The passage's folded tokens (text and, when readable, translation).
    body: Mapped[str] = mapped_column(TokenText)
    #: Visibility, kind and facet tokens, so counting and filtering never leave the index.
    tags: Mapped[str] = mapped_column(TokenText)

    __table_args__ = (
        # Covering index: reading which testimony a hit belongs to never touches the wide row.
        Index("ix_search_documents_lookup", "id", "testimony_id", "segment_id", "source_id"),
    )

    def __repr__(self) -> str:
        return f"<SearchDocument {self.id} segment={self.segment_id}>"


class RecordDocument(Base):
    """One testimony's details as one audience may read them, for matching records by their
    metadata: title, speakers' names (a sealed identity by pseudonym below the rank that may see
    it), summary, occasion, places given at and about, and its claims' statements. `id` is
    testimony_id * 4 + the lowest viewer rank reading that form (one row per distinct form)."""

    __tablename__ = "record_documents"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False)
    testimony_id: Mapped[int] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(TokenText)
    tags: Mapped[str] = mapped_column(TokenText)

    def __repr__(self) -> str:
        return f"<RecordDocument {self.id} testimony={self.testimony_id}>"


#: Rows of `search_state`: the token of the derived search and browse data, the token of
#: everything readers may see (changed by every write to the records; cached pages compare it),
#: and the token of agents' and places' names (the alternate-name index compares it).
INDEX_STATE = 1
CONTENT_STATE = 2
NAMES_STATE = 3


class SearchState(Base):
    """A token that changes whenever derived data may have changed; in-process caches of facet
    and name data compare it on each request."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    updated_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchState {self.token}>"


class IndexChange(Base):
    """One testimony whose browse facts a write changed, in the order the writes committed: each
    process's browse index applies the rows after the last one it applied instead of rebuilding.

    Written in the same transaction as the change, after that transaction has taken the lock on
    the content token's row, so on PostgreSQL too a row becomes visible only after every row
    with a lower `seq` (see services/search/indexing.py `record_changes`)."""

    __tablename__ = "index_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    #: Increasing, never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)
    #: The testimony to read again; None when places, sources, names or a source's own framing
    #: changed (labels are read again and cached answers dropped).
    testimony_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_dt: Mapped[dt.datetime] = mapped_column(Timestamp(), default=utcnow)

    def __repr__(self) -> str:
        return f"<IndexChange {self.seq} testimony={self.testimony_id}>"


#: SQLite's FTS5 table and the shadow tables FTS5 creates for it: made by the migration with raw
#: DDL, so model/schema comparisons leave them out.
FTS_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
              "search_fts_content", "record_fts", "record_fts_data", "record_fts_idx", "record_fts_docsize",
              "record_fts_config", "record_fts_content")


#: PostgreSQL's GIN indexes on the tsvector columns, likewise made by the migration only.
GIN_INDEXES = ("ix_search_documents_body_gin", "ix_search_documents_tags_gin", "ix_record_documents_body_gin",
               "ix_record_documents_tags_gin")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: compare everything except the engine-specific full-text structures."""
    if type_ == "table":
        return name not in FTS_TABLES
    if type_ == "index":
        return name not in GIN_INDEXES
    return True
