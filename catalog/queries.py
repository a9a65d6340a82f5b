"""The visibility-scoped read layer: the only way pages, search, API and exports read the catalog.

Every function takes the viewer and returns plain, immutable records already cut to what that
viewer may see: unpublished or restricted testimonies are absent, confidential segments are left
out, redacted spans are replaced by a mark, and protected people appear only by their pseudonym.
Templates and exports never touch ORM objects, so nothing can reach a reader through a side door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Optional

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import dates
from .models import (
    AccessLevel,
    Agent,
    AgentKind,
    AgentName,
    Claim,
    CorroborationLink,
    NameKind,
    Occasion,
    Place,
    PublicationState,
    Redaction,
    Revision,
    RoleKind,
    SearchState,
    Segment,
    SegmentKind,
    Source,
    Testimony,
    AgentRole,
    TransmissionLink,
    User,
)
from .models.search import CONTENT_STATE
from .viewer import Viewer

#: What a reader sees in place of words they may not read.
REDACTION_MARK = "[redacted]"


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRef:
    key: str
    name: str
    kind: AgentKind
    #: True when `name` is a pseudonym standing for a protected person's real name.
    is_pseudonym: bool = False


@dataclass(frozen=True)
class PlaceRef:
    key: str
    name: str
    #: Parents from the nearest outwards, by name.
    ancestors: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return ", ".join((self.name, *self.ancestors))


@dataclass(frozen=True)
class SourceRef:
    key: str
    title: str
    kind: str
    citation: str
    date_edtf: Optional[str]
    publisher: Optional[AgentRef]

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class OccasionRecord:
    key: str
    kind: str
    title: str
    place: Optional[PlaceRef]
    date_edtf: Optional[str]
    date_note: str

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class RoleRecord:
    agent: AgentRef
    role: RoleKind
    relation_to_events: str
    named_by: Optional[SourceRef]


@dataclass(frozen=True)
class TransmissionRecord:
    position: int
    agent: Optional[AgentRef]
    source: Optional[SourceRef]
    note: str


@dataclass(frozen=True)
class TextPiece:
    text: str
    is_redacted: bool = False


@dataclass(frozen=True)
class SegmentRecord:
    id: int
    kind: SegmentKind
    #: The text as this viewer may read it: redacted spans replaced by REDACTION_MARK.
    text: str
    pieces: tuple[TextPiece, ...]
    language: str
    direction: str
    number: Optional[int]
    position: Optional[int]
    translation: Optional[str]
    translation_language: Optional[str]
    #: True when a translation exists but is withheld because the original is partly redacted.
    translation_withheld: bool
    timecode_start: Optional[float]
    timecode_end: Optional[float]
    access_level: AccessLevel
    author: Optional[AgentRef]
    testimony_id: Optional[str]
    source_key: Optional[str]
    source_position: Optional[int]
    source_paragraph: Optional[int]
    is_redacted: bool
    claim_keys: tuple[str, ...] = ()
    #: Redaction spans this viewer may see through (archivists); empty when they were applied.
    redactions: tuple[dict, ...] = ()


@dataclass(frozen=True)
class CorroborationRecord:
    relation: str
    rationale: str
    evidence: str
    other_claim_key: Optional[str]
    other_testimony_id: Optional[str]
    #: "outgoing" when this claim points at the other, "incoming" when the other points here.
    direction: str


@dataclass(frozen=True)
class ClaimRecord:
    key: str
    kind: str
    statement: str
    excerpt: str
    speaker: Optional[AgentRef]
    quantity_low: Optional[int]
    quantity_high: Optional[int]
    scope_place: Optional[PlaceRef]
    scope_period_edtf: Optional[str]
    scope_note: str
    testimony_id: Optional[str]
    segment_number: Optional[int]
    source_key: Optional[str]
    segment_source_position: Optional[int]
    corroborations: tuple[CorroborationRecord, ...] = ()

    @property
    def scope_period_words(self) -> str:
        return dates.describe(self.scope_period_edtf) if self.scope_period_edtf else ""


@dataclass(frozen=True)
class CorroborationChangeRecord:
    status: str
    rationale: str
    changed_by: str
    changed_dt: str


@dataclass(frozen=True)
class TestimonySummary:
    public_id: str
    title: str
    account_kind: str
    language: str
    speakers: tuple[AgentRef, ...]
    occasion_title: Optional[str]
    date_edtf: Optional[str]
    corroboration_status: str
    access_level: AccessLevel
    publication_state: PublicationState

    @property
    def date_words(self) -> str:
        return dates.describe(self.date_edtf)


@dataclass(frozen=True)
class TestimonyRecord:
    public_id: str
    title: str
    account_kind: str
    language: str
    publication_state: PublicationState
    withdrawn_reason: str
    access_level: AccessLevel
    consent_status: str
    consent_note: str
    corroboration_status: str
    corroboration_rationale: str
    corroboration_history: tuple[CorroborationChangeRecord, ...]
    summary_html: str
    events_date_edtf: Optional[str]
    occasion: Optional[OccasionRecord]
    source: Optional[SourceRef]
    roles: tuple[RoleRecord, ...]
    transmission: tuple[TransmissionRecord, ...]
    segments: tuple[SegmentRecord, ...]
    claims: tuple[ClaimRecord, ...]
    revision: Optional[int]
    #: The viewer this record was cut for.
    viewer_label: str

    @property
    def speakers(self) -> tuple[RoleRecord, ...]:
        return tuple(role for role in self.roles if role.role is RoleKind.SPEAKER)

    @property
    def events_date_words(self) -> str:
        return dates.describe(self.events_date_edtf) if self.events_date_edtf else ""

    @property
    def is_relayed(self) -> bool:
        return len(self.transmission) > 1


@dataclass(frozen=True)
class SourceRecord:
    ref: SourceRef
    language: Optional[str]
    location: str
    stance_note_html: str
    access_level: AccessLevel
    files: tuple[dict, ...]
    #: The source as published, in its original order (framing and quoted testimony).
    segments: tuple[SegmentRecord, ...]
    #: Passages left out because they belong to testimonies this viewer may not see.
    withheld_passages: int
    testimonies: tuple[TestimonySummary, ...]


@dataclass(frozen=True)
class NameRecord:
    name: str
    kind: NameKind
    language: Optional[str]
    note: str


@dataclass(frozen=True)
class AgentRecord:
    ref: AgentRef
    description_html: str
    names: tuple[NameRecord, ...]
    #: Roles in testimonies: (role, testimony, the source naming them for source-asserted roles).
    roles: tuple[tuple[RoleKind, TestimonySummary, Optional[SourceRef]], ...]
    #: Roles in sources' own text: (role, source, relation as the source puts it).
    source_roles: tuple[tuple[RoleKind, SourceRef, str], ...]
    is_protected: bool
    pseudonym: Optional[str]


@dataclass(frozen=True)
class PlaceRecord:
    ref: PlaceRef
    parent_key: Optional[str]
    kind: str
    latitude: Optional[float]
    longitude: Optional[float]
    names: tuple[NameRecord, ...]
    children: tuple[PlaceRef, ...]
    testimonies: tuple[TestimonySummary, ...]


# --- the rules -----------------------------------------------------------------------------


def testimony_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: the testimonies this viewer may see at all."""
    condition = and_(
        Testimony.is_deleted.is_(False),
        Testimony.access_level.in_(viewer.allowed_levels),
    )
    if not viewer.is_staff:
        condition = and_(condition, Testimony.publication_state == PublicationState.PUBLISHED)
    return condition


