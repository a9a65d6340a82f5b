"""Entering and correcting records: every save checks the version it was based on, applies the
change and writes a revision in the same transaction.

Services take plain data (dicts already validated by the forms, or by an importer), a session and
an actor; they never commit. A save based on an older version raises `StaleEdit` and changes
nothing; a save the catalog cannot accept raises `EditRejected` naming each problem by field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from .. import dates
from ..models import (
    AccessLevel,
    AccountKind,
    Agent,
    AgentKind,
    AgentName,
    AgentRole,
    Claim,
    ClaimKind,
    ConsentStatus,
    CorroborationChange,
    CorroborationStatus,
    NameKind,
    Occasion,
    OccasionKind,
    Place,
    PlaceName,
    PublicationState,
    Redaction,
    Revision,
    RoleKind,
    Segment,
    SegmentKind,
    Source,
    SourceKind,
    Testimony,
    TransmissionLink,
)
from ..models.base import utcnow
from ..sanitize import sanitize_html
from ..text import direction_of
from .actors import Actor
from .revisions import ENTITY_TYPES, record_revision

PUBLIC_ID = re.compile(r"^T-\d{4,}$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


class StaleEdit(Exception):
    """The record changed since the form was opened; nothing was written."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Someone else saved this record after you opened it. Nothing of yours was saved and "
            "nothing of theirs was overwritten."
        )


class EditRejected(ValueError):
    """Problems by field ("segments-2-text": [...]); nothing was written."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


@dataclass
class _Problems:
    found: dict[str, list[str]] = field(default_factory=dict)

    def add(self, where: str, message: str) -> None:
        self.found.setdefault(where, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise EditRejected(self.found)


def slugify(text: str, fallback: str = "record") -> str:
    """A key from a name: lower-case ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100]
    return slug or fallback


def unique_key(session: Session, model, text: str, fallback: str) -> str:
    base = slugify(text, fallback)
    key, n = base, 1
    while session.scalar(select(model.id).where(model.key == key)) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def next_public_id(session: Session) -> str:
    """The next free public identifier (T-0014 after T-0013)."""
    numbers = [int(p[2:]) for p in session.scalars(select(Testimony.public_id)) if PUBLIC_ID.match(p)]
    return f"T-{max(numbers, default=0) + 1:04d}"


def check_version(obj, expected_version: Optional[int]) -> None:
    """Refuse a save based on an older version. The row is re-read and locked first (FOR UPDATE
    on PostgreSQL; SQLite's writers are already serialized), so a concurrent save either finished
    before this check — and is seen — or waits until this transaction ends."""
    session = object_session(obj)
    if session is not None and obj.id is not None:
        session.refresh(obj, attribute_names=["version"], with_for_update=True)
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit(obj.version)


def _save(session: Session, obj, actor: Actor, note: str) -> Revision:
    """Flush the change (the version check is part of the UPDATE) and record the revision."""
    try:
        session.flush()
    except StaleDataError:
        # Another transaction saved between our read and our write; the caller rolls back.
        raise StaleEdit(-1) from None
    return record_revision(session, obj, actor, note=note)


def _touch(obj) -> None:
    # Children-only edits must still bump the record's version, or a concurrent save of the
    # same record could pass its version check.
    if hasattr(obj, "updated_dt"):
        obj.updated_dt = utcnow()
    elif obj.id is not None:
        flag_modified(obj, "key")


def _edtf(problems: _Problems, where: str, value: Optional[str]):
    try:
        return dates.parse(value, where)
    except dates.InvalidDate as error:
        problems.add(where, f"“{error.value}” is not a valid EDTF date: {error.problem}.")
        return None


def _int_or_none(value) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- agents, places, occasions, sources: created inline or on their own forms ------------------


def create_agent_inline(session: Session, name: str, kind: AgentKind, actor: Actor) -> Agent:
    """A new agent from just a name (typed beside a role); completed later on its own form."""
    agent = Agent(key=unique_key(session, Agent, name, "agent"), kind=kind, preferred_name=name)
    session.add(agent)
    session.flush()
    record_revision(session, agent, actor, note="created beside a testimony")
    return agent


