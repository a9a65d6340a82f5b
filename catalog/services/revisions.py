"""Revisions: a full snapshot of a record at every save, chained by SHA-256."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from ..models import Agent, Claim, Collection, CorroborationLink, Occasion, Place, Redaction, Revision, Segment, Source, Testimony
from .actors import Actor

ENTITY_TYPES: dict[type, str] = {
    Testimony: "testimony",
    Agent: "agent",
    Place: "place",
    Occasion: "occasion",
    Source: "source",
    Collection: "collection",
}


def _value(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


#: Records named by key beside their id in a snapshot, so that a history carried to another
#: catalog (an export loaded elsewhere) still says which record it meant.
_KEYED_TABLES = {"agents": Agent, "places": Place, "sources": Source, "occasions": Occasion}


@functools.lru_cache(maxsize=None)
def _snapshot_columns(table, exclude: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """A table's columns a snapshot holds, each with the keyed model its foreign key names (if
    any): worked out once per table, not once per row of a long testimony."""
    # Bookkeeping, not content: OAI-PMH's datestamp moves after the revision is written.
    skip = {"id", "created_dt", "updated_dt", "version", "harvest_dt", "harvest_public", *exclude}
    found = []
    for column in table.columns:
        if column.key in skip:
            continue
        target = next(iter(column.foreign_keys)).column.table.name if column.foreign_keys else None
        found.append((column.key, _KEYED_TABLES.get(target)))
    return tuple(found)


def _columns(obj, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    data = {}
    keyed = []
    for key, model in _snapshot_columns(obj.__table__, exclude):
        value = data[key] = _value(getattr(obj, key))
        if model is not None and value is not None:
            keyed.append((key, model, value))
    session = object_session(obj) if keyed else None
    for key, model, value in keyed:
        record = session.get(model, value) if session is not None else None
        if record is not None:
            data[f"{key[:-3]}_key"] = record.key
    return data


def _claims_by_segment(testimony: Testimony, segment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The claims made in a testimony's segments, with the corroboration links they make, so a
    change to a claim is a change to the testimony's history (and to what its prints say)."""
    session = object_session(testimony)
    segment_ids = [i for i in segment_ids if i is not None]
    if session is None or not segment_ids:
        return {}
    claims = session.scalars(select(Claim).where(Claim.segment_id.in_(segment_ids)).order_by(Claim.key)).all()
    links = session.scalars(
        select(CorroborationLink)
        .where(CorroborationLink.from_claim_id.in_([c.id for c in claims]))
        .order_by(CorroborationLink.id)
    ).all() if claims else []
    by_segment: dict[int, list[dict[str, Any]]] = {}
    for claim in claims:
        by_segment.setdefault(claim.segment_id, []).append(
            {
                **_columns(claim, ("segment_id",)),
                "corroborations": [
                    _columns(link, ("from_claim_id",)) for link in links if link.from_claim_id == claim.id
                ],
            }
        )
    return by_segment


