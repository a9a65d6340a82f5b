"""Staff readers for the archive workspace.

Archivists and admins see every record whole (drafts, deleted, protected names) and edit the ORM
objects these return. Each reader refuses any other viewer, so no reader path can reach them.
"""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session, selectinload

from .. import dates
from ..models import Agent, AgentName, Claim, Collection, CorroborationLink, Occasion, Place, PublicationState, Segment, Source, Testimony, User
from ..viewer import Viewer
from .records import ArchiveEntityRow, ArchiveTestimonyPage, ArchiveTestimonyRow, PickerOptions
from .visibility import place_ref


class StaffOnly(PermissionError):
    """A staff reader was called for a viewer who is not an archivist or admin."""


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise StaffOnly(f"the archive's readers are for archivists and admins, not {viewer.label} viewers")


#: Record kinds as the archive's URLs name them.
STAFF_RECORD_MODELS = {"testimonies": Testimony, "agents": Agent, "places": Place, "occasions": Occasion, "sources": Source,
                       "collections": Collection}
#: What the workspace lists and looks records up by, per kind.
_TITLE_COLUMNS = {Agent: Agent.preferred_name, Place: Place.name, Occasion: Occasion.title, Source: Source.title,
                  Collection: Collection.title}
#: Ids above this cannot name a row (the id columns are 32-bit integers); a typed value beyond it
#: is simply not a record, and must not reach the database as an out-of-range number.
_LARGEST_ID = 2**31 - 1
_PICKER_ORDER = {
    "agents": (func.lower(Agent.preferred_name),),
    "sources": (func.lower(Source.title),),
    "occasions": (Occasion.date_lower, Occasion.title),
    "places": (func.lower(Place.name),),
    "claims": (Claim.id,),
}
#: The records each picker kind chooses from (claims are picked, not listed in the workspace).
_PICKER_MODELS = {**STAFF_RECORD_MODELS, "claims": Claim}
#: The record kinds a picker chooses from.
PICKER_KINDS = tuple(_PICKER_ORDER)
_STATE_FILTERS = {state.value: Testimony.publication_state == state for state in PublicationState}
#: Snapshot id kinds and the column that names a record of that kind on the history page.
_NAME_COLUMNS = {
    "agent": (Agent.id, Agent.preferred_name),
    "source": (Source.id, Source.title),
    "occasion": (Occasion.id, Occasion.title),
    "place": (Place.id, Place.name),
    "user": (User.id, User.username),
}


def staff_testimony_page(
    session: Session, viewer: Viewer, *, state: str = "", deleted: bool = False, text: str = "", limit: int, offset: int = 0,
) -> ArchiveTestimonyPage:
    """Testimonies by state (or the deleted ones), matching `text` in title or identifier, newest changes first."""
    _require_staff(viewer)
    condition = Testimony.is_deleted.is_(deleted)
    if state in _STATE_FILTERS:
        condition = and_(condition, _STATE_FILTERS[state])
    if text:
        condition = and_(condition, Testimony.title.ilike(f"%{text}%") | Testimony.public_id.ilike(f"%{text}%"))
    columns = (Testimony.public_id, Testimony.title, Testimony.publication_state, Testimony.is_deleted,
               Testimony.access_level, Testimony.updated_dt)
    rows = session.execute(
        select(*columns).where(condition).order_by(Testimony.updated_dt.desc(), Testimony.id.desc()).limit(limit).offset(offset)
    ).all()
    counts = session.execute(
        select(Testimony.publication_state, func.count()).where(Testimony.is_deleted.is_(False)).group_by(Testimony.publication_state)
    ).all()
    return ArchiveTestimonyPage(
        rows=tuple(ArchiveTestimonyRow(*row) for row in rows),
        total=session.scalar(select(func.count()).select_from(Testimony).where(condition)),
        counts_by_state={state_.value: n for state_, n in counts},
        deleted_count=session.scalar(select(func.count()).select_from(Testimony).where(Testimony.is_deleted.is_(True))),
    )


def staff_testimony(session: Session, viewer: Viewer, public_id: str) -> Optional[Testimony]:
    """A testimony to edit, in whatever state, with its segments, redactions and roles."""
    _require_staff(viewer)
    return session.scalar(
        select(Testimony)
        .where(Testimony.public_id == public_id)
        .options(selectinload(Testimony.segments).selectinload(Segment.redactions), selectinload(Testimony.roles))
    )


