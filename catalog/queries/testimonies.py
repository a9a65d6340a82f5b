"""Testimonies as readers see them: lists, summaries and the whole record."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from ..models import AgentRole, Claim, RoleKind, Testimony
from ..models.base import as_utc
from ..viewer import Viewer
from .claims import CLAIM_LOADING, claim_record, linked_targets, links_for
from .freshness import latest_revision_number
from .records import (
    ClaimRecord,
    CollectionRef,
    PlaceRef,
    ConsentRecord,
    ReleaseFormRecord,
    CorroborationChangeRecord,
    RoleRecord,
    TestimonyRecord,
    TestimonySummary,
    TransmissionRecord,
)
from .testimony_rows import read_testimony
from .visibility import (
    agent_ref,
    cached_statement,
    occasion_record,
    sees_identity,
    segment_record,
    source_ref,
    testimony_visibility,
    visible_claim_keys,
    visible_testimonies,
    visible_testimony_ids,
)


def testimony_summary(viewer: Viewer, testimony: Testimony) -> TestimonySummary:
    occasion = testimony.occasion
    return TestimonySummary(
        public_id=testimony.public_id,
        title=testimony.title,
        account_kind=testimony.account_kind.value,
        language=testimony.language,
        speakers=tuple(
            agent_ref(viewer, role.agent) for role in testimony.roles if role.role is RoleKind.SPEAKER
        ),
        occasion_title=occasion.title if occasion else None,
        date_edtf=occasion.date_edtf if occasion else None,
        corroboration_status=testimony.corroboration_status.value,
        access_level=testimony.access_level,
        publication_state=testimony.publication_state,
    )


SUMMARY_LOADING = (
    selectinload(Testimony.roles).selectinload(AgentRole.agent),
    selectinload(Testimony.occasion),
)


def list_testimonies(
    session: Session, viewer: Viewer, *, limit: int = 50, offset: int = 0
) -> list[TestimonySummary]:
    """Visible testimonies, by public id."""
    rows = session.scalars(
        visible_testimonies(viewer)
        .options(*SUMMARY_LOADING)
        .order_by(Testimony.public_id)
        .limit(limit)
        .offset(offset)
    )
    return [testimony_summary(viewer, testimony) for testimony in rows]


def count_testimonies(session: Session, viewer: Viewer) -> int:
    return session.scalar(select(func.count()).select_from(Testimony).where(testimony_visibility(viewer)))


def visible_public_ids(session: Session, viewer: Viewer) -> list[str]:
    return list(session.scalars(select(Testimony.public_id).where(testimony_visibility(viewer)).order_by(Testimony.public_id)))


def get_testimony(session: Session, viewer: Viewer, public_id: str) -> Optional[TestimonyRecord]:
    """One testimony as this viewer may read it, or None if it does not exist for them.

    Read as plain rows (testimony_rows): the same record `testimony_record` cuts from the ORM
    entity, at a fraction of the cost of loading entities."""
    found = read_testimony(session, viewer, public_id)
    if found is None:
        return None
    testimony, revision = found
    return build_testimony_record(session, viewer, testimony, revision)


def testimony_record(session: Session, viewer: Viewer, testimony: Testimony) -> TestimonyRecord:
    """Cut a testimony the caller has already checked against testimony_visibility()."""
    return build_testimony_record(
        session, viewer, testimony, latest_revision_number(session, "testimony", testimony.id)
    )


def consent_record(viewer: Viewer, testimony) -> ConsentRecord:
    """Who gave consent shows to archivists only; the embargo's end to whoever sees the testimony."""
    given_by = testimony.consent_given_by
    if not viewer.is_staff:
        return ConsentRecord(embargo_until=testimony.embargo_until)
    return ConsentRecord(
        given_by=agent_ref(viewer, given_by) if given_by is not None else None,
        given_by_name=testimony.consent_given_by_name, given_on=testimony.consent_given_edtf,
        embargo_until=testimony.embargo_until,
    )


def release_form_record(viewer: Viewer, form) -> Optional[ReleaseFormRecord]:
    """The release form's metadata when this viewer's level opens the file; else nothing of it."""
    if form is None or not viewer.may_read(form.access_level):
        return None
    return ReleaseFormRecord(form.sha256, form.media_type, form.size, form.filename, form.access_level)


