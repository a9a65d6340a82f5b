"""Claims and the corroboration links between them, cut to what the viewer may see."""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Claim, CorroborationLink, Segment, Source
from ..viewer import Viewer
from .records import ClaimRecord, CorroborationRecord
from .visibility import (
    agent_ref,
    place_ref,
    readable_claims,
    visible_claim_keys,
    visible_claims_condition,
    visible_testimony_ids,
)


def claim_record(
    viewer: Viewer,
    claim: Claim,
    links: list[CorroborationLink],
    readable_claim_keys: set[str],
    readable_testimony_ids: set[int],
) -> ClaimRecord:
    corroborations = []
    for link in links:
        if link.from_claim_id == claim.id:
            other_claim, other_testimony, direction = link.to_claim, link.to_testimony, "outgoing"
        else:
            other_claim, other_testimony, direction = link.from_claim, None, "incoming"
        # A link to something the viewer may not see is left out, not shown as a dangling pointer.
        if other_claim is not None and other_claim.key not in readable_claim_keys:
            continue
        if other_testimony is not None and other_testimony.id not in readable_testimony_ids:
            continue
        other_segment = other_claim.segment if other_claim is not None else None
        other_in = other_segment.testimony if other_segment is not None else None
        corroborations.append(
            CorroborationRecord(
                relation=link.relation.value,
                rationale=link.rationale,
                evidence=link.evidence,
                other_claim_key=other_claim.key if other_claim else None,
                other_testimony_id=other_testimony.public_id if other_testimony else None,
                direction=direction,
                created_dt=link.created_dt,
                other_claim_statement=other_claim.statement if other_claim else None,
                other_claim_testimony_id=other_in.public_id if other_in is not None else None,
                other_claim_testimony_title=other_in.title if other_in is not None else None,
                other_claim_speaker=agent_ref(viewer, other_claim.speaker) if other_claim and other_claim.speaker else None,
                other_claim_source_key=other_segment.source.key if other_segment is not None and other_in is None
                and other_segment.source is not None else None,
            )
        )
    segment = claim.segment
    return ClaimRecord(
        key=claim.key,
        kind=claim.kind.value,
        statement=claim.statement,
        excerpt=claim.excerpt,
        speaker=agent_ref(viewer, claim.speaker) if claim.speaker else None,
        quantity_low=claim.quantity_low,
        quantity_high=claim.quantity_high,
        scope_place=place_ref(claim.scope_place) if claim.scope_place else None,
        scope_period_edtf=claim.scope_period_edtf,
        scope_note=claim.scope_note,
        testimony_id=segment.testimony.public_id if segment.testimony else None,
        segment_number=segment.number,
        source_key=segment.source.key if segment.source else None,
        segment_source_position=segment.source_position,
        corroborations=tuple(corroborations),
    )


def linked_targets(links: Iterable[CorroborationLink]) -> tuple[set[str], set[int]]:
    """The claim keys and testimony ids that corroboration links point at, either way."""
    keys: set[str] = set()
    ids: set[int] = set()
    for link in links:
        for claim in (link.from_claim, link.to_claim):
            if claim is not None:
                keys.add(claim.key)
        if link.to_testimony_id is not None:
            ids.add(link.to_testimony_id)
    return keys, ids


def links_for(session: Session, claim_ids: list[int]) -> dict[int, list[CorroborationLink]]:
    if not claim_ids:
        return {}
    links = session.scalars(
        select(CorroborationLink)
        .where(CorroborationLink.from_claim_id.in_(claim_ids) | CorroborationLink.to_claim_id.in_(claim_ids))
        .options(
            *(loading
              for end in (CorroborationLink.from_claim, CorroborationLink.to_claim)
              for loading in (selectinload(end).selectinload(Claim.segment).selectinload(Segment.testimony),
                              selectinload(end).selectinload(Claim.segment).selectinload(Segment.source),
                              selectinload(end).selectinload(Claim.speaker))),
            selectinload(CorroborationLink.to_testimony),
        )
        .order_by(CorroborationLink.id)
    ).all()
    by_claim: dict[int, list[CorroborationLink]] = {claim_id: [] for claim_id in claim_ids}
    for link in links:
        for claim_id in (link.from_claim_id, link.to_claim_id):
            if claim_id in by_claim:
                by_claim[claim_id].append(link)
    return by_claim


CLAIM_LOADING = (
    selectinload(Claim.speaker),
    selectinload(Claim.scope_place),
    selectinload(Claim.segment).selectinload(Segment.testimony),
    selectinload(Claim.segment).selectinload(Segment.source),
)


def get_claim(session: Session, viewer: Viewer, key: str) -> Optional[ClaimRecord]:
    claim = session.scalar(
        select(Claim)
        .join(Claim.segment)
        .where(Claim.key == key, visible_claims_condition(viewer))
        .options(*CLAIM_LOADING)
    )
    if claim is None:
        return None
    links = links_for(session, [claim.id])
    linked_keys, linked_ids = linked_targets(links[claim.id])
    return claim_record(
        viewer,
        claim,
        links[claim.id],
        visible_claim_keys(session, viewer, linked_keys),
        visible_testimony_ids(session, viewer, linked_ids),
    )


def list_claims(session: Session, viewer: Viewer) -> list[ClaimRecord]:
    """Every claim this viewer may read (for exports of the whole catalog)."""
    claims = session.scalars(
        select(Claim).join(Claim.segment).where(visible_claims_condition(viewer)).options(*CLAIM_LOADING).order_by(Claim.id)
    ).all()
    links = links_for(session, [c.id for c in claims])
    visible_keys = {c.key for c in claims}
    visible_ids = visible_testimony_ids(session, viewer, linked_targets(l for ls in links.values() for l in ls)[1])
    return [claim_record(viewer, c, links[c.id], visible_keys, visible_ids) for c in claims]


def source_claims(session: Session, viewer: Viewer, key: str) -> list[ClaimRecord]:
    """The claims this viewer may read on one source's own passages (only that source's)."""
    claims = session.scalars(
        readable_claims(select(Claim), viewer).where(Source.key == key).options(*CLAIM_LOADING).order_by(Claim.id)
    ).all()
    links = links_for(session, [c.id for c in claims])
    linked_keys, linked_ids = linked_targets(link for claim_links in links.values() for link in claim_links)
    visible_keys = visible_claim_keys(session, viewer, linked_keys)
    visible_ids = visible_testimony_ids(session, viewer, linked_ids)
    return [claim_record(viewer, c, links[c.id], visible_keys, visible_ids) for c in claims]