def staff_record(session: Session, viewer: Viewer, kind: str, ident: str):
    """A testimony (by public id) or an agent, place, occasion or source (by key); None when there is none."""
    _require_staff(viewer)
    model = STAFF_RECORD_MODELS.get(kind)
    if model is None:
        return None
    ident_column = Testimony.public_id if model is Testimony else model.key
    return session.scalar(select(model).where(ident_column == ident))


def staff_entity_list(session: Session, viewer: Viewer, kind: str, *, text: str = "", limit: int) -> list[ArchiveEntityRow]:
    """Agents, places, occasions or sources whose name or title holds `text`, by name."""
    _require_staff(viewer)
    model = STAFF_RECORD_MODELS[kind]
    title = _TITLE_COLUMNS[model]
    query = select(model.key, title, Agent.is_protected if model is Agent else literal(False))
    if text:
        query = query.where(title.ilike(f"%{text}%"))
    rows = session.execute(query.order_by(func.lower(title)).limit(limit)).all()
    return [ArchiveEntityRow(key, name, bool(is_protected)) for key, name, is_protected in rows]


def staff_claims_of(session: Session, viewer: Viewer, testimony: Testimony) -> list[Claim]:
    """The claims on a testimony's segments, oldest first, with their segments."""
    _require_staff(viewer)
    segment_ids = [segment.id for segment in testimony.segments]
    if not segment_ids:
        return []
    return list(session.scalars(
        select(Claim).where(Claim.segment_id.in_(segment_ids)).options(selectinload(Claim.segment)).order_by(Claim.id)
    ))


def staff_claim(session: Session, viewer: Viewer, key: str) -> Optional[Claim]:
    _require_staff(viewer)
    return session.scalar(select(Claim).where(Claim.key == key).options(selectinload(Claim.segment)))


def staff_collection_choices(session: Session, viewer: Viewer, *, keep: Iterable[str] = (),
                             limit: int) -> list[tuple[str, str]]:
    """(key, title) of the collections a testimony may be put in, by title: the first `limit`, and
    those named in `keep` (the ones it is in) whatever their place."""
    _require_staff(viewer)
    rows = [(key, title) for key, title in session.execute(
        select(Collection.key, Collection.title).order_by(func.lower(Collection.title), Collection.key).limit(limit)
    )]
    missing = {key for key in keep if isinstance(key, str)} - {key for key, _ in rows}
    if missing:
        rows += [(key, title) for key, title in
                 session.execute(select(Collection.key, Collection.title).where(Collection.key.in_(missing)))]
    return rows


def staff_publication_times(session: Session, viewer: Viewer) -> dict[str, tuple]:
    """(when the public could first read it, when it was withdrawn) of every testimony that has
    either, by public id: what an archivist's export carries beside each testimony."""
    _require_staff(viewer)
    rows = session.execute(
        select(Testimony.public_id, Testimony.first_public_dt, Testimony.withdrawn_dt)
        .where(Testimony.first_public_dt.is_not(None) | Testimony.withdrawn_dt.is_not(None))
    ).all()
    return {public_id: (first_public, withdrawn) for public_id, first_public, withdrawn in rows}


def staff_username(session: Session, viewer: Viewer, user_id: Optional[int]) -> Optional[str]:
    _require_staff(viewer)
    return None if user_id is None else session.scalar(select(User.username).where(User.id == user_id))


