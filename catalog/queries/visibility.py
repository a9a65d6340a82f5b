"""Who may see what: the SQL visibility rules (conditions that compose), and the cutting of rows
into records for one viewer, with redactions applied and the one protected-identity rule, applied
alike to ORM objects and to raw rows."""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import ColumnElement, Date, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from .. import dates
from ..models.base import Timestamp
from ..models import AccessLevel, Agent, AgentKind, Claim, Occasion, Place, PublicationState, Segment, Source, Testimony
from ..viewer import Viewer
from .records import AgentRef, OccasionRecord, PlaceRef, SegmentRecord, SourceRef, TextPiece


#: What a reader sees in place of words they may not read.
REDACTION_MARK = "[redacted]"


def testimony_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: the testimonies this viewer may see at all."""
    condition = and_(
        Testimony.is_deleted.is_(False),
        Testimony.access_level.in_(viewer.allowed_levels),
    )
    if not viewer.is_staff:
        condition = and_(condition, Testimony.publication_state == PublicationState.PUBLISHED, embargo_over())
    return condition


def today_parameter():
    """The day, as a parameter read when a statement runs (never when it is built: built
    statements are cached, and an embargo lifts on its date with nothing rebuilt)."""
    return bindparam("today", callable_=lambda: dates.today(), type_=Date, unique=True)


def embargo_over() -> ColumnElement[bool]:
    """SQL condition: no embargo, or its day has come (UTC). Nothing scheduled lifts an embargo;
    every read compares the day."""
    return or_(Testimony.embargo_until.is_(None), Testimony.embargo_until <= today_parameter())


def now_parameter():
    """The present moment, read when a statement runs (see `today_parameter`)."""
    return bindparam("now", callable_=lambda: dates.now(), type_=Timestamp(), unique=True)


def once_public() -> ColumnElement[bool]:
    """SQL condition: the public could read it once, or can now. A testimony published under an
    embargo is given the embargo's first moment as `first_public_dt`: it counts from then."""
    return and_(Testimony.first_public_dt.is_not(None), Testimony.first_public_dt <= now_parameter())


def embargo_days(session: Session) -> list:
    """The days of the embargoes not yet over: what the search index's precomputed rows are cut
    by for readers other than archivists (a short list, read on its index)."""
    return list(session.scalars(
        select(Testimony.embargo_until).where(Testimony.embargo_until > today_parameter()).distinct()
        .order_by(Testimony.embargo_until)
    ))


def gone_from_public() -> ColumnElement[bool]:
    """SQL condition: testimonies the public could once read and can no longer, though their
    access level is public still (withdrawn or deleted since): their permalinks were handed out,
    so they answer 410 Gone with a tombstone. A testimony returned to draft, or made restricted,
    is simply absent, as one that never existed."""
    return and_(
        once_public(),
        Testimony.access_level == AccessLevel.PUBLIC,
        or_(Testimony.is_deleted.is_(True), Testimony.publication_state == PublicationState.WITHDRAWN),
    )


def segment_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on segments: readable level (the owning testimony is checked separately)."""
    return Segment.access_level.in_(viewer.allowed_levels)


def visible_testimonies(viewer: Viewer):
    """A select() of the Testimony rows this viewer may see; callers add order and paging."""
    return select(Testimony).where(testimony_visibility(viewer))


def visible_claims_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on Claim joined to Segment (outer-joined to Testimony): readable claims."""
    testimony_ok = Segment.testimony_id.is_(None) | Segment.testimony_id.in_(
        select(Testimony.id).where(testimony_visibility(viewer))
    )
    source_ok = Segment.source_id.is_(None) | Segment.source_id.in_(
        select(Source.id).where(Source.access_level.in_(viewer.allowed_levels))
    )
    return and_(segment_visibility(viewer), testimony_ok, source_ok)


def readable_claims(query, viewer: Viewer):
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