def save_agent(session: Session, data: dict, actor: Actor, agent: Optional[Agent] = None,
               expected_version: Optional[int] = None) -> Agent:
    """Create or update an agent with its names."""
    problems = _Problems()
    creating = agent is None
    if agent is not None:
        check_version(agent, expected_version)
    key = (data.get("key") or "").strip()
    if key and not KEY.match(key):
        problems.add("key", "Use lower-case letters, digits and hyphens, starting with a letter or digit.")
    if data.get("is_protected") and not (data.get("public_pseudonym") or "").strip():
        problems.add("public_pseudonym", "A protected person needs the pseudonym the public will see.")
    if key:
        clash = session.scalar(select(Agent.id).where(Agent.key == key))
        if clash is not None and (creating or clash != agent.id):
            problems.add("key", f"“{key}” is already used by another agent.")
    problems.raise_any()
    if creating:
        agent = Agent(key=key or unique_key(session, Agent, data["preferred_name"], "agent"))
        session.add(agent)
    elif key:
        agent.key = key
    agent.kind = AgentKind(data["kind"])
    agent.preferred_name = data["preferred_name"]
    agent.description_html = sanitize_html(data.get("description_html") or "")
    agent.is_protected = bool(data.get("is_protected"))
    agent.public_pseudonym = (data.get("public_pseudonym") or "").strip() or None
    agent.identity_access = AccessLevel(data.get("identity_access") or AccessLevel.CONFIDENTIAL.value)
    _replace_names(agent, AgentName, data.get("names") or [], with_note=True)
    _touch(agent)
    _save(session, agent, actor, "created" if creating else (data.get("note") or "edited"))
    return agent


def _replace_names(owner, name_class, names: list[dict], with_note: bool = False) -> None:
    wanted = [n for n in names if (n.get("name") or "").strip()]
    owner.names.clear()
    for n in wanted:
        extra = {"note": n.get("note") or ""} if with_note else {}
        owner.names.append(
            name_class(name=n["name"], kind=NameKind(n["kind"]), language=(n.get("language") or None), **extra)
        )


def save_place(session: Session, data: dict, actor: Actor, place: Optional[Place] = None,
               expected_version: Optional[int] = None) -> Place:
    """Create or update a place (with its parent and alternate names)."""
    problems = _Problems()
    creating = place is None
    if place is not None:
        check_version(place, expected_version)
    parent_id = _int_or_none(data.get("parent_id"))
    if parent_id is not None:
        parent = session.get(Place, parent_id)
        if parent is None:
            problems.add("parent_id", "That place does not exist.")
        elif place is not None and (parent.id == place.id or place.id in {p.id for p in parent.ancestors()}):
            problems.add("parent_id", "A place cannot lie inside itself.")
    for name in ("latitude", "longitude"):
        value = data.get(name)
        limit = 90 if name == "latitude" else 180
        if value is not None and not -limit <= value <= limit:
            problems.add(name, f"Must lie between -{limit} and {limit}.")
    problems.raise_any()
    if creating:
        place = Place(key=unique_key(session, Place, data["name"], "place"))
        session.add(place)
    place.name = data["name"]
    place.kind = data.get("kind") or ""
    place.parent_id = parent_id
    place.latitude = data.get("latitude")
    place.longitude = data.get("longitude")
    _replace_names(place, PlaceName, data.get("names") or [])
    _touch(place)
    _save(session, place, actor, "created" if creating else (data.get("note") or "edited"))
    return place


def save_occasion(session: Session, data: dict, actor: Actor, occasion: Optional[Occasion] = None,
                  expected_version: Optional[int] = None) -> Occasion:
    """Create or update an occasion (where and when testimony was given)."""
    problems = _Problems()
    creating = occasion is None
    if occasion is not None:
        check_version(occasion, expected_version)
    date = _edtf(problems, "date_edtf", data.get("date_edtf"))
    place_id = _int_or_none(data.get("place_id"))
    if place_id is not None and session.get(Place, place_id) is None:
        problems.add("place_id", "That place does not exist.")
    problems.raise_any()
    if creating:
        occasion = Occasion(key=unique_key(session, Occasion, data["title"], "occasion"))
        session.add(occasion)
    occasion.kind = OccasionKind(data["kind"])
    occasion.title = data["title"]
    occasion.place_id = place_id
    occasion.date_edtf = date.text if date else None
    occasion.date_lower = date.lower if date else None
    occasion.date_upper = date.upper if date else None
    occasion.date_note = data.get("date_note") or ""
    _touch(occasion)
    _save(session, occasion, actor, "created" if creating else (data.get("note") or "edited"))
    return occasion