def staff_names(session: Session, viewer: Viewer, ids_by_kind: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Readable names of these records ({"agent": {3, 7}, "user": {1}}): only the ids asked about."""
    _require_staff(viewer)
    names: dict[str, dict[int, str]] = {}
    for kind, ids in ids_by_kind.items():
        if ids and kind in _NAME_COLUMNS:
            id_column, name_column = _NAME_COLUMNS[kind]
            names[kind] = dict(session.execute(select(id_column, name_column).where(id_column.in_(ids))).all())
    return names


def _agent_label(agent: Agent) -> str:
    label = agent.preferred_name
    if agent.is_protected:
        label += f" (protected; public: {agent.public_pseudonym or 'pseudonym'})"
    return label


def _picker_label(record) -> str:
    """How a picker names a record: staff see a protected person's real name, marked as such."""
    if isinstance(record, Agent):
        return _agent_label(record)
    if isinstance(record, Occasion):
        return f"{record.title} — {dates.describe(record.date_edtf)}"
    if isinstance(record, Place):
        return place_ref(record).full_name
    if isinstance(record, Claim):
        testimony = record.segment.testimony if record.segment is not None else None
        where = f"{testimony.public_id} ¶{record.segment.number}" if testimony is not None else "a source"
        statement = record.statement if len(record.statement) <= 90 else record.statement[:89] + "…"
        return f"{statement} ({where}; {record.key})"
    return record.title


def _picker_query(model):
    query = select(model)
    if model is Claim:
        query = query.options(selectinload(Claim.segment).selectinload(Segment.testimony))
    return query


def picker_options(
    session: Session, viewer: Viewer, kind: str, *, full_list_limit: int, keep: Iterable = (), exclude: Optional[int] = None,
) -> PickerOptions:
    """A picker's records: all of them while there are fewer than `full_list_limit`, else only the
    ids in `keep` (the current choices); `exclude` is never offered (a place cannot lie within itself)."""
    _require_staff(viewer)
    model = _PICKER_MODELS[kind]
    query = _picker_query(model).order_by(*_PICKER_ORDER[kind])
    if exclude is not None:
        query = query.where(model.id != exclude)
    complete = session.scalar(select(func.count()).select_from(model)) < full_list_limit
    if not complete:
        kept_ids = {int(value) for value in map(str, keep) if value.isascii() and value.isdigit() and int(value) <= _LARGEST_ID}
        if not kept_ids:
            return PickerOptions((), complete=False)
        query = query.where(model.id.in_(kept_ids))
    return PickerOptions(tuple((record.id, _picker_label(record)) for record in session.scalars(query)), complete)


def picker_suggestions(session: Session, viewer: Viewer, kind: str, text: str, *, limit: int,
                       offset: int = 0) -> list[tuple[int, str]]:
    """(id, label) of records whose name holds `text` (an agent also by key or any other name), in
    name order, `limit` of them from `offset`; an empty `text` pages through every record."""
    _require_staff(viewer)
    model = _PICKER_MODELS[kind]
    pattern = f"%{text}%"
    if model is Agent:
        matching_names = select(AgentName.agent_id).where(AgentName.name.ilike(pattern))
        query = (
            select(Agent)
            .where(Agent.preferred_name.ilike(pattern) | Agent.key.ilike(pattern) | Agent.id.in_(matching_names))
            .order_by(func.lower(Agent.preferred_name), Agent.id)
        )
    elif model is Claim:
        query = (_picker_query(Claim).where(Claim.statement.ilike(pattern) | Claim.key.ilike(pattern))
                 .order_by(Claim.id))
    else:
        title = _TITLE_COLUMNS[model]
        query = select(model).where(title.ilike(pattern)).order_by(title, model.id)
    return [(record.id, _picker_label(record)) for record in session.scalars(query.limit(limit).offset(offset))]


def staff_claim_links(session: Session, viewer: Viewer, claim_ids: Iterable[int]) -> dict[int, list[CorroborationLink]]:
    """The links each of these claims makes or receives (staff see every one), oldest first, with
    the claims and testimonies at both ends."""
    _require_staff(viewer)
    claim_ids = list(claim_ids)
    by_claim: dict[int, list[CorroborationLink]] = {claim_id: [] for claim_id in claim_ids}
    if not claim_ids:
        return by_claim
    links = session.scalars(
        select(CorroborationLink)
        .where(CorroborationLink.from_claim_id.in_(claim_ids) | CorroborationLink.to_claim_id.in_(claim_ids))
        .options(*(selectinload(end).selectinload(Claim.segment).selectinload(Segment.testimony)
                   for end in (CorroborationLink.from_claim, CorroborationLink.to_claim)),
                 selectinload(CorroborationLink.to_testimony))
        .order_by(CorroborationLink.id)
    )
    for link in links:
        for claim_id in {link.from_claim_id, link.to_claim_id}:
            if claim_id in by_claim:
                by_claim[claim_id].append(link)
    return by_claim


def staff_claim_link(session: Session, viewer: Viewer, link_id: int) -> Optional[CorroborationLink]:
    """One link between claims, to remove."""
    _require_staff(viewer)
    if not 0 < link_id <= _LARGEST_ID:
        return None
    return session.scalar(
        select(CorroborationLink).where(CorroborationLink.id == link_id)
        .options(selectinload(CorroborationLink.from_claim).selectinload(Claim.segment))
    )
