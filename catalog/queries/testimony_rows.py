"""The whole testimony record read as plain rows: Core selects of columns (built once, cached),
no ORM entities, for the public record page and everything that prints a record.

The rows are given the attribute names of the mapped classes (light objects, no identity map,
no lazy loads), so the record builders of `visibility` and `testimonies` cut them exactly as they
cut ORM objects: one rule for who sees what, whichever way the rows were read.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Optional

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from ..models import Agent, AgentRole, Claim, Collection, Occasion, Place, Revision, Segment, Source, Testimony, TransmissionLink
from ..models.collections import testimony_collections
from ..models.testimonies import testimony_places
from ..models.testimonies import CorroborationChange, Redaction, ReleaseForm
from ..viewer import Viewer
from .visibility import cached_statement, testimony_visibility

AGENT_COLUMNS = (
    Agent.id.label("a_id"),
    Agent.key.label("a_key"),
    Agent.preferred_name.label("a_preferred_name"),
    Agent.kind.label("a_kind"),
    Agent.is_protected.label("a_is_protected"),
    Agent.public_pseudonym.label("a_public_pseudonym"),
    Agent.identity_access.label("a_identity_access"),
)


def agent_row(row) -> Optional[SimpleNamespace]:
    if row.a_id is None:
        return None
    return SimpleNamespace(
        id=row.a_id, key=row.a_key, preferred_name=row.a_preferred_name, kind=row.a_kind,
        is_protected=row.a_is_protected, public_pseudonym=row.a_public_pseudonym,
        identity_access=row.a_identity_access,
    )


class PlaceRow(SimpleNamespace):
    """A place and its parent chain, with the mapped class's `ancestors()`."""

    ancestors = Place.ancestors


def _consent_agent(connection, viewer: Viewer, agent_id: Optional[int]) -> Optional[SimpleNamespace]:
    """Who gave consent: read for archivists only, the one audience shown it."""
    if agent_id is None or not viewer.is_staff:
        return None
    return agent_row(connection.execute(select(*AGENT_COLUMNS).where(Agent.id == agent_id)).first())


def _testimony_statement(viewer: Viewer):
    revision = (
        select(func.max(Revision.number))
        .where(Revision.entity_type == "testimony", Revision.entity_id == Testimony.id)
        .scalar_subquery()
    )
    return (
        select(
            Testimony.id, Testimony.public_id, Testimony.title, Testimony.account_kind, Testimony.language,
            Testimony.publication_state, Testimony.withdrawn_reason, Testimony.access_level,
            Testimony.consent_status, Testimony.consent_note, Testimony.corroboration_status,
            Testimony.corroboration_rationale, Testimony.summary_html, Testimony.events_date_edtf,
            Testimony.source_id, Testimony.occasion_id,
            Testimony.consent_given_by_id, Testimony.consent_given_by_name, Testimony.consent_given_edtf,
            Testimony.embargo_until,
            ReleaseForm.sha256.label("rf_sha256"), ReleaseForm.media_type.label("rf_media_type"),
            ReleaseForm.size.label("rf_size"), ReleaseForm.filename.label("rf_filename"),
            ReleaseForm.access_level.label("rf_access_level"),
            Occasion.key.label("o_key"), Occasion.kind.label("o_kind"), Occasion.title.label("o_title"),
            Occasion.place_id.label("o_place_id"), Occasion.date_edtf.label("o_date_edtf"),
            Occasion.date_note.label("o_date_note"),
            revision.label("revision"),
            # Most testimonies are in no collection: asking here spares them a statement.
            exists().where(testimony_collections.c.testimony_id == Testimony.id).label("in_collections"),
            exists().where(testimony_places.c.testimony_id == Testimony.id).label("has_about"),
        )
        .outerjoin(Occasion, Occasion.id == Testimony.occasion_id)
        .outerjoin(ReleaseForm, ReleaseForm.testimony_id == Testimony.id)
        .where(testimony_visibility(viewer), Testimony.public_id == bindparam("public_id"))
    )