def segment_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on segments: readable level (the owning testimony is checked separately)."""
    return Segment.access_level.in_(viewer.allowed_levels)


def visible_testimonies(viewer: Viewer):
    """A select() of the Testimony rows this viewer may see; callers add order and paging."""
    return select(Testimony).where(testimony_visibility(viewer))


#: Built statements of the hot read paths, by name and viewer role (visibility depends on the role
#: only); ids are passed as expanding parameters. Building a select costs more than running it.
_STATEMENTS: dict[tuple, object] = {}


def _statement(name: str, viewer: Optional[Viewer], build):
    key = (name, viewer.role if viewer is not None else None)
    try:
        return _STATEMENTS[key]
    except KeyError:
        statement = _STATEMENTS[key] = build()
        return statement


def sees_identity(viewer: Viewer, agent: Agent) -> bool:
    return not agent.is_protected or viewer.may_read(agent.identity_access)


def agent_ref(viewer: Viewer, agent: Agent) -> AgentRef:
    """How this viewer may name the agent: a protected person only by their pseudonym."""
    return _agent_ref_of(viewer, agent.id, agent.key, agent.preferred_name, agent.kind, agent.is_protected,
                         agent.public_pseudonym, agent.identity_access)


def _agent_ref_of(
    viewer: Viewer, agent_id: int, key: str, preferred_name: str, kind: AgentKind, is_protected: bool,
    public_pseudonym: Optional[str], identity_access: AccessLevel,
) -> AgentRef:
    """The rule of `agent_ref` on plain column values (for reads that select columns, not objects)."""
    if not is_protected or viewer.may_read(identity_access):
        return AgentRef(key, preferred_name, kind)
    return AgentRef(f"protected-{agent_id}", public_pseudonym or "Protected person", kind, is_pseudonym=True)


def place_ref(place: Place) -> PlaceRef:
    return PlaceRef(place.key, place.name, tuple(parent.name for parent in place.ancestors()))


def source_ref(viewer: Viewer, source: Source) -> SourceRef:
    return SourceRef(
        key=source.key,
        title=source.title,
        kind=source.kind.value,
        citation=source.citation,
        date_edtf=source.date_edtf,
        publisher=agent_ref(viewer, source.publisher) if source.publisher else None,
    )


def _pieces(viewer: Viewer, segment: Segment) -> tuple[tuple[TextPiece, ...], bool]:
    hidden = sorted(
        (r.start, r.end) for r in segment.redactions if not viewer.may_read(r.access_level)
    )
    if not hidden:
        return (TextPiece(segment.text),), False
    pieces, cursor = [], 0
    for start, end in hidden:
        start = max(start, cursor)
        if start > cursor:
            pieces.append(TextPiece(segment.text[cursor:start]))
        if end > start:
            pieces.append(TextPiece(REDACTION_MARK, is_redacted=True))
        cursor = max(cursor, end)
    if cursor < len(segment.text):
        pieces.append(TextPiece(segment.text[cursor:]))
    return tuple(pieces), True


def segment_record(
    viewer: Viewer, segment: Segment, testimony_id: Optional[str], claim_keys: Iterable[str] = ()
) -> SegmentRecord:
    pieces, redacted = _pieces(viewer, segment)
    return SegmentRecord(
        id=segment.id,
        kind=segment.kind,
        text="".join(piece.text for piece in pieces),
        pieces=pieces,
        language=segment.language,
        direction=segment.direction,
        number=segment.number,
        position=segment.position,
        translation=None if redacted else segment.translation,
        translation_language=None if redacted else segment.translation_language,
        translation_withheld=redacted and bool(segment.translation),
        timecode_start=segment.timecode_start,
        timecode_end=segment.timecode_end,
        access_level=segment.access_level,
        author=agent_ref(viewer, segment.author) if segment.author else None,
        testimony_id=testimony_id,
        source_key=segment.source.key if segment.source else None,
        source_position=segment.source_position,
        source_paragraph=segment.source_paragraph,
        is_redacted=redacted,
        claim_keys=tuple(claim_keys),
        redactions=tuple(
            {"start": r.start, "end": r.end, "reason": r.reason, "access_level": r.access_level.value}
            for r in segment.redactions
            if viewer.may_read(r.access_level)
        ),
    )


def _summary(viewer: Viewer, testimony: Testimony) -> TestimonySummary:
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


_SUMMARY_LOADING = (
    selectinload(Testimony.roles).selectinload(AgentRole.agent),
    selectinload(Testimony.occasion),
)


def list_testimonies(
    session: Session, viewer: Viewer, *, limit: int = 50, offset: int = 0
) -> list[TestimonySummary]:
    """Visible testimonies, by public id."""
    rows = session.scalars(
        visible_testimonies(viewer)
        .options(*_SUMMARY_LOADING)
        .order_by(Testimony.public_id)
        .limit(limit)
        .offset(offset)
    )
    return [_summary(viewer, testimony) for testimony in rows]


def count_testimonies(session: Session, viewer: Viewer) -> int:
    return session.scalar(select(func.count()).select_from(Testimony).where(testimony_visibility(viewer)))


def _claim_record(
    viewer: Viewer,
    claim: Claim,
    links: list[CorroborationLink],
    visible_claim_keys: set[str],
    visible_testimony_ids: set[int],
) -> ClaimRecord:
    corroborations = []
    for link in links:
        if link.from_claim_id == claim.id:
            other_claim, other_testimony, direction = link.to_claim, link.to_testimony, "outgoing"
        else:
            other_claim, other_testimony, direction = link.from_claim, None, "incoming"
        # A link to something the viewer may not see is left out, not shown as a dangling pointer.
        if other_claim is not None and other_claim.key not in visible_claim_keys:
            continue
        if other_testimony is not None and other_testimony.id not in visible_testimony_ids:
            continue
        corroborations.append(
            CorroborationRecord(
                relation=link.relation.value,
                rationale=link.rationale,
                evidence=link.evidence,
                other_claim_key=other_claim.key if other_claim else None,
                other_testimony_id=other_testimony.public_id if other_testimony else None,
                direction=direction,
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


def visible_claims_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on Claim joined to Segment (outer-joined to Testimony): readable claims."""
    testimony_ok = Segment.testimony_id.is_(None) | Segment.testimony_id.in_(
        select(Testimony.id).where(testimony_visibility(viewer))
    )
    source_ok = Segment.source_id.is_(None) | Segment.source_id.in_(
        select(Source.id).where(Source.access_level.in_(viewer.allowed_levels))
    )
    return and_(segment_visibility(viewer), testimony_ok, source_ok)