def save_source(session: Session, data: dict, actor: Actor, source: Optional[Source] = None,
                expected_version: Optional[int] = None) -> Source:
    """Create or update a source (a document or recording the catalog took material from)."""
    problems = _Problems()
    creating = source is None
    if source is not None:
        check_version(source, expected_version)
    date = _edtf(problems, "date_edtf", data.get("date_edtf"))
    publisher_id = _int_or_none(data.get("publisher_id"))
    if publisher_id is not None and session.get(Agent, publisher_id) is None:
        problems.add("publisher_id", "That agent does not exist.")
    problems.raise_any()
    if creating:
        source = Source(key=unique_key(session, Source, data["title"], "source"))
        session.add(source)
    source.title = data["title"]
    source.kind = SourceKind(data["kind"])
    source.publisher_id = publisher_id
    source.date_edtf = date.text if date else None
    source.date_lower = date.lower if date else None
    source.date_upper = date.upper if date else None
    source.language = data.get("language") or None
    source.location = data.get("location") or ""
    source.stance_note_html = sanitize_html(data.get("stance_note_html") or "")
    source.citation = data.get("citation") or ""
    source.access_level = AccessLevel(data.get("access_level") or AccessLevel.PUBLIC.value)
    _touch(source)
    _save(session, source, actor, "created" if creating else (data.get("note") or "edited"))
    return source


# --- testimonies ----------------------------------------------------------------------------


def _numbers_ever_used(session: Session, testimony: Testimony) -> set[int]:
    """Citation numbers this testimony has ever given out (¶ numbers are never reused)."""
    used = {s.number for s in testimony.segments if s.number is not None}
    if testimony.id is not None:
        for snapshot in session.scalars(
            select(Revision.snapshot).where(Revision.entity_type == "testimony", Revision.entity_id == testimony.id)
        ):
            used.update(s.get("number") for s in json.loads(snapshot).get("segments", []) if s.get("number"))
    return used


def _segment_id(item: dict) -> Optional[int]:
    """The saved segment a row of data edits: `record_id` from the form, `id` from elsewhere."""
    return _int_or_none(item.get("record_id", item.get("id")))


def _resolve_agent(session: Session, problems: _Problems, where: str, item: dict, actor: Actor) -> Optional[Agent]:
    agent_id = _int_or_none(item.get("agent_id"))
    new_name = (item.get("new_agent_name") or "").strip()
    if agent_id is not None:
        agent = session.get(Agent, agent_id)
        if agent is None:
            problems.add(f"{where}-agent_id", "That agent does not exist.")
        return agent
    if new_name:
        return create_agent_inline(session, new_name, AgentKind(item.get("new_agent_kind") or "person"), actor)
    return None


def _resolve(session: Session, problems: _Problems, where: str, model, value) -> Any:
    ident = _int_or_none(value)
    if ident is None:
        return None
    obj = session.get(model, ident)
    if obj is None:
        problems.add(where, "That record does not exist.")
    return obj