def _segment_snapshot(segment, claims: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    if isinstance(segment, NewSegment):
        data = segment.data if not claims.get(segment.id) else dict(segment.data)
    else:
        data = {
            **_columns(segment, ("testimony_id",)),
            "redactions": [_columns(r, ("segment_id",)) for r in segment.redactions],
        }
    if claims.get(segment.id):
        data["claims"] = claims[segment.id]
    return data


@dataclass(frozen=True)
class NewSegment:
    """A segment just inserted in bulk, as its snapshot shows it: made from the values written,
    so a long transcript's thousands of new rows are not read back as objects for its revision."""

    id: int
    data: dict[str, Any]


def segment_content(columns: dict[str, Any], redactions: list[dict[str, Any]]) -> dict[str, Any]:
    """The part of a new segment's snapshot its checked input alone decides (its content columns
    and redactions): made before the write lock; `new_segment` adds where the row was put."""
    redaction_columns = _snapshot_columns(Redaction.__table__, ("segment_id",))
    return {
        **{key: _value(value) for key, value in columns.items()},
        "redactions": [{key: _value(r[key]) for key, _model in redaction_columns}
                       for r in sorted(redactions, key=lambda r: r["start"])],
    }


def new_segment(content: dict[str, Any], placement: dict[str, Any], keys: dict[str, Optional[str]],
                segment_id: int) -> NewSegment:
    """The snapshot of a segment inserted in bulk, from what it was written with: its `content`
    (`segment_content`), the columns of its `placement` (position, number, author, source …) and
    the key of each keyed record those name (`keys`, by column) — the same as `_columns` gives
    from the saved row. A column left out of both raises KeyError."""
    data = {**content, **placement}
    data = {key: data[key] for key, _model in _snapshot_columns(Segment.__table__, ("testimony_id",))}
    for key, model in _snapshot_columns(Segment.__table__, ("testimony_id",)):
        if model is not None and data[key] is not None and keys.get(key) is not None:
            data[f"{key[:-3]}_key"] = keys[key]
    data["redactions"] = content["redactions"]
    return NewSegment(segment_id, data)


def snapshot(obj, segments: list | None = None) -> dict[str, Any]:
    """The record's full state: its columns and the children that belong to it. `segments`: a
    testimony's segments in order when its write has them in hand (saved rows or `NewSegment`s)."""
    data = _columns(obj)
    if isinstance(obj, Testimony):
        data["roles"] = [_columns(r, ("testimony_id",)) for r in obj.roles]
        data["transmission"] = [_columns(link, ("testimony_id",)) for link in obj.transmission]
        if segments is None:
            segments = list(obj.segments)
        claims = _claims_by_segment(obj, [s.id for s in segments])
        data["segments"] = [_segment_snapshot(s, claims) for s in segments]
        data["corroboration_history"] = [
            _columns(change, ("testimony_id",)) for change in obj.corroboration_history
        ]
        if obj.collections:
            # Membership is the testimony's own (left out while it has none, so the snapshots
            # of testimonies that never joined a collection read as they always did).
            data["collections"] = sorted(collection.key for collection in obj.collections)
        if obj.about_places:
            # Likewise left out while it speaks of no place set by an archivist.
            data["about_places"] = sorted(place.key for place in obj.about_places)
        if obj.release_form is not None:
            # Its metadata and checksum, never its bytes (left out while there is none, as above).
            data["release_form"] = _columns(obj.release_form, ("testimony_id", "id"))
    elif isinstance(obj, (Agent, Place)):
        data["names"] = [_columns(n, ("agent_id", "place_id")) for n in obj.names]
    elif isinstance(obj, Source):
        data["files"] = [_columns(f, ("source_id",)) for f in obj.files]
    return data


def canonical(data: dict[str, Any]) -> str:
    """Stable JSON: the same state always gives the same text, hence the same hash."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous_sha256: str | None, snapshot_json: str) -> str:
    return hashlib.sha256(f"{previous_sha256 or ''}\n{snapshot_json}".encode("utf-8")).hexdigest()


def record_revision(session: Session, obj, actor: Actor, note: str = "", segments: list | None = None) -> Revision:
    """Append an immutable revision for `obj` (flushed, so it has an id); `segments`: see `snapshot`."""
    session.flush()
    entity_type = ENTITY_TYPES[type(obj)]
    last = session.scalars(
        select(Revision)
        .where(Revision.entity_type == entity_type, Revision.entity_id == obj.id)
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()
    snapshot_json = canonical(snapshot(obj, segments))
    previous = last.sha256 if last else None
    revision = Revision(
        entity_type=entity_type,
        entity_id=obj.id,
        number=(last.number + 1) if last else 1,
        actor_id=actor.user_id,
        actor_label=actor.label,
        snapshot=snapshot_json,
        sha256=chain_hash(previous, snapshot_json),
        previous_sha256=previous,
        note=note,
    )
    session.add(revision)
    session.flush()
    return revision


@dataclass(frozen=True)
class ChainProblem:
    entity_type: str
    entity_id: int
    number: int
    message: str

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} revision {self.number}: {self.message}"


def verify_chains(session: Session) -> list[ChainProblem]:
    """Recompute every record's chain; return what does not check out (empty when all is well)."""
    problems: list[ChainProblem] = []
    revisions = session.scalars(
        select(Revision).order_by(Revision.entity_type, Revision.entity_id, Revision.number)
    )
    current, previous, expected_number = None, None, 1
    for revision in revisions:
        key = (revision.entity_type, revision.entity_id)
        if key != current:
            current, previous, expected_number = key, None, 1
        where = (revision.entity_type, revision.entity_id, revision.number)
        if revision.number != expected_number:
            problems.append(ChainProblem(*where, f"expected revision number {expected_number}"))
        if revision.previous_sha256 != previous:
            problems.append(ChainProblem(*where, "previous hash does not match the revision before it"))
        if chain_hash(revision.previous_sha256, revision.snapshot) != revision.sha256:
            problems.append(ChainProblem(*where, "content does not match its SHA-256"))
        previous, expected_number = revision.sha256, revision.number + 1
    return problems


def revision_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Revision))


def histories_by_key(session: Session, entity_type: str) -> dict[str, list[Revision]]:
    """Every revision of every record of one kind, by the record's key (public id for testimonies),
    oldest first: what an archivist's export carries."""
    model = next(model for model, name in ENTITY_TYPES.items() if name == entity_type)
    key_column = model.public_id if model is Testimony else model.key
    rows = session.execute(
        select(key_column, Revision)
        .join(Revision, (Revision.entity_id == model.id) & (Revision.entity_type == entity_type))
        .order_by(key_column, Revision.number)
    ).all()
    histories: dict[str, list[Revision]] = {}
    for key, revision in rows:
        histories.setdefault(key, []).append(revision)
    return histories