def _readable_claims(query, viewer: Viewer):
    """A select over Claim cut to the claims this viewer may read.

    The rule of visible_claims_condition, on joined rows: its IN (subquery) form makes SQLite list
    every visible testimony first (14 ms at 100,000)."""
    return (
        query.join(Claim.segment)
        .outerjoin(Testimony, Segment.testimony_id == Testimony.id)
        .outerjoin(Source, Segment.source_id == Source.id)
        .where(
            segment_visibility(viewer),
            Segment.testimony_id.is_(None) | testimony_visibility(viewer),
            Segment.source_id.is_(None) | Source.access_level.in_(viewer.allowed_levels),
        )
    )


def _visible_claim_keys(session: Session, viewer: Viewer, keys: Iterable[str]) -> set[str]:
    """Which of these claims the viewer may read (only the ones asked about: never the catalog)."""
    keys = list(set(keys))
    if not keys:
        return set()
    return set(session.scalars(_readable_claims(select(Claim.key), viewer).where(Claim.key.in_(keys))))


def _visible_testimony_ids(session: Session, viewer: Viewer, ids: Iterable[int]) -> set[int]:
    """Which of these testimonies the viewer may see."""
    ids = list(set(ids))
    if not ids:
        return set()
    return set(session.scalars(select(Testimony.id).where(Testimony.id.in_(ids), testimony_visibility(viewer))))


def _linked(links: Iterable[CorroborationLink]) -> tuple[set[str], set[int]]:
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