def save_testimony(
    session: Session,
    data: dict,
    actor: Actor,
    testimony: Optional[Testimony] = None,
    expected_version: Optional[int] = None,
) -> Testimony:
    """Create a testimony, or save a corrected one, with its roles, transmission and segments.

    Segments are matched by their id: existing ones are updated in place (their ¶ number stays),
    new ones get the next number never used before, and rows left out are removed (a segment that
    is also part of a source's text only leaves the testimony; the source keeps it).
    """
    problems = _Problems()
    creating = testimony is None
    if testimony is not None:
        check_version(testimony, expected_version)

    public_id = (data.get("public_id") or "").strip()
    if creating:
        if public_id:
            if not PUBLIC_ID.match(public_id):
                problems.add("public_id", "Use the form T-0001.")
            elif session.scalar(select(Testimony.id).where(Testimony.public_id == public_id)) is not None:
                problems.add("public_id", f"{public_id} is already used.")
        else:
            public_id = next_public_id(session)
    events = _edtf(problems, "events_date_edtf", data.get("events_date_edtf"))
    occasion = _resolve(session, problems, "occasion_id", Occasion, data.get("occasion_id"))
    source = _resolve(session, problems, "source_id", Source, data.get("source_id"))
    new_occasion = (data.get("new_occasion_title") or "").strip()
    new_source = (data.get("new_source_title") or "").strip()
    if new_occasion and occasion is not None:
        problems.add("new_occasion_title", "Pick an occasion or name a new one, not both.")
    if new_source and source is not None:
        problems.add("new_source_title", "Pick a source or name a new one, not both.")
    occasion_date = _edtf(problems, "new_occasion_date", data.get("new_occasion_date")) if new_occasion else None

    segments_in = data.get("segments") or []
    if not any((s.get("text") or "").strip() for s in segments_in):
        problems.add("segments", "A testimony needs at least one segment of text.")
    existing = {s.id: s for s in (testimony.segments if testimony else [])}
    seen_ids: set[int] = set()
    for index, item in enumerate(segments_in):
        where = f"segments-{index}"
        seg_id = _segment_id(item)
        if seg_id is not None and seg_id not in existing:
            problems.add(f"{where}-text", "This segment no longer belongs to the testimony; reload the page.")
        if seg_id is not None:
            seen_ids.add(seg_id)
        kind = SegmentKind(item["kind"])
        text = item.get("text") or ""
        if not text.strip():
            problems.add(f"{where}-text", "A segment needs text; remove the segment instead.")
        if kind is SegmentKind.FIRST_PERSON and _int_or_none(item.get("author_id")) is not None:
            problems.add(f"{where}-author_id", "First-person words have a speaker, not an author of framing.")
        for r_index, red in enumerate(item.get("redactions") or []):
            start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
            if start is None and end is None:
                continue
            if start is None or end is None or not 0 <= start < end <= len(text):
                problems.add(
                    f"{where}-redactions-{r_index}-start",
                    f"A redaction must lie within the text (0 to {len(text)}) and not be empty.",
                )
    for seg_id, segment in existing.items():
        if seg_id not in seen_ids and segment.source_id is None:
            claims = session.scalar(select(func.count()).select_from(Claim).where(Claim.segment_id == seg_id))
            if claims:
                problems.add(
                    "segments",
                    f"¶{segment.number} has {claims} claim(s) attached; remove or move them before removing the segment.",
                )
    roles_in = [
        (index, r) for index, r in enumerate(data.get("roles") or [])
        if _int_or_none(r.get("agent_id")) or (r.get("new_agent_name") or "").strip()
    ]
    for index, item in enumerate(data.get("roles") or []):
        if item.get("role") == RoleKind.ALLEGED_PERPETRATOR.value and not _int_or_none(item.get("named_by_source_id")):
            if _int_or_none(item.get("agent_id")) or (item.get("new_agent_name") or "").strip():
                problems.add(
                    f"roles-{index}-named_by_source_id",
                    "Name the source that names this person as an alleged perpetrator; the catalog accuses nobody itself.",
                )
    if not any(r.get("role") == RoleKind.SPEAKER.value for _, r in roles_in):
        problems.add("roles", "Name the speaker (pick an agent, or type a new name).")
    problems.raise_any()

    if new_occasion:
        occasion = save_occasion(session, {
            "title": new_occasion, "kind": data.get("new_occasion_kind") or OccasionKind.INTERVIEW.value,
            "date_edtf": occasion_date.text if occasion_date else "", "note": "created beside a testimony",
        }, actor)
    if new_source:
        source = save_source(session, {
            "title": new_source, "kind": data.get("new_source_kind") or SourceKind.RECORDING.value,
            "note": "created beside a testimony",
        }, actor)
    if creating:
        testimony = Testimony(public_id=public_id, publication_state=PublicationState.DRAFT)
        session.add(testimony)
    testimony.title = data["title"]
    testimony.language = data.get("language") or "en"
    testimony.account_kind = AccountKind(data["account_kind"])
    testimony.events_date_edtf = events.text if events else None
    testimony.events_date_lower = events.lower if events else None
    testimony.events_date_upper = events.upper if events else None
    testimony.access_level = AccessLevel(data.get("access_level") or "public")
    testimony.consent_status = ConsentStatus(data.get("consent_status") or "unknown")
    testimony.consent_note = data.get("consent_note") or ""
    testimony.summary_html = sanitize_html(data.get("summary_html") or "")
    testimony.occasion = occasion
    testimony.source = source

    # Roles and transmission are small ordered lists: replaced wholesale.
    testimony.roles.clear()
    testimony.transmission.clear()
    session.flush()
    for position, (index, item) in enumerate(roles_in):
        agent = _resolve_agent(session, problems, f"roles-{index}", item, actor)
        named_by = _resolve(session, problems, f"roles-{index}-named_by_source_id", Source, item.get("named_by_source_id"))
        if agent is not None:
            testimony.roles.append(
                AgentRole(
                    agent=agent, role=RoleKind(item["role"]), named_by=named_by,
                    relation_to_events=item.get("relation_to_events") or "", position=position,
                )
            )
    position = 0
    for index, item in enumerate(data.get("transmission") or []):
        agent = _resolve_agent(session, problems, f"transmission-{index}", item, actor)
        link_source = _resolve(session, problems, f"transmission-{index}-source_id", Source, item.get("source_id"))
        if agent is None and link_source is None:
            continue
        position += 1
        testimony.transmission.append(
            TransmissionLink(position=position, agent=agent, source=link_source, note=item.get("note") or "")
        )
    problems.raise_any()

    _apply_segments(session, testimony, segments_in, existing, seen_ids)
    _touch(testimony)
    _save(session, testimony, actor, "created" if creating else (data.get("note") or "edited"))
    return testimony