def visible_claim_keys(session: Session, viewer: Viewer, keys: Iterable[str]) -> set[str]:
    """Which of these claims the viewer may read (only the ones asked about: never the catalog)."""
    keys = list(set(keys))
    if not keys:
        return set()
    return set(session.scalars(readable_claims(select(Claim.key), viewer).where(Claim.key.in_(keys))))


def visible_testimony_ids(session: Session, viewer: Viewer, ids: Iterable[int]) -> set[int]:
    """Which of these testimonies the viewer may see."""
    ids = list(set(ids))
    if not ids:
        return set()
    return set(session.scalars(select(Testimony.id).where(Testimony.id.in_(ids), testimony_visibility(viewer))))


#: Built statements of the hot read paths, by name and viewer role (visibility depends on the role
#: only); ids are passed as expanding parameters. Building a select costs more than running it.
_STATEMENTS: dict[tuple, object] = {}


def cached_statement(name: str, viewer: Optional[Viewer], build):
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
    return agent_ref_of(viewer, agent.id, agent.key, agent.preferred_name, agent.kind, agent.is_protected,
                         agent.public_pseudonym, agent.identity_access)


def agent_ref_of(
    viewer: Viewer, agent_id: int, key: str, preferred_name: str, kind: AgentKind, is_protected: bool,
    public_pseudonym: Optional[str], identity_access: AccessLevel,
) -> AgentRef:
    """The rule of `agent_ref` on plain column values (for reads that select columns, not objects)."""
    if not is_protected or viewer.may_read(identity_access):
        return AgentRef(key, preferred_name, kind)
    return AgentRef(f"protected-{agent_id}", public_pseudonym or "Protected person", kind, is_pseudonym=True)


def place_ref(place: Place) -> PlaceRef:
    return PlaceRef(place.key, place.name, tuple(parent.name for parent in place.ancestors()))


def occasion_record(occasion: Occasion) -> OccasionRecord:
    return OccasionRecord(
        key=occasion.key,
        kind=occasion.kind.value,
        title=occasion.title,
        place=place_ref(occasion.place) if occasion.place else None,
        date_edtf=occasion.date_edtf,
        date_note=occasion.date_note,
    )


def source_ref(viewer: Viewer, source: Source) -> SourceRef:
    return SourceRef(
        key=source.key,
        title=source.title,
        kind=source.kind.value,
        citation=source.citation,
        date_edtf=source.date_edtf,
        publisher=agent_ref(viewer, source.publisher) if source.publisher else None,
    )


def marked_pieces(text: str, spans: Iterable[tuple]) -> tuple[TextPiece, ...]:
    """`text` cut at redaction spans ((start, end, access level) triples), for staff: every word
    readable, the redacted ones marked with the level below which readers see the mark instead.
    Overlapping spans are one, at the higher level; spans outside the text, and spans open to the
    public, are left out."""
    merged: list[list] = []
    for start, end, level in sorted((max(0, int(a)), min(len(text), int(b)), AccessLevel(c)) for a, b, c in spans):
        if end <= start or level is AccessLevel.PUBLIC:
            continue  # an empty span, or one open to everyone: no reader loses these words
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = max(merged[-1][2], level, key=lambda lvl: lvl.rank)
        else:
            merged.append([start, end, level])
    pieces, cursor = [], 0
    for start, end, level in merged:
        if start > cursor:
            pieces.append(TextPiece(text[cursor:start]))
        pieces.append(TextPiece(text[start:end], redacted_below=level.value))
        cursor = end
    if cursor < len(text):
        pieces.append(TextPiece(text[cursor:]))
    return tuple(pieces)


def _seen_through(segment: Segment) -> tuple[TextPiece, ...]:
    return marked_pieces(segment.text, ((r.start, r.end, r.access_level) for r in segment.redactions))


def _pieces(viewer: Viewer, segment: Segment) -> tuple[tuple[TextPiece, ...], bool]:
    hidden = sorted(
        (r.start, r.end) for r in segment.redactions if not viewer.may_read(r.access_level)
    )
    if not hidden:
        if viewer.is_staff and segment.redactions:
            # Staff read every word, and see which words readers below a level do not.
            return _seen_through(segment), False
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