def _links_for(session: Session, claim_ids: list[int]) -> dict[int, list[CorroborationLink]]:
    if not claim_ids:
        return {}
    links = session.scalars(
        select(CorroborationLink)
        .where(CorroborationLink.from_claim_id.in_(claim_ids) | CorroborationLink.to_claim_id.in_(claim_ids))
        .options(
            selectinload(CorroborationLink.from_claim),
            selectinload(CorroborationLink.to_claim),
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


def latest_revision_number(session: Session, entity_type: str, entity_id: int) -> Optional[int]:
    return session.scalar(
        select(func.max(Revision.number)).where(
            Revision.entity_type == entity_type, Revision.entity_id == entity_id
        )
    )


# Many-to-one links are joined into the query that loads their parent rows (one query per
# collection instead of one more per relationship); the place's parents, read for its full name,
# come with it (a hierarchy is a few levels deep; deeper ones still load on access).
_PLACE_WITH_PARENTS = joinedload(Occasion.place)
for _ in range(4):
    _PLACE_WITH_PARENTS = _PLACE_WITH_PARENTS.joinedload(Place.parent)
_TESTIMONY_LOADING = (
    selectinload(Testimony.roles).options(joinedload(AgentRole.agent), joinedload(AgentRole.named_by)),
    selectinload(Testimony.transmission).options(
        joinedload(TransmissionLink.agent), joinedload(TransmissionLink.source)
    ),
    selectinload(Testimony.segments).options(
        selectinload(Segment.redactions), joinedload(Segment.author), joinedload(Segment.source)
    ),
    selectinload(Testimony.corroboration_history),
    joinedload(Testimony.occasion).options(_PLACE_WITH_PARENTS),
    joinedload(Testimony.source).joinedload(Source.publisher),
)


def get_testimony(session: Session, viewer: Viewer, public_id: str) -> Optional[TestimonyRecord]:
    """One testimony as this viewer may read it, or None if it does not exist for them."""
    testimony = session.scalar(_statement("testimony", viewer, lambda: (
        visible_testimonies(viewer)
        .where(Testimony.public_id == bindparam("public_id"))
        .options(*_TESTIMONY_LOADING)
    )), {"public_id": public_id})
    if testimony is None:
        return None
    return testimony_record(session, viewer, testimony)


def testimony_record(session: Session, viewer: Viewer, testimony: Testimony) -> TestimonyRecord:
    """Cut a testimony the caller has already checked against testimony_visibility()."""
    segments = [s for s in testimony.segments if viewer.may_read(s.access_level)]
    segment_ids = [s.id for s in segments]
    claims = (
        session.scalars(_statement("segment_claims", None, lambda: (
            select(Claim)
            .where(Claim.segment_id.in_(bindparam("segment_ids", expanding=True)))
            .options(
                selectinload(Claim.speaker),
                selectinload(Claim.scope_place),
                selectinload(Claim.segment).selectinload(Segment.testimony),
                selectinload(Claim.segment).selectinload(Segment.source),
            )
            .order_by(Claim.id)
        )), {"segment_ids": segment_ids}).all()
        if segment_ids
        else []
    )
    links = _links_for(session, [claim.id for claim in claims])
    linked_keys, linked_ids = _linked(link for claim_links in links.values() for link in claim_links)
    visible_claims = _visible_claim_keys(session, viewer, linked_keys)
    visible_ids = _visible_testimony_ids(session, viewer, linked_ids)
    claims_by_segment: dict[int, list[str]] = {}
    for claim in claims:
        claims_by_segment.setdefault(claim.segment_id, []).append(claim.key)
    occasion = testimony.occasion
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
                changed_by=change.changed_by_label,
                changed_dt=change.changed_dt.isoformat(timespec="seconds"),
            )
            for change in testimony.corroboration_history
        ),
        summary_html=testimony.summary_html,
        events_date_edtf=testimony.events_date_edtf,
        occasion=(
            OccasionRecord(
                key=occasion.key,
                kind=occasion.kind.value,
                title=occasion.title,
                place=place_ref(occasion.place) if occasion.place else None,
                date_edtf=occasion.date_edtf,
                date_note=occasion.date_note,
            )
            if occasion
            else None
        ),
        source=source_ref(viewer, testimony.source) if testimony.source else None,
        roles=tuple(
            RoleRecord(
                agent=agent_ref(viewer, role.agent),
                role=role.role,
                relation_to_events=role.relation_to_events if sees_identity(viewer, role.agent) else "",
                named_by=source_ref(viewer, role.named_by) if role.named_by else None,
            )
            for role in testimony.roles
        ),
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
            segment_record(viewer, s, testimony.public_id, claims_by_segment.get(s.id, ()))
            for s in segments
        ),
        claims=tuple(
            _claim_record(viewer, claim, links.get(claim.id, []), visible_claims, visible_ids)
            for claim in claims
        ),
        revision=latest_revision_number(session, "testimony", testimony.id),
        viewer_label=viewer.label,
    )


def get_source(session: Session, viewer: Viewer, key: str) -> Optional[SourceRecord]:
    """A source read as published: its own framing and the visible testimony it quotes, in order."""
    source = session.scalar(
        select(Source)
        .where(Source.key == key, Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher), selectinload(Source.files))
    )
    if source is None:
        return None
    all_segments = session.scalars(
        select(Segment)
        .where(Segment.source_id == source.id)
        .options(
            selectinload(Segment.redactions),
            selectinload(Segment.author),
            selectinload(Segment.testimony),
            selectinload(Segment.source),
        )
        .order_by(Segment.source_position)
    ).all()
    readable_testimony_ids = _visible_testimony_ids(session, viewer, (s.testimony_id for s in all_segments if s.testimony_id))
    shown, withheld = [], 0
    for segment in all_segments:
        testimony_ok = segment.testimony_id is None or segment.testimony_id in readable_testimony_ids
        if testimony_ok and viewer.may_read(segment.access_level):
            shown.append(
                segment_record(viewer, segment, segment.testimony.public_id if segment.testimony else None)
            )
        else:
            withheld += 1
    testimonies = session.scalars(
        visible_testimonies(viewer)
        .where(
            (Testimony.source_id == source.id)
            | Testimony.id.in_(select(Segment.testimony_id).where(Segment.source_id == source.id))
        )
        .options(*_SUMMARY_LOADING)
        .order_by(Testimony.public_id)
    ).all()
    return SourceRecord(
        ref=source_ref(viewer, source),
        language=source.language,
        location=source.location,
        stance_note_html=source.stance_note_html,
        access_level=source.access_level,
        files=tuple(
            {"filename": f.filename, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in source.files
            if viewer.may_read(f.access_level)
        ),
        segments=tuple(shown),
        withheld_passages=withheld,
        testimonies=tuple(_summary(viewer, t) for t in testimonies),
    )


def list_sources(session: Session, viewer: Viewer) -> list[SourceRef]:
    sources = session.scalars(
        select(Source)
        .where(Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher))
        .order_by(Source.title)
    )
    return [source_ref(viewer, source) for source in sources]