def _apply_segments(session: Session, testimony: Testimony, segments_in: list[dict],
                    existing: dict[int, Segment], seen_ids: set[int]) -> None:
    used_numbers = _numbers_ever_used(session, testimony)
    # Park every position out of the way first: swapping two segments must not trip the
    # (testimony, position) unique constraint half-way through the flush.
    for offset, segment in enumerate(testimony.segments):
        segment.position = -1 - offset
    session.flush()
    for seg_id, segment in existing.items():
        if seg_id in seen_ids:
            continue
        if segment.source_id is not None:
            # It stays in the source's text and only leaves this testimony. Done in SQL: taking
            # it out of the collection would delete it as an orphan.
            session.execute(
                update(Segment).where(Segment.id == seg_id).values(testimony_id=None, position=None, number=None)
            )
            session.expire(segment)
            session.expire(testimony, ["segments"])
        else:
            testimony.segments.remove(segment)
    session.flush()
    ordered: list[Segment] = []
    for item in segments_in:
        seg_id = _segment_id(item)
        segment = existing.get(seg_id) if seg_id is not None else None
        if segment is None:
            number = max(used_numbers, default=0) + 1
            used_numbers.add(number)
            segment = Segment(number=number, position=-10_000 - len(ordered))
            testimony.segments.append(segment)
        language = item.get("language") or testimony.language or "en"
        direction = item.get("direction") or "auto"
        segment.kind = SegmentKind(item["kind"])
        segment.text = item["text"]
        segment.language = language
        segment.direction = direction_of(language) if direction == "auto" else direction
        segment.translation = item.get("translation") or None
        segment.translation_language = (item.get("translation_language") or None) if segment.translation else None
        segment.access_level = AccessLevel(item.get("access_level") or "public")
        segment.author_id = _int_or_none(item.get("author_id"))
        segment.timecode_start = item.get("timecode_start")
        segment.timecode_end = item.get("timecode_end")
        segment.redactions.clear()
        for red in item.get("redactions") or []:
            start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
            if start is None or end is None:
                continue
            segment.redactions.append(
                Redaction(start=start, end=end, reason=red.get("reason") or "",
                          access_level=AccessLevel(red.get("access_level") or "confidential"))
            )
        ordered.append(segment)
    session.flush()
    for position, segment in enumerate(ordered, 1):
        segment.position = position
    testimony.segments.sort(key=lambda s: s.position)


# --- workflow -------------------------------------------------------------------------------


def publish(session: Session, testimony: Testimony, actor: Actor, expected_version: Optional[int] = None) -> None:
    """Make a draft (or withdrawn) testimony readable by its audience."""
    check_version(testimony, expected_version)
    if testimony.is_deleted:
        raise EditRejected({"publication_state": ["A deleted testimony cannot be published; restore it first."]})
    if not testimony.segments:
        raise EditRejected({"publication_state": ["A testimony without text cannot be published."]})
    testimony.publication_state = PublicationState.PUBLISHED
    testimony.withdrawn_reason = ""
    testimony.published_dt = testimony.published_dt or utcnow()
    _touch(testimony)
    _save(session, testimony, actor, "published")


