"""What OAI-PMH harvesters may read: the testimonies the public can read now, and those it could
read once (deleted records: their identifier and datestamp, nothing else), in datestamp order; and
the sets they are grouped in. Always the public's view, whoever asks.

A testimony the public never could read does not exist here. Lists page by the keyset
(datestamp, id) on an index, so a page deep into 100,000 testimonies costs what the first does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from lxml import html
from sqlalchemy.orm import Session

from ..models import AccessLevel, AccountKind, Collection, Source, SourceFile, Testimony, testimony_collections
from ..models.base import as_utc
from ..viewer import Viewer
from .visibility import once_public, testimony_visibility

#: The public: harvesters are never anyone else, even when a signed-in archivist asks.
PUBLIC = Viewer.public()

#: The parents of the set hierarchy, with what each child set groups.
SET_PARENTS = {
    "source": "By source",
    "kind": "By kind of account",
    "collection": "By collection",
}


@dataclass(frozen=True)
class HarvestHeader:
    public_id: str
    #: When what harvesters get of it last changed (aware UTC, to the microsecond).
    datestamp: dt.datetime
    #: The public cannot read it now: harvesters get its identifier and datestamp, and no more.
    is_deleted: bool
    set_specs: tuple[str, ...] = ()


@dataclass(frozen=True)
class HarvestSet:
    spec: str
    name: str
    #: What the set gathers, as plain text ("" when there is nothing to say).
    description: str = ""


@dataclass(frozen=True)
class Selection:
    """The arguments of a list request: datestamps from (inclusive) and before (exclusive), a set."""

    from_dt: Optional[dt.datetime] = None
    before_dt: Optional[dt.datetime] = None
    set_spec: Optional[str] = None


def _readable() -> ColumnElement[bool]:
    return testimony_visibility(PUBLIC)


def _public_source():
    return Source.access_level.in_(PUBLIC.allowed_levels)


def _in_set(spec: str) -> ColumnElement[bool]:
    parent, _, value = spec.partition(":")
    if parent == "kind":
        return Testimony.account_kind == AccountKind(value) if value else true()
    if parent == "source":
        sources = select(Source.id).where(_public_source())
        return Testimony.source_id.in_(sources.where(Source.key == value) if value else sources)
    if parent == "collection":
        members = select(testimony_collections.c.testimony_id)
        if value:
            members = members.join(Collection, Collection.id == testimony_collections.c.collection_id).where(
                Collection.key == value)
        return Testimony.id.in_(members)
    return false()


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    conditions = [once_public()]
    if selection.from_dt is not None:
        conditions.append(Testimony.harvest_dt >= selection.from_dt)
    if selection.before_dt is not None:
        conditions.append(Testimony.harvest_dt < selection.before_dt)
    if selection.set_spec:
        # A deleted record is listed in every set: its harvester learns it is gone, and nobody
        # learns which sets it is in now.
        conditions.append(or_(~_readable(), _in_set(selection.set_spec)))
    return conditions


def _after(position: Optional[tuple[dt.datetime, int]]) -> list[ColumnElement[bool]]:
    if position is None:
        return []
    datestamp, testimony_id = position
    # Spelled out rather than as a row value: both databases then read a range of the index.
    return [Testimony.harvest_dt >= datestamp,
            or_(Testimony.harvest_dt > datestamp, Testimony.id > testimony_id)]


def set_exists(session: Session, spec: str) -> bool:
    """Whether a set of this spec is one ListSets names."""
    parent, colon, value = spec.partition(":")
    if parent not in SET_PARENTS or (colon and not value):
        return False
    if not value:
        return True
    if parent == "kind":
        return value in {kind.value for kind in AccountKind}
    if parent == "source":
        return session.scalar(select(Source.id).where(Source.key == value, _public_source())) is not None
    return session.scalar(select(Collection.id).where(Collection.key == value)) is not None


def list_sets(session: Session) -> list[HarvestSet]:
    """Every set, parents first: the sources the public may read, kinds of account, collections."""
    def text_of(fragment: str) -> str:
        if not fragment.strip():
            return ""
        return " ".join(html.fragment_fromstring(fragment, create_parent="div").text_content().split())

    sets = [HarvestSet(spec, name) for spec, name in SET_PARENTS.items()]
    sets += [HarvestSet(f"source:{key}", title)
             for key, title in session.execute(select(Source.key, Source.title).where(_public_source()).order_by(Source.key))]
    sets += [HarvestSet(f"kind:{kind.value}", f"Accounts: {kind.label}") for kind in AccountKind]
    sets += [HarvestSet(f"collection:{key}", title, text_of(description))
             for key, title, description in session.execute(
                 select(Collection.key, Collection.title, Collection.description_html).order_by(Collection.key))]
    return sets


def earliest_datestamp(session: Session) -> Optional[dt.datetime]:
    value = session.scalar(select(func.min(Testimony.harvest_dt)).where(once_public()))
    return as_utc(value) if value is not None else None


def _headers(session: Session, statement) -> list[tuple[HarvestHeader, tuple[dt.datetime, int]]]:
    """The headers of the rows a statement selects, each with its position in datestamp order."""
    rows = session.execute(statement).all()
    readable_ids = [row.id for row in rows if row.readable]
    collections: dict[int, list[str]] = {}
    for start in range(0, len(readable_ids), 900):
        for testimony_id, key in session.execute(
            select(testimony_collections.c.testimony_id, Collection.key)
            .join(Collection, Collection.id == testimony_collections.c.collection_id)
            .where(testimony_collections.c.testimony_id.in_(readable_ids[start:start + 900]))
            .order_by(Collection.key)
        ):
            collections.setdefault(testimony_id, []).append(key)
    headers = []
    for row in rows:
        specs: tuple[str, ...] = ()
        if row.readable:
            specs = (f"kind:{row.account_kind.value}",
                     *((f"source:{row.source_key}",) if row.source_key else ()),
                     *(f"collection:{key}" for key in collections.get(row.id, ())))
        header = HarvestHeader(row.public_id, as_utc(row.harvest_dt), not row.readable, specs)
        headers.append((header, (row.harvest_dt, row.id)))
    return headers


def _header_statement():
    return (
        select(
            Testimony.id, Testimony.public_id, Testimony.harvest_dt, Testimony.account_kind,
            case((_readable(), True), else_=False).label("readable"),
            Source.key.label("source_key"),
        )
        .outerjoin(Source, and_(Source.id == Testimony.source_id, _public_source()))
    )


def list_headers(
    session: Session, selection: Selection, after: Optional[tuple[dt.datetime, int]] = None, limit: int = 100
) -> list[tuple[HarvestHeader, tuple[dt.datetime, int]]]:
    """The next `limit` headers of the selection after a position, each with its own position
    (its exact datestamp and id, for a resumption token)."""
    statement = (
        _header_statement()
        .where(*_conditions(selection), *_after(after))
        .order_by(Testimony.harvest_dt, Testimony.id)
        .limit(limit)
    )
    return _headers(session, statement)


def count_headers(session: Session, selection: Selection, after: Optional[tuple[dt.datetime, int]] = None) -> int:
    """How many headers of the selection come after a position."""
    return session.scalar(
        select(func.count()).select_from(Testimony).where(*_conditions(selection), *_after(after))
    )


def get_header(session: Session, public_id: str) -> Optional[HarvestHeader]:
    """One testimony's header, or None when the public never could read it."""
    found = _headers(session, _header_statement().where(
        Testimony.public_id == public_id, once_public()))
    return found[0][0] if found else None


def source_media_types(session: Session, source_keys: set[str]) -> dict[str, set[str]]:
    """The media types of the files the public may read, of these sources."""
    found: dict[str, set[str]] = {}
    keys = sorted(source_keys)
    for start in range(0, len(keys), 900):
        for key, media_type in session.execute(
            select(Source.key, SourceFile.media_type)
            .join(SourceFile, SourceFile.source_id == Source.id)
            .where(Source.key.in_(keys[start:start + 900]), _public_source(),
                   SourceFile.access_level == AccessLevel.PUBLIC)
        ):
            found.setdefault(key, set()).add(media_type)
    return found