def _find_agent(session: Session, viewer: Viewer, key: str) -> Optional[Agent]:
    if key.startswith("protected-") and key.removeprefix("protected-").isdigit():
        agent = session.get(Agent, int(key.removeprefix("protected-")))
        return agent if agent is not None and agent.is_protected else None
    agent = session.scalar(select(Agent).where(Agent.key == key))
    if agent is not None and not sees_identity(viewer, agent):
        # A protected person's real key is as telling as their name: answer only to protected-N.
        return None
    return agent


def get_agent(session: Session, viewer: Viewer, key: str) -> Optional[AgentRecord]:
    """An agent with the names and roles this viewer may see."""
    agent = _find_agent(session, viewer, key)
    if agent is None:
        return None
    identity = sees_identity(viewer, agent)
    names = tuple(
        NameRecord(n.name, n.kind, n.language, n.note) for n in agent.names if identity
    )
    role_rows = session.execute(
        select(AgentRole, Testimony)
        .join(Testimony, AgentRole.testimony_id == Testimony.id)
        .where(AgentRole.agent_id == agent.id, testimony_visibility(viewer))
        .options(*_SUMMARY_LOADING)
        .order_by(AgentRole.role, Testimony.public_id)
    ).all()
    roles = tuple(
        (role.role, _summary(viewer, testimony), source_ref(viewer, role.named_by) if role.named_by else None)
        for role, testimony in role_rows
    )
    source_role_rows = session.scalars(
        select(AgentRole)
        .join(Source, AgentRole.source_id == Source.id)
        .where(AgentRole.agent_id == agent.id, Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(AgentRole.source).selectinload(Source.publisher))
        .order_by(AgentRole.role, Source.title)
    ).all()
    source_roles = tuple(
        (role.role, source_ref(viewer, role.source), role.relation_to_events if identity else "")
        for role in source_role_rows
    )
    return AgentRecord(
        ref=agent_ref(viewer, agent),
        description_html=agent.description_html if identity else "",
        names=names,
        roles=roles,
        source_roles=source_roles,
        is_protected=agent.is_protected,
        pseudonym=agent.public_pseudonym,
    )


def list_agents(session: Session, viewer: Viewer) -> list[AgentRef]:
    refs = [agent_ref(viewer, agent) for agent in session.scalars(select(Agent))]
    return sorted(refs, key=lambda ref: ref.name.casefold())


def get_place(session: Session, viewer: Viewer, key: str) -> Optional[PlaceRecord]:
    place = session.scalar(
        select(Place).where(Place.key == key).options(selectinload(Place.children), selectinload(Place.names))
    )
    if place is None:
        return None
    subtree = _place_subtree_ids(session, place.id)
    testimonies = session.scalars(
        visible_testimonies(viewer)
        .join(Occasion, Testimony.occasion_id == Occasion.id)
        .where(Occasion.place_id.in_(subtree))
        .options(*_SUMMARY_LOADING)
        .order_by(Testimony.public_id)
    ).all()
    return PlaceRecord(
        ref=place_ref(place),
        parent_key=place.parent.key if place.parent else None,
        kind=place.kind,
        latitude=place.latitude,
        longitude=place.longitude,
        names=tuple(NameRecord(n.name, n.kind, n.language, "") for n in place.names),
        children=tuple(place_ref(child) for child in place.children),
        testimonies=tuple(_summary(viewer, t) for t in testimonies),
    )


def _place_subtree_ids(session: Session, place_id: int) -> list[int]:
    ids, frontier = [place_id], [place_id]
    while frontier:
        frontier = list(session.scalars(select(Place.id).where(Place.parent_id.in_(frontier))))
        frontier = [pid for pid in frontier if pid not in ids]
        ids.extend(frontier)
    return ids


def list_places(session: Session) -> list[PlaceRef]:
    places = session.scalars(select(Place).options(selectinload(Place.parent))).all()
    return sorted((place_ref(p) for p in places), key=lambda ref: ref.full_name.casefold())


def get_claim(session: Session, viewer: Viewer, key: str) -> Optional[ClaimRecord]:
    claim = session.scalar(
        select(Claim)
        .join(Claim.segment)
        .where(Claim.key == key, visible_claims_condition(viewer))
        .options(
            selectinload(Claim.speaker),
            selectinload(Claim.scope_place),
            selectinload(Claim.segment).selectinload(Segment.testimony),
            selectinload(Claim.segment).selectinload(Segment.source),
        )
    )
    if claim is None:
        return None
    links = _links_for(session, [claim.id])
    linked_keys, linked_ids = _linked(links[claim.id])
    return _claim_record(
        viewer,
        claim,
        links[claim.id],
        _visible_claim_keys(session, viewer, linked_keys),
        _visible_testimony_ids(session, viewer, linked_ids),
    )