def _statements():
    """The statements that do not depend on the viewer (the testimony's visibility is checked first)."""
    roles = (
        select(AgentRole.role, AgentRole.relation_to_events, AgentRole.named_by_source_id, *AGENT_COLUMNS)
        .join(Agent, Agent.id == AgentRole.agent_id)
        .where(AgentRole.testimony_id == bindparam("testimony_id"))
        .order_by(AgentRole.position, AgentRole.id)
    )
    transmission = (
        select(TransmissionLink.position, TransmissionLink.note, TransmissionLink.source_id, *AGENT_COLUMNS)
        .outerjoin(Agent, Agent.id == TransmissionLink.agent_id)
        .where(TransmissionLink.testimony_id == bindparam("testimony_id"))
        .order_by(TransmissionLink.position, TransmissionLink.id)
    )
    segments = (
        select(
            Segment.id, Segment.kind, Segment.text, Segment.language, Segment.direction, Segment.number,
            Segment.position, Segment.translation, Segment.translation_language, Segment.timecode_start,
            Segment.timecode_end, Segment.access_level, Segment.source_id, Segment.source_position,
            Segment.source_paragraph, *AGENT_COLUMNS,
            # Few passages carry redactions or claims: asking here spares a statement for each.
            exists().where(Redaction.segment_id == Segment.id).label("has_redactions"),
            exists().where(Claim.segment_id == Segment.id).label("has_claims"),
        )
        .outerjoin(Agent, Agent.id == Segment.author_id)
        .where(Segment.testimony_id == bindparam("testimony_id"))
        .order_by(Segment.position, Segment.id)
    )
    redactions = (
        select(Redaction.segment_id, Redaction.start, Redaction.end, Redaction.reason, Redaction.access_level)
        .join(Segment, Segment.id == Redaction.segment_id)
        .where(Segment.testimony_id == bindparam("testimony_id"))
        .order_by(Redaction.segment_id, Redaction.start, Redaction.id)
    )
    history = (
        select(
            CorroborationChange.status, CorroborationChange.rationale, CorroborationChange.changed_by_label,
            CorroborationChange.changed_dt,
        )
        .where(CorroborationChange.testimony_id == bindparam("testimony_id"))
        .order_by(CorroborationChange.id)
    )
    sources = (
        select(
            Source.id, Source.key, Source.title, Source.kind, Source.citation, Source.date_edtf, *AGENT_COLUMNS
        )
        .outerjoin(Agent, Agent.id == Source.publisher_id)
        .where(Source.id.in_(bindparam("source_ids", expanding=True)))
    )
    collections = (
        select(Collection.key, Collection.title)
        .join(testimony_collections, testimony_collections.c.collection_id == Collection.id)
        .where(testimony_collections.c.testimony_id == bindparam("testimony_id"))
        .order_by(Collection.title)
    )
    about = (
        select(Place.key, Place.name)
        .join(testimony_places, testimony_places.c.place_id == Place.id)
        .where(testimony_places.c.testimony_id == bindparam("testimony_id"))
        .order_by(Place.name)
    )
    # The place and its parents; UNION (not UNION ALL) ends on a cycle as `Place.ancestors` does.
    chain = select(Place.id, Place.key, Place.name, Place.parent_id).where(Place.id == bindparam("place_id"))
    chain = chain.cte("place_chain", recursive=True)
    chain = chain.union(
        select(Place.id, Place.key, Place.name, Place.parent_id).join(chain, Place.id == chain.c.parent_id)
    )
    places = select(chain.c.id, chain.c.key, chain.c.name, chain.c.parent_id)
    return SimpleNamespace(
        roles=roles, transmission=transmission, segments=segments, redactions=redactions, history=history,
        sources=sources, places=places, collections=collections, about=about,
    )


