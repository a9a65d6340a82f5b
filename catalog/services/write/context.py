"""Where a write happens: the session, who is writing, and how references to other records are
found — by id (a form's pickers), by key (a file), or among the records a file is about to create.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Optional, Union

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ... import dates
from ...models import (
    AccessLevel, Agent, Claim, Collection, Occasion, Place, PublicationState, Revision, Segment, Source, Testimony,
)
from ...models.base import as_utc, utcnow
from ..actors import Actor
from ..jobs.after_commit import render_after_commit
from ..revisions import record_revision
from . import rules
from .problems import Problems

#: A reference to another record: its id (int), its key (str), or nothing.
Ref = Union[int, str, None]

#: How each kind of record is named in a reference, and what a person calls it.
_KEYS = {
    Agent: (Agent.key, rules.KEY, "agent"),
    Place: (Place.key, rules.KEY, "place"),
    Source: (Source.key, rules.KEY, "source"),
    Occasion: (Occasion.key, rules.KEY, "occasion"),
    Claim: (Claim.key, rules.KEY, "claim"),
    Testimony: (Testimony.public_id, rules.PUBLIC_ID, "testimony"),
    Collection: (Collection.key, rules.KEY, "collection"),
}


class StaleEdit(Exception):
    """The record changed since the form was opened; nothing was written."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Someone else saved this record after you opened it. Nothing of yours was saved and "
            "nothing of theirs was overwritten."
        )


class WriteContext:
    """One write (or one import of many records): the session, the actor, and the records a file
    declares, so that its entries may refer to each other in any order."""

    def __init__(self, session: Session, actor: Actor, sealed_override: Optional[str] = None) -> None:
        self.session = session
        self.actor = actor
        #: The reason an archivist gave to save words naming a sealed identity anyway (None: no
        #: override; such words are refused). See sealed.py.
        self.sealed_override = sealed_override
        #: The refusals overridden in this write, for its revision's note.
        self.sealed_overridden: list = []
        #: Every sealed name, compiled once for the write (sealed.py).
        self.sealed_matcher = None
        #: Inputs a file is about to create, by kind and key: references to them are valid.
        self.declared: dict[type, dict[str, Any]] = {model: {} for model in _KEYS}
        #: Records created by this write, by kind and key.
        self.created: dict[type, dict[str, Any]] = {model: {} for model in _KEYS}
        #: Places in a source's text taken by segments of this write: (source, position).
        self.source_positions: dict[tuple[Any, int], int] = {}
        #: Saved segments of a testimony, read once by its check and reused by its write.
        self.segments_read: dict[int, dict] = {}
        #: A testimony's segments in order as its write left them, for its revision: saved rows
        #: and the `NewSegment`s of rows inserted in bulk (which are not read back as objects).
        self.segments_written: dict[int, list] = {}
        #: Search tokens of new segments' index rows, worked out before the write lock: body -> tokens.
        self.tokenised: dict[str, tuple[str, ...]] = {}
        #: New segments' content as their revision's snapshot holds it, made before the write
        #: lock: (input, content) by the input's identity.
        self.snapshot_content: dict[int, tuple[Any, dict]] = {}
        #: ¶ numbers a testimony's revisions ever gave, read by its check: (its version then, numbers).
        self.numbers_used: dict[int, tuple[int, set[int]]] = {}

    def declare(self, model: type, key: str, record_input: Any) -> None:
        self.declared[model][key] = record_input

    def check_sealed(self, problems: Problems, where, value: Any, **options: Any) -> None:
        """The sealed-identity rule on one free text (see sealed.py)."""
        from .sealed import check_text

        check_text(self, problems, where, value, **options)

    def find(self, model: type, ref: Any, problems: Problems, where) -> Any:
        """The record (or declared input) a reference names; a problem when there is none."""
        if rules.is_blank(ref):
            return None
        column, pattern, what = _KEYS[model]
        if isinstance(ref, bool) or not isinstance(ref, (int, str)):
            problems.add(where, f"Must name a {what} by its key.")
            return None
        if isinstance(ref, str):
            ref = ref.strip()
            if ref in self.created[model]:
                return self.created[model][ref]
            if ref in self.declared[model]:
                return self.declared[model][ref]
            if not pattern.match(ref):
                problems.add(where, f"“{rules.shown(ref)}” is not a valid {what} key.")
                return None
            found = self.session.scalar(select(model).where(column == ref))
        else:
            found = self.session.get(model, ref) if 0 < ref <= rules.MAX_INTEGER else None
        if found is None:
            problems.add(where, f"There is no {what} “{rules.shown(ref)}”.")
        return found

    def get(self, model: type, ref: Any) -> Any:
        """The record a checked reference names, once everything it depends on is written."""
        if rules.is_blank(ref):
            return None
        if isinstance(ref, str):
            ref = ref.strip()
            if ref in self.created[model]:
                return self.created[model][ref]
            column = _KEYS[model][0]
            return self.session.scalar(select(model).where(column == ref))
        return self.session.get(model, ref)

    def exists(self, model: type, key: str) -> bool:
        column = _KEYS[model][0]
        return key in self.created[model] or self.session.scalar(select(model.id).where(column == key)) is not None

    def take_source_position(self, problems: Problems, where, source: Any, position: int, segment_id=None) -> None:
        """A place in a source's text holds one segment: refuse a second one, in this write or saved."""
        taken_key = (getattr(source, "key", None) or id(source), position)
        if taken_key in self.source_positions:
            problems.add(where, f"Position {position} of the source is given to two segments.")
            return
        self.source_positions[taken_key] = position
        if isinstance(source, Source) and source.id is not None:
            holder = self.session.scalar(
                select(Segment.id).where(Segment.source_id == source.id, Segment.source_position == position)
            )
            if holder is not None and holder != segment_id:
                problems.add(where, f"Position {position} of source “{source.key}” already holds another segment.")