_CLAIM_LOADING = (
    selectinload(Claim.speaker),
    selectinload(Claim.scope_place),
    selectinload(Claim.segment).selectinload(Segment.testimony),
    selectinload(Claim.segment).selectinload(Segment.source),
)


def list_claims(session: Session, viewer: Viewer) -> list[ClaimRecord]:
    """Every claim this viewer may read (for exports of the whole catalog)."""
    claims = session.scalars(
        select(Claim).join(Claim.segment).where(visible_claims_condition(viewer)).options(*_CLAIM_LOADING).order_by(Claim.id)
    ).all()
    links = _links_for(session, [c.id for c in claims])
    visible_keys = {c.key for c in claims}
    visible_ids = _visible_testimony_ids(session, viewer, _linked(l for ls in links.values() for l in ls)[1])
    return [_claim_record(viewer, c, links[c.id], visible_keys, visible_ids) for c in claims]


def source_claims(session: Session, viewer: Viewer, key: str) -> list[ClaimRecord]:
    """The claims this viewer may read on one source's own passages (only that source's)."""
    claims = session.scalars(
        _readable_claims(select(Claim), viewer).where(Source.key == key).options(*_CLAIM_LOADING).order_by(Claim.id)
    ).all()
    links = _links_for(session, [c.id for c in claims])
    linked_keys, linked_ids = _linked(link for claim_links in links.values() for link in claim_links)
    visible_keys = _visible_claim_keys(session, viewer, linked_keys)
    visible_ids = _visible_testimony_ids(session, viewer, linked_ids)
    return [_claim_record(viewer, c, links[c.id], visible_keys, visible_ids) for c in claims]


def list_agent_records(session: Session, viewer: Viewer) -> list[AgentRecord]:
    keys = [agent_ref(viewer, agent).key for agent in session.scalars(select(Agent).order_by(Agent.id))]
    return [record for record in (get_agent(session, viewer, key) for key in keys) if record is not None]


def list_occasions(session: Session, viewer: Viewer) -> list[OccasionRecord]:
    """Occasions of visible testimonies, and those no testimony uses yet; an occasion only a
    hidden testimony uses could say too much about it."""
    used_by_visible = select(Testimony.occasion_id).where(testimony_visibility(viewer))
    used_at_all = select(Testimony.occasion_id).where(Testimony.occasion_id.is_not(None))
    occasions = session.scalars(
        select(Occasion)
        .where(Occasion.id.in_(used_by_visible) | Occasion.id.not_in(used_at_all))
        .options(selectinload(Occasion.place))
        .order_by(Occasion.id)
    )
    return [
        OccasionRecord(
            key=o.key, kind=o.kind.value, title=o.title, place=place_ref(o.place) if o.place else None,
            date_edtf=o.date_edtf, date_note=o.date_note,
        )
        for o in occasions
    ]


def visible_public_ids(session: Session, viewer: Viewer) -> list[str]:
    return list(session.scalars(select(Testimony.public_id).where(testimony_visibility(viewer)).order_by(Testimony.public_id)))


def list_source_roles(session: Session, viewer: Viewer) -> list[tuple[SourceRef, AgentRef, RoleKind, str]]:
    """Roles that sources' own text gives to agents (the article naming an alleged perpetrator)."""
    roles = session.scalars(
        select(AgentRole)
        .join(Source, AgentRole.source_id == Source.id)
        .where(Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(AgentRole.agent), selectinload(AgentRole.source).selectinload(Source.publisher))
        .order_by(AgentRole.id)
    )
    return [
        (
            source_ref(viewer, role.source),
            agent_ref(viewer, role.agent),
            role.role,
            role.relation_to_events if sees_identity(viewer, role.agent) else "",
        )
        for role in roles
    ]


def list_place_records(session: Session, viewer: Viewer) -> list[PlaceRecord]:
    keys = list(session.scalars(select(Place.key).order_by(Place.id)))
    return [record for record in (get_place(session, viewer, key) for key in keys) if record is not None]


def source_revision(session: Session, viewer: Viewer, key: str) -> Optional[int]:
    """The latest revision number of a source this viewer may see; None when it is not theirs to see."""
    source_id = session.scalar(
        select(Source.id).where(Source.key == key, Source.access_level.in_(viewer.allowed_levels))
    )
    return None if source_id is None else latest_revision_number(session, "source", source_id)


# --- reads for browse and search -------------------------------------------------------------


def summaries_by_ids(session: Session, viewer: Viewer, testimony_ids: list[int]) -> list[TestimonySummary]:
    """Summaries of these testimonies (by database id) in the order given; hidden ones are absent."""
    by_id = summaries_by_id(session, viewer, testimony_ids)
    return [by_id[i] for i in testimony_ids if i in by_id]