def read_testimony(
    session: Session, viewer: Viewer, public_id: str
) -> Optional[tuple[SimpleNamespace, Optional[int]]]:
    """A testimony this viewer may see, as light rows with the mapped attributes (passages of every
    level: the record builder cuts them), and its latest revision number; None if it is not theirs."""
    # Plain rows need none of the Session's ORM execution: its connection runs the statements.
    connection = session.connection()
    row = connection.execute(
        cached_statement("testimony_row", viewer, lambda: _testimony_statement(viewer)), {"public_id": public_id}
    ).first()
    if row is None:
        return None
    s = cached_statement("testimony_rows", None, _statements)
    ids = {"testimony_id": row.id}

    roles = [
        SimpleNamespace(role=r.role, relation_to_events=r.relation_to_events, named_by=r.named_by_source_id,
                        agent=agent_row(r))
        for r in connection.execute(s.roles, ids)
    ]
    transmission = [
        SimpleNamespace(position=r.position, note=r.note, source=r.source_id, agent=agent_row(r))
        for r in connection.execute(s.transmission, ids)
    ]
    segments = [
        SimpleNamespace(
            id=r.id, kind=r.kind, text=r.text, language=r.language, direction=r.direction, number=r.number,
            position=r.position, translation=r.translation, translation_language=r.translation_language,
            timecode_start=r.timecode_start, timecode_end=r.timecode_end, access_level=r.access_level,
            source=r.source_id, source_position=r.source_position, source_paragraph=r.source_paragraph,
            author=agent_row(r), redactions=[], has_redactions=r.has_redactions, has_claims=r.has_claims,
        )
        for r in connection.execute(s.segments, ids)
    ]
    if any(segment.has_redactions for segment in segments):
        by_id = {segment.id: segment for segment in segments}
        for r in connection.execute(s.redactions, ids):
            by_id[r.segment_id].redactions.append(
                SimpleNamespace(start=r.start, end=r.end, reason=r.reason, access_level=r.access_level)
            )
    history = [
        SimpleNamespace(status=r.status, rationale=r.rationale, changed_by_label=r.changed_by_label,
                        changed_dt=r.changed_dt)
        for r in connection.execute(s.history, ids)
    ]

    # Sources (with their publishers) in one read, then put in place of the ids gathered above.
    source_ids = {row.source_id} | {r.named_by for r in roles} | {t.source for t in transmission}
    source_ids |= {segment.source for segment in segments}
    source_ids.discard(None)
    sources = {}
    if source_ids:
        for r in connection.execute(s.sources, {"source_ids": sorted(source_ids)}):
            sources[r.id] = SimpleNamespace(key=r.key, title=r.title, kind=r.kind, citation=r.citation,
                                            date_edtf=r.date_edtf, publisher=agent_row(r))
    for item in roles:
        item.named_by = sources.get(item.named_by)
    for item in transmission:
        item.source = sources.get(item.source)
    for segment in segments:
        segment.source = sources.get(segment.source)

    occasion = None
    if row.occasion_id is not None:
        place = None
        if row.o_place_id is not None:
            places = {
                r.id: PlaceRow(id=r.id, key=r.key, name=r.name, parent_id=r.parent_id)
                for r in connection.execute(s.places, {"place_id": row.o_place_id})
            }
            for node in places.values():
                node.parent = places.get(node.parent_id)
            place = places.get(row.o_place_id)
        occasion = SimpleNamespace(key=row.o_key, kind=row.o_kind, title=row.o_title, place=place,
                                   date_edtf=row.o_date_edtf, date_note=row.o_date_note)

    testimony = SimpleNamespace(
        id=row.id, public_id=row.public_id, title=row.title, account_kind=row.account_kind,
        language=row.language, publication_state=row.publication_state, withdrawn_reason=row.withdrawn_reason,
        access_level=row.access_level, consent_status=row.consent_status, consent_note=row.consent_note,
        corroboration_status=row.corroboration_status, corroboration_rationale=row.corroboration_rationale,
        summary_html=row.summary_html, events_date_edtf=row.events_date_edtf, occasion=occasion,
        source=sources.get(row.source_id), roles=roles, transmission=transmission, segments=segments,
        corroboration_history=history,
        consent_given_by=_consent_agent(connection, viewer, row.consent_given_by_id),
        consent_given_by_name=row.consent_given_by_name, consent_given_edtf=row.consent_given_edtf,
        embargo_until=row.embargo_until,
        release_form=SimpleNamespace(sha256=row.rf_sha256, media_type=row.rf_media_type, size=row.rf_size,
                                     filename=row.rf_filename, access_level=row.rf_access_level)
        if row.rf_sha256 is not None else None,
        collections=[SimpleNamespace(key=r.key, title=r.title) for r in connection.execute(s.collections, ids)]
        if row.in_collections else [],
        about_places=[SimpleNamespace(key=r.key, name=r.name) for r in connection.execute(s.about, ids)]
        if row.has_about else [],
    )
    return testimony, row.revision