def build_testimony_record(session: Session, viewer: Viewer, testimony, revision: Optional[int]) -> TestimonyRecord:
    """The record of a testimony, from its ORM object or from rows with the same attributes."""
    segments = [s for s in testimony.segments if viewer.may_read(s.access_level)]
    # Rows say whether a passage carries claims; ORM segments do not, and are looked up.
    claims, claim_keys_by_segment = _claims_on(
        session, viewer, [s.id for s in segments if getattr(s, "has_claims", True)]
    )
    return TestimonyRecord(
        public_id=testimony.public_id,
        title=testimony.title,
        account_kind=testimony.account_kind.value,
        language=testimony.language,
        publication_state=testimony.publication_state,
        withdrawn_reason=testimony.withdrawn_reason,
        access_level=testimony.access_level,
        consent_status=testimony.consent_status.value,
        consent_note=testimony.consent_note,
        corroboration_status=testimony.corroboration_status.value,
        corroboration_rationale=testimony.corroboration_rationale,
        corroboration_history=tuple(
            CorroborationChangeRecord(
                status=change.status.value,
                rationale=change.rationale,
                # Readers learn what changed, when and why; who among the archivists made the
                # change is the workspace's business.
                changed_by=change.changed_by_label if viewer.is_staff else "",
                changed_dt=as_utc(change.changed_dt).isoformat(timespec="seconds"),
            )
            for change in testimony.corroboration_history
        ),
        summary_html=testimony.summary_html,
        events_date_edtf=testimony.events_date_edtf,
        occasion=occasion_record(testimony.occasion) if testimony.occasion else None,
        source=source_ref(viewer, testimony.source) if testimony.source else None,
        consent=consent_record(viewer, testimony),
        release_form=release_form_record(viewer, testimony.release_form),
        roles=_role_records(viewer, testimony),
        transmission=tuple(
            TransmissionRecord(
                position=link.position,
                agent=agent_ref(viewer, link.agent) if link.agent else None,
                source=source_ref(viewer, link.source) if link.source else None,
                note=link.note,
            )
            for link in testimony.transmission
        ),
        segments=tuple(
            segment_record(viewer, s, testimony.public_id, claim_keys_by_segment.get(s.id, ()))
            for s in segments
        ),
        claims=claims,
        revision=revision,
        viewer_label=viewer.label,
        collections=tuple(CollectionRef(c.key, c.title) for c in testimony.collections),
        about_places=tuple(PlaceRef(p.key, p.name, ()) for p in testimony.about_places),
    )


def _role_records(viewer: Viewer, testimony) -> tuple[RoleRecord, ...]:
    return tuple(
        RoleRecord(
            agent=agent_ref(viewer, role.agent),
            role=role.role,
            relation_to_events=role.relation_to_events if sees_identity(viewer, role.agent) else "",
            named_by=source_ref(viewer, role.named_by) if role.named_by else None,
        )
        for role in testimony.roles
    )


def _claims_on(
    session: Session, viewer: Viewer, segment_ids: list[int]
) -> tuple[tuple[ClaimRecord, ...], dict[int, list[str]]]:
    """The claims on these (readable) segments, and their keys by segment id."""
    if not segment_ids:
        return (), {}
    # Most passages carry no claim: a plain look first spares loading none through the ORM.
    if session.connection().execute(cached_statement("segment_has_claims", None, lambda: (
        select(Claim.id).where(Claim.segment_id.in_(bindparam("segment_ids", expanding=True))).limit(1)
    )), {"segment_ids": segment_ids}).first() is None:
        return (), {}
    claims = session.scalars(cached_statement("segment_claims", None, lambda: (
        select(Claim)
        .where(Claim.segment_id.in_(bindparam("segment_ids", expanding=True)))
        .options(*CLAIM_LOADING)
        .order_by(Claim.id)
    )), {"segment_ids": segment_ids}).all()
    links = links_for(session, [claim.id for claim in claims])
    linked_keys, linked_ids = linked_targets(link for claim_links in links.values() for link in claim_links)
    readable_keys = visible_claim_keys(session, viewer, linked_keys)
    readable_ids = visible_testimony_ids(session, viewer, linked_ids)
    keys_by_segment: dict[int, list[str]] = {}
    for claim in claims:
        keys_by_segment.setdefault(claim.segment_id, []).append(claim.key)
    records = tuple(claim_record(viewer, claim, links[claim.id], readable_keys, readable_ids) for claim in claims)
    return records, keys_by_segment
