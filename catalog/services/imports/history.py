"""Revision history carried by an archivist's export, written back as it was: numbers, authors,
times, snapshots and their chained SHA-256, checked link by link before anything is kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ...models import Revision
from ...models.base import utcnow
from ..revisions import ENTITY_TYPES, chain_hash
from ..write import Problems, rules
from ...models.base import as_utc
from ..write.claims import timestamp


def check_history(problems: Problems, revisions: Any) -> None:
    """The history must be whole and unaltered: numbered from 1, each revision hashed over its
    snapshot and chained to the one before."""
    if revisions is None:
        return
    previous = None
    for index, item in rules.items(problems, "revisions", revisions):
        where = problems.under("revisions", index)
        number = rules.integer(where, "number", item.get("number"), minimum=1, required=True)
        if number is not None and number != index + 1:
            where.add("number", f"Expected revision {index + 1}; the history must be whole, in order.")
        rules.name(where, "actor", item.get("actor"), max_length=200, required=True)
        timestamp(where, "at", item.get("at"))
        rules.text(where, "note", item.get("note"))
        snapshot = item.get("snapshot")
        if not isinstance(snapshot, str):
            where.add("snapshot", "Must be the revision's snapshot as text.")
            continue
        if item.get("previous_sha256") != previous:
            where.add("previous_sha256", "Does not match the revision before it.")
        if chain_hash(item.get("previous_sha256"), snapshot) != item.get("sha256"):
            where.add("sha256", "Does not match the revision's content: the history was altered.")
        previous = item.get("sha256")


def write_history(session: Session, record: Any, revisions: list[dict]) -> None:
    """Write a record's checked history under its id in this catalog. Authors are kept by name:
    accounts belong to the catalog that made the export."""
    for item in revisions:
        session.add(Revision(
            entity_type=ENTITY_TYPES[type(record)], entity_id=record.id, number=item["number"], actor_id=None,
            actor_label=item["actor"], created_dt=timestamp(Problems(), "at", item.get("at")) or utcnow(),
            snapshot=item["snapshot"], sha256=item["sha256"], previous_sha256=item.get("previous_sha256"),
            note=item.get("note") or "",
        ))
    session.flush()


def export_history(revisions: list[Revision]) -> list[dict]:
    """A record's revisions as the export writes them."""
    return [
        {"number": r.number, "actor": r.actor_label, "at": as_utc(r.created_dt).isoformat(timespec="microseconds"),
         "note": r.note, "sha256": r.sha256, "previous_sha256": r.previous_sha256, "snapshot": r.snapshot}
        for r in revisions
    ]