def summaries_by_id(session: Session, viewer: Viewer, testimony_ids: Iterable[int]) -> dict[int, TestimonySummary]:
    """Database id -> summary, for the testimonies among these that this viewer may see.

    Two selects of the displayed columns only (a browse page reads 50 of these per request, and
    loading ORM objects with their roles and agents cost more than the rest of the page)."""
    testimony_ids = list(set(testimony_ids))
    if not testimony_ids:
        return {}
    rows = session.execute(_statement("summaries", viewer, lambda: (
        select(
            Testimony.id, Testimony.public_id, Testimony.title, Testimony.account_kind, Testimony.language,
            Testimony.corroboration_status, Testimony.access_level, Testimony.publication_state,
            Occasion.title, Occasion.date_edtf,
        )
        .outerjoin(Occasion, Occasion.id == Testimony.occasion_id)
        # One expanding parameter: the ids are passed as they are, not coerced one by one.
        .where(Testimony.id.in_(bindparam("summary_ids", expanding=True)), testimony_visibility(viewer))
    )), {"summary_ids": testimony_ids}).all()
    speakers: dict[int, list[AgentRef]] = {row[0]: [] for row in rows}
    if speakers:
        for role in session.execute(_statement("speakers", None, lambda: (
            select(
                AgentRole.testimony_id, Agent.id, Agent.key, Agent.preferred_name, Agent.kind, Agent.is_protected,
                Agent.public_pseudonym, Agent.identity_access,
            )
            .join(Agent, Agent.id == AgentRole.agent_id)
            .where(AgentRole.testimony_id.in_(bindparam("speaker_ids", expanding=True)), AgentRole.role == RoleKind.SPEAKER)
            .order_by(AgentRole.testimony_id, AgentRole.position, AgentRole.id)
        )), {"speaker_ids": list(speakers)}):
            speakers[role[0]].append(_agent_ref_of(viewer, *role[1:]))
    return {
        row[0]: TestimonySummary(
            public_id=row[1],
            title=row[2],
            account_kind=row[3].value,
            language=row[4],
            speakers=tuple(speakers[row[0]]),
            occasion_title=row[8],
            date_edtf=row[9],
            corroboration_status=row[5].value,
            access_level=row[6],
            publication_state=row[7],
        )
        for row in rows
    }


def source_refs_by_ids(session: Session, viewer: Viewer, source_ids: list[int]) -> dict[int, SourceRef]:
    if not source_ids:
        return {}
    sources = session.scalars(
        select(Source)
        .where(Source.id.in_(set(source_ids)), Source.access_level.in_(viewer.allowed_levels))
        .options(selectinload(Source.publisher))
    )
    return {source.id: source_ref(viewer, source) for source in sources}


@dataclass(frozen=True)
class _KeyRef:
    key: str


class _RedactionRow(NamedTuple):
    start: int
    end: int
    reason: str
    access_level: AccessLevel


@dataclass(frozen=True)
class _SegmentRow:
    """The columns of a segment that `segment_record` reads, from a Core select (a search page
    reads 20 of these per request; loading ORM objects with four relationships cost more)."""

    id: int
    kind: SegmentKind
    text: str
    language: str
    direction: str
    number: Optional[int]
    position: Optional[int]
    translation: Optional[str]
    translation_language: Optional[str]
    timecode_start: Optional[float]
    timecode_end: Optional[float]
    access_level: AccessLevel
    source_position: Optional[int]
    source_paragraph: Optional[int]
    author: Optional[Agent]
    source: Optional[_KeyRef]
    redactions: tuple


_PASSAGE_COLUMNS = (
    Segment.id, Segment.kind, Segment.text, Segment.language, Segment.direction, Segment.number, Segment.position,
    Segment.translation, Segment.translation_language, Segment.timecode_start, Segment.timecode_end,
    Segment.access_level, Segment.source_position, Segment.source_paragraph,
)


def passages_by_ids(session: Session, viewer: Viewer, segment_ids: list[int]) -> dict[int, SegmentRecord]:
    """Segments as this viewer may read them (redactions applied), checked again here: a segment
    of a hidden testimony, of a hidden source, or above the viewer's level is absent."""
    if not segment_ids:
        return {}
    # Joins rather than IN (subquery): the subquery would list every visible testimony.
    # One query: the segments, each with its redactions (outer join: a row per redaction).
    rows = session.execute(_statement("passages", viewer, lambda: (
        select(*_PASSAGE_COLUMNS, Segment.author_id, Testimony.public_id, Source.key,
               Redaction.start, Redaction.end, Redaction.reason, Redaction.access_level)
        .outerjoin(Testimony, Segment.testimony_id == Testimony.id)
        .outerjoin(Source, Segment.source_id == Source.id)
        .outerjoin(Redaction, Redaction.segment_id == Segment.id)
        .where(
            Segment.id.in_(bindparam("passage_ids", expanding=True)),
            segment_visibility(viewer),
            (Segment.testimony_id.is_not(None) & testimony_visibility(viewer))
            | (Segment.testimony_id.is_(None) & Source.access_level.in_(viewer.allowed_levels)),
        )
        .order_by(Segment.id, Redaction.start)
    )), {"passage_ids": list(set(segment_ids))}).all()
    if not rows:
        return {}
    redactions: dict[int, list[_RedactionRow]] = {}
    segments = {}
    for row in rows:
        segments.setdefault(row[0], row[:-4])
        if row[-4] is not None:
            redactions.setdefault(row[0], []).append(_RedactionRow(*row[-4:]))
    rows = list(segments.values())
    author_ids = {r[-3] for r in rows if r[-3] is not None}
    authors = {a.id: a for a in session.scalars(select(Agent).where(Agent.id.in_(author_ids)))} if author_ids else {}
    records = {}
    for row in rows:
        *columns, author_id, public_id, source_key = row
        segment = _SegmentRow(
            *columns, author=authors.get(author_id), source=_KeyRef(source_key) if source_key else None,
            redactions=tuple(redactions.get(row[0], ())),
        )
        records[row[0]] = segment_record(viewer, segment, public_id)
    return records