def withdraw(session: Session, testimony: Testimony, reason: str, actor: Actor,
             expected_version: Optional[int] = None) -> None:
    """Take a published testimony away from readers, saying why."""
    check_version(testimony, expected_version)
    if not reason.strip():
        raise EditRejected({"reason": ["Say why the testimony is withdrawn; readers and archivists will see it."]})
    testimony.publication_state = PublicationState.WITHDRAWN
    testimony.withdrawn_reason = reason
    _touch(testimony)
    _save(session, testimony, actor, f"withdrawn: {reason}")


def return_to_draft(session: Session, testimony: Testimony, actor: Actor, expected_version: Optional[int] = None) -> None:
    """Back to draft: out of readers' sight while it is reworked."""
    check_version(testimony, expected_version)
    testimony.publication_state = PublicationState.DRAFT
    _touch(testimony)
    _save(session, testimony, actor, "returned to draft")


def soft_delete(session: Session, testimony: Testimony, reason: str, actor: Actor,
                expected_version: Optional[int] = None) -> None:
    """Delete softly: the record stays, with who deleted it, when and why; readers never see it."""
    check_version(testimony, expected_version)
    if not reason.strip():
        raise EditRejected({"reason": ["Say why the testimony is deleted."]})
    testimony.is_deleted = True
    testimony.deleted_reason = reason
    testimony.deleted_by_id = actor.user_id
    testimony.deleted_dt = utcnow()
    _touch(testimony)
    _save(session, testimony, actor, f"deleted: {reason}")


def undelete(session: Session, testimony: Testimony, actor: Actor, expected_version: Optional[int] = None) -> None:
    """Bring a deleted testimony back (as it was, in its publication state)."""
    check_version(testimony, expected_version)
    testimony.is_deleted = False
    testimony.deleted_reason = ""
    testimony.deleted_by_id = None
    testimony.deleted_dt = None
    _touch(testimony)
    _save(session, testimony, actor, "restored from deletion")


def change_corroboration(session: Session, testimony: Testimony, status: CorroborationStatus, rationale: str,
                         actor: Actor, expected_version: Optional[int] = None) -> None:
    """Set the corroboration status; the rationale is required and the change kept as history."""
    check_version(testimony, expected_version)
    if not rationale.strip():
        raise EditRejected({"rationale": ["A change of corroboration status needs its rationale."]})
    testimony.corroboration_status = status
    testimony.corroboration_rationale = rationale
    testimony.corroboration_history.append(
        CorroborationChange(status=status, rationale=rationale, changed_by_id=actor.user_id,
                            changed_by_label=actor.label)
    )
    _touch(testimony)
    _save(session, testimony, actor, f"corroboration: {status.label}")


# --- claims ---------------------------------------------------------------------------------


def add_claim(session: Session, segment: Segment, data: dict, actor: Actor) -> Claim:
    """Attach a claim to a segment, attributed to the segment's speaker (or author for framing)."""
    problems = _Problems()
    period = _edtf(problems, "scope_period_edtf", data.get("scope_period_edtf"))
    low, high = data.get("quantity_low"), data.get("quantity_high")
    if low is not None and high is not None and low > high:
        problems.add("quantity_high", "The upper figure is smaller than the lower one.")
    excerpt = data.get("excerpt") or ""
    if excerpt and excerpt not in segment.text:
        problems.add("excerpt", "The excerpt must be words of the segment, exactly as they stand.")
    scope_place = _resolve(session, problems, "scope_place_id", Place, data.get("scope_place_id"))
    problems.raise_any()
    speaker_id = segment.author_id
    if segment.kind in (SegmentKind.FIRST_PERSON, SegmentKind.QUESTION) and segment.testimony is not None:
        speakers = [r.agent_id for r in segment.testimony.roles if r.role is RoleKind.SPEAKER]
        speaker_id = speakers[0] if speakers else None
    claim = Claim(
        key=unique_key(session, Claim, data["statement"][:60], "claim"),
        segment=segment,
        speaker_id=_int_or_none(data.get("speaker_id")) or speaker_id,
        kind=ClaimKind(data["kind"]),
        statement=data["statement"],
        excerpt=excerpt,
        quantity_low=low,
        quantity_high=high,
        scope_place=scope_place,
        scope_period_edtf=period.text if period else None,
        scope_period_lower=period.lower if period else None,
        scope_period_upper=period.upper if period else None,
        scope_note=data.get("scope_note") or "",
    )
    session.add(claim)
    session.flush()
    if segment.testimony is not None:
        _touch(segment.testimony)
        _save(session, segment.testimony, actor, f"claim {claim.key} added to ¶{segment.number}")
    return claim