def check_version(obj, expected_version: Optional[int], lock: bool = True) -> None:
    """Refuse a save based on an older version. The row is re-read and locked first (FOR UPDATE
    on PostgreSQL; SQLite's writers are already serialized), so a concurrent save either finished
    before this check — and is seen — or waits until this transaction ends. `lock=False` only
    reads it (an early refusal before a long check; the check that counts is made under the lock)."""
    session = object_session(obj)
    if session is not None and obj.id is not None:
        session.refresh(obj, attribute_names=["version"], with_for_update=lock)
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit(obj.version)


def touch(obj) -> None:
    """Mark the record changed: children-only edits must still bump its version, or a concurrent
    save of the same record could pass its version check."""
    if hasattr(obj, "updated_dt"):
        obj.updated_dt = utcnow()
    elif obj.id is not None:
        flag_modified(obj, "key")


def _settle_first_public(testimony: Testimony) -> None:
    """When the public could first read it: now, or an embargo's first moment (UTC). A moment
    still to come follows the testimony's state (an embargo moved, a publication undone)."""
    first = testimony.first_public_dt
    if first is not None and as_utc(first) <= dates.now():
        return
    readable_from = None
    if (testimony.publication_state is PublicationState.PUBLISHED and testimony.access_level is AccessLevel.PUBLIC
            and not testimony.is_deleted):
        readable_from = utcnow()
        if testimony.embargo_until is not None and testimony.embargo_until > dates.today():
            readable_from = dt.datetime.combine(testimony.embargo_until, dt.time(), dt.timezone.utc)
    testimony.first_public_dt = readable_from


def commit_revision(ctx: WriteContext, obj, note: str) -> Revision:
    """Flush the change (the version check is part of the UPDATE) and record its revision."""
    touch(obj)
    if isinstance(obj, Testimony):
        _settle_first_public(obj)
    try:
        ctx.session.flush()
    except StaleDataError:
        # Another transaction saved between our read and our write; the caller rolls back.
        raise StaleEdit(-1) from None
    segments = ctx.segments_written.pop(obj.id, None) if isinstance(obj, Testimony) else None
    if ctx.sealed_overridden:
        # The refusals this write overrode: which names, who and why, kept with the revision.
        from .sealed import override_note

        note = "; ".join(part for part in (note, override_note(ctx)) if part)
        ctx.sealed_overridden = []
    revision = record_revision(ctx.session, obj, ctx.actor, note=note, segments=segments)
    if isinstance(obj, Testimony) and obj.is_publicly_readable:
        # Readers should find the new revision's transcript already rendered.
        render_after_commit(ctx.session, obj.public_id)
    return revision


def slugify(text: str, fallback: str = "record") -> str:
    """A key from a name: lower-case ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100]
    return slug or fallback


def unique_key(ctx: WriteContext, model, text: str, fallback: str) -> str:
    base = slugify(text, fallback)
    key, n = base, 1
    while ctx.exists(model, key) or key in ctx.declared[model]:
        n += 1
        key = f"{base}-{n}"
    return key


def new_or(ctx: WriteContext, model: type, existing: Any, key: Optional[str], name: str, fallback: str) -> Any:
    """The record being changed, or a new one with the given key (or one made from its name)."""
    if existing is not None:
        return existing
    record = model(key=key or unique_key(ctx, model, name, fallback))
    ctx.session.add(record)
    return record


def set_date(record: Any, prefix: str, date: Any) -> None:
    """An EDTF date with the bounds it is sorted and filtered by (`date_edtf`, `date_lower`, …)."""
    setattr(record, f"{prefix}_edtf", date.text if date else None)
    setattr(record, f"{prefix}_lower", date.lower if date else None)
    setattr(record, f"{prefix}_upper", date.upper if date else None)


def next_public_id(session: Session) -> str:
    """The next free public identifier (T-0014 after T-0013)."""
    numbers = [int(p[2:]) for p in session.scalars(select(Testimony.public_id)) if rules.PUBLIC_ID.match(p)]
    return f"T-{max(numbers, default=0) + 1:04d}"