def testimony_revisions(session: Session, viewer: Viewer, public_ids: Iterable[str]) -> dict[str, Optional[int]]:
    """Latest revision number of each of these testimonies this viewer may see (others absent).

    A cheap read for caches of printed transcripts: one query, no text loaded.
    """
    ids = list(public_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Testimony.public_id, func.max(Revision.number))
        .outerjoin(Revision, and_(Revision.entity_type == "testimony", Revision.entity_id == Testimony.id))
        .where(testimony_visibility(viewer), Testimony.public_id.in_(ids))
        .group_by(Testimony.public_id)
    ).all()
    return {public_id: number for public_id, number in rows}


def catalog_watermark(session: Session) -> int:
    """The id of the newest revision anywhere: it changes whenever any record is saved."""
    return session.scalar(select(func.max(Revision.id))) or 0


def content_token(session: Session) -> Optional[str]:
    """A token that changes with every write to what readers may see (None before the first)."""
    return session.scalar(select(SearchState.token).where(SearchState.id == CONTENT_STATE))


# --- staff readers: the archive workspace ------------------------------------------------------
#
# Archivists and admins see every record whole (drafts, deleted, protected names) and edit the ORM
# objects these return. Each reader refuses any other viewer, so no reader path can reach them.


class StaffOnly(PermissionError):
    """A staff reader was called for a viewer who is not an archivist or admin."""


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise StaffOnly(f"the archive's readers are for archivists and admins, not {viewer.label} viewers")


@dataclass(frozen=True)
class ArchiveTestimonyRow:
    """One line of the workspace's testimony list."""

    public_id: str
    title: str
    publication_state: PublicationState
    is_deleted: bool
    access_level: AccessLevel
    updated_dt: dt.datetime


@dataclass(frozen=True)
class ArchiveTestimonyPage:
    rows: tuple[ArchiveTestimonyRow, ...]
    #: Testimonies matching the filter, over all pages.
    total: int
    #: Testimonies not deleted, by publication state (its value).
    counts_by_state: dict[str, int]
    deleted_count: int


@dataclass(frozen=True)
class ArchiveEntityRow:
    """One agent, place, occasion or source in the workspace's lists."""

    key: str
    title: str
    is_protected: bool = False


@dataclass(frozen=True)
class PickerOptions:
    """(id, label) pairs for a picker: every record of the kind (`complete`), or in a large catalog
    only the ones asked for (search-as-you-type finds the rest)."""

    options: tuple[tuple[int, str], ...]
    complete: bool


#: Record kinds as the archive's URLs name them.
STAFF_RECORD_MODELS = {"testimonies": Testimony, "agents": Agent, "places": Place, "occasions": Occasion, "sources": Source}
#: What the workspace lists and looks records up by, per kind.
_TITLE_COLUMNS = {Agent: Agent.preferred_name, Place: Place.name, Occasion: Occasion.title, Source: Source.title}
#: Ids above this cannot name a row (the id columns are 32-bit integers); a typed value beyond it
#: is simply not a record, and must not reach the database as an out-of-range number.
_LARGEST_ID = 2**31 - 1
_PICKER_ORDER = {
    "agents": (func.lower(Agent.preferred_name),),
    "sources": (func.lower(Source.title),),
    "occasions": (Occasion.date_lower, Occasion.title),
    "places": (func.lower(Place.name),),
}
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
    return record.title


def picker_options(
    session: Session, viewer: Viewer, kind: str, *, full_list_limit: int, keep: Iterable = (), exclude: Optional[int] = None,
) -> PickerOptions:
    """A picker's records: all of them while there are fewer than `full_list_limit`, else only the
    ids in `keep` (the current choices); `exclude` is never offered (a place cannot lie within itself)."""
    _require_staff(viewer)
    model = STAFF_RECORD_MODELS[kind]
    query = select(model).order_by(*_PICKER_ORDER[kind])
    if exclude is not None:
        query = query.where(model.id != exclude)
    complete = session.scalar(select(func.count()).select_from(model)) < full_list_limit
    if not complete:
        kept_ids = {int(value) for value in map(str, keep) if value.isascii() and value.isdigit() and int(value) <= _LARGEST_ID}
        if not kept_ids:
            return PickerOptions((), complete=False)
        query = query.where(model.id.in_(kept_ids))
    return PickerOptions(tuple((record.id, _picker_label(record)) for record in session.scalars(query)), complete)


def picker_suggestions(session: Session, viewer: Viewer, kind: str, text: str, *, limit: int) -> list[tuple[int, str]]:
    """(id, label) of records whose name holds `text` (an agent also by key or any other name)."""
    _require_staff(viewer)
    model = STAFF_RECORD_MODELS[kind]
    pattern = f"%{text}%"
    if model is Agent:
        matching_names = select(AgentName.agent_id).where(AgentName.name.ilike(pattern))
        query = (
            select(Agent)
            .where(Agent.preferred_name.ilike(pattern) | Agent.key.ilike(pattern) | Agent.id.in_(matching_names))
            .order_by(func.lower(Agent.preferred_name))
        )
    else:
        title = _TITLE_COLUMNS[model]
        query = select(model).where(title.ilike(pattern)).order_by(title)
    return [(record.id, _picker_label(record)) for record in session.scalars(query.limit(limit))]