def remove_claim(session: Session, claim: Claim, actor: Actor) -> None:
    """Remove a claim (and the corroboration links resting on it)."""
    testimony = claim.segment.testimony if claim.segment else None
    note = f"claim {claim.key} removed from ¶{claim.segment.number if claim.segment else '?'}"
    session.delete(claim)
    session.flush()
    if testimony is not None:
        _touch(testimony)
        _save(session, testimony, actor, note)


# --- revisions ------------------------------------------------------------------------------


def revisions_of(session: Session, obj) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.entity_type == ENTITY_TYPES[type(obj)], Revision.entity_id == obj.id)
            .order_by(Revision.number.desc())
        )
    )


def get_revision(session: Session, obj, number: int) -> Optional[Revision]:
    return session.scalar(
        select(Revision).where(
            Revision.entity_type == ENTITY_TYPES[type(obj)], Revision.entity_id == obj.id, Revision.number == number
        )
    )


#: Fields a restore leaves alone: the workflow (publication, deletion, corroboration history) is
#: moved on by its own actions, never rolled back as a side effect of restoring text.
_WORKFLOW_FIELDS = {
    "publication_state", "withdrawn_reason", "published_dt", "is_deleted", "deleted_reason", "deleted_by_id",
    "deleted_dt", "corroboration_status", "corroboration_rationale",
}


def restore_revision(session: Session, obj, number: int, actor: Actor, expected_version: Optional[int] = None) -> Revision:
    """Bring back the content of an older revision; this is itself a new revision."""
    check_version(obj, expected_version)
    revision = get_revision(session, obj, number)
    if revision is None:
        raise EditRejected({"revision": [f"There is no revision {number}."]})
    snapshot = json.loads(revision.snapshot)
    if isinstance(obj, Testimony):
        data = _testimony_data_from_snapshot(obj, snapshot)
        return_obj = save_testimony(session, {**data, "note": f"restored revision {number}"}, actor, obj)
        return revisions_of(session, return_obj)[0]
    table = obj.__table__
    for column in table.columns:
        if column.key in snapshot and column.key not in ("id", "version", "created_dt", "updated_dt"):
            value = snapshot[column.key]
            python_type = _enum_type(column)
            if python_type is not None and value is not None:
                value = python_type(value)
            elif value is not None and column.key.endswith(("_lower", "_upper")):
                import datetime as dt

                value = dt.date.fromisoformat(value)
            setattr(obj, column.key, value)
    if isinstance(obj, (Agent, Place)):
        name_class = AgentName if isinstance(obj, Agent) else PlaceName
        _replace_names(obj, name_class, snapshot.get("names", []), with_note=isinstance(obj, Agent))
    _touch(obj)
    return _save(session, obj, actor, f"restored revision {number}")


def _enum_type(column):
    enum_class = getattr(column.type, "enum_class", None)
    return enum_class


def _testimony_data_from_snapshot(testimony: Testimony, snapshot: dict) -> dict:
    by_number = {s.number: s for s in testimony.segments}
    segments = []
    for seg in snapshot.get("segments", []):
        current = by_number.get(seg.get("number"))
        segments.append({
            "record_id": current.id if current is not None else None,
            "kind": seg["kind"], "text": seg["text"], "language": seg.get("language"),
            "direction": seg.get("direction") or "auto", "translation": seg.get("translation"),
            "translation_language": seg.get("translation_language"), "access_level": seg.get("access_level"),
            "author_id": seg.get("author_id"), "timecode_start": seg.get("timecode_start"),
            "timecode_end": seg.get("timecode_end"),
            "redactions": seg.get("redactions", []),
        })
    return {
        "title": snapshot["title"], "language": snapshot.get("language"), "account_kind": snapshot["account_kind"],
        "events_date_edtf": snapshot.get("events_date_edtf"), "access_level": snapshot.get("access_level"),
        "consent_status": snapshot.get("consent_status"), "consent_note": snapshot.get("consent_note"),
        "summary_html": snapshot.get("summary_html"), "occasion_id": snapshot.get("occasion_id"),
        "source_id": snapshot.get("source_id"),
        "roles": [
            {"agent_id": r["agent_id"], "role": r["role"], "named_by_source_id": r.get("named_by_source_id"),
             "relation_to_events": r.get("relation_to_events")}
            for r in snapshot.get("roles", [])
        ],
        "transmission": [
            {"agent_id": t.get("agent_id"), "source_id": t.get("source_id"), "note": t.get("note")}
            for t in snapshot.get("transmission", [])
        ],
        "segments": segments,
    }


# --- segment operations on unsaved form data ----------------------------------------------------
# Splitting, merging and moving happen on what the archivist has typed, before anything is saved:
# the form comes back with the change applied, and only "Save" writes (and records a revision).


def _shift(redactions: list[dict], offset: int) -> list[dict]:
    shifted = []
    for red in redactions:
        start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
        if start is None or end is None:
            continue
        shifted.append({**red, "start": start + offset, "end": end + offset})
    return shifted


def split_segment(segments: list[dict], index: int) -> str:
    """Split segment `index` at its `split_at` offset (the cursor), or at its first empty line."""
    seg = segments[index]
    text = seg.get("text") or ""
    at = _int_or_none(seg.get("split_at"))
    if at is None or not 0 < at < len(text):
        blank = re.search(r"\n\s*\n", text)
        if blank is None:
            return "To split, put the cursor where the new segment should start (or leave an empty line there)."
        at = blank.start()
    head, tail = text[:at], text[at:]
    head_text, tail_text = head.rstrip(), tail.lstrip()
    if not head_text or not tail_text:
        return "There is nothing to split off at that point."
    tail_offset = at + (len(tail) - len(tail_text))
    first_reds, second_reds = [], []
    for red in seg.get("redactions") or []:
        start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
        if start is None or end is None:
            continue
        if start < len(head_text):
            first_reds.append({**red, "start": start, "end": min(end, len(head_text))})
        if end > tail_offset:
            second_reds.append({**red, "start": max(start, tail_offset) - tail_offset, "end": end - tail_offset})
    segments[index] = {**seg, "text": head_text, "split_at": "", "redactions": first_reds}
    segments.insert(index + 1, {
        **seg, "record_id": "", "number": "", "text": tail_text, "split_at": "", "translation": "",
        "redactions": second_reds, "timecode_start": None, "timecode_end": None,
    })
    return f"Segment {index + 1} split in two; save to keep it."


def merge_segments(segments: list[dict], index: int, source_linked: set[str] = frozenset()) -> str:
    """Merge segment `index` with the one after it (same kind only)."""
    if index + 1 >= len(segments):
        return "There is no segment after this one to merge with."
    first, second = segments[index], segments[index + 1]
    if first.get("kind") != second.get("kind"):
        return "Only segments of the same kind can be merged: a witness's words never run into framing."
    if str(first.get("record_id") or "") in source_linked or str(second.get("record_id") or "") in source_linked:
        return "These words are also part of a source's own text, in its order; merge them there is not possible here."
    joined = (first.get("text") or "").rstrip() + " "
    offset = len(joined)
    translation = " ".join(t for t in ((first.get("translation") or "").strip(), (second.get("translation") or "").strip()) if t)
    segments[index] = {
        **first, "text": joined + (second.get("text") or "").lstrip(), "translation": translation,
        "redactions": [*(first.get("redactions") or []), *_shift(second.get("redactions") or [], offset)],
        "timecode_end": second.get("timecode_end") or first.get("timecode_end"),
    }
    del segments[index + 1]
    return f"Segments {index + 1} and {index + 2} merged; save to keep it."


def move_segment(segments: list[dict], index: int, step: int) -> str:
    target = index + step
    if not 0 <= target < len(segments):
        return "The segment is already at that end."
    segments[index], segments[target] = segments[target], segments[index]
    return f"Segment moved {'up' if step < 0 else 'down'}; save to keep the new order."
