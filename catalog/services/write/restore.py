"""Restore: an older revision's content brought back as a new revision, through the same checks
as any other write. The workflow (publication, deletion, corroboration) is moved on only by its
own actions, never rolled back as a side effect of restoring text."""

from __future__ import annotations

import json
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Agent, Collection, Occasion, Place, Revision, Source, Testimony
from ..actors import Actor
from ..revisions import ENTITY_TYPES
from .agents import AgentInput
from .collections import CollectionInput
from .places import OccasionInput, PlaceInput
from .problems import Rejected
from .sealed import overridden_reason
from .records import save
from .sources import SourceInput
from .testimonies import TestimonyInput


def revisions_of(session: Session, obj) -> list[Revision]:
    """A record's revisions, newest first."""
    return list(session.scalars(
        select(Revision).where(Revision.entity_type == ENTITY_TYPES[type(obj)], Revision.entity_id == obj.id)
        .order_by(Revision.number.desc())
    ))


def get_revision(session: Session, obj, number: int) -> Optional[Revision]:
    return session.scalar(
        select(Revision).where(
            Revision.entity_type == ENTITY_TYPES[type(obj)], Revision.entity_id == obj.id, Revision.number == number
        )
    )


def restore_revision(session: Session, obj, number: int, actor: Actor,
                     expected_version: Optional[int] = None) -> Revision:
    """Bring back the content of revision `number` of `obj`; this is itself a new revision.

    Its words go through the rules of today: words naming a sealed identity are refused — unless
    the revision was itself saved by an archivist's override, whose reason then carries over
    (recorded again, with who restores it)."""
    revision = get_revision(session, obj, number)
    if revision is None:
        raise Rejected.one("revision", f"There is no revision {number}.")
    snapshot = json.loads(revision.snapshot)
    record_input = _INPUTS[type(obj)](snapshot)
    reason = overridden_reason(revision.note)
    save(session, record_input, actor, existing=obj, expected_version=expected_version,
         note=f"restored revision {number}",
         sealed_override=f"as in revision {number}: {reason}" if reason is not None else None)
    return revisions_of(session, obj)[0]


def _ref(snapshot: dict, name: str) -> Any:
    """A linked record as a snapshot names it: by key where the snapshot says it (so a history
    brought from another catalog names the right record), else by id."""
    return snapshot.get(f"{name}_key") or snapshot.get(f"{name}_id")


def _names(snapshot: dict) -> list[dict]:
    return [{"name": n.get("name"), "kind": n.get("kind"), "language": n.get("language"), "note": n.get("note")}
            for n in snapshot.get("names", [])]


def _agent(s: dict) -> AgentInput:
    return AgentInput(key=s.get("key"), kind=s.get("kind"), name=s.get("preferred_name"),
                      description=s.get("description_html"), protected=s.get("is_protected"),
                      pseudonym=s.get("public_pseudonym"), identity_access=s.get("identity_access"),
                      names=_names(s))


def _place(s: dict) -> PlaceInput:
    return PlaceInput(name=s.get("name"), kind=s.get("kind"), parent=_ref(s, "parent"),
                      latitude=s.get("latitude"), longitude=s.get("longitude"), names=_names(s))


def _occasion(s: dict) -> OccasionInput:
    return OccasionInput(kind=s.get("kind"), title=s.get("title"), place=_ref(s, "place"),
                         date=s.get("date_edtf"), date_note=s.get("date_note"))


def _source(s: dict) -> SourceInput:
    return SourceInput(title=s.get("title"), kind=s.get("kind"), publisher=_ref(s, "publisher"),
                       date=s.get("date_edtf"), language=s.get("language"), location=s.get("location"),
                       stance_note=s.get("stance_note_html"), citation=s.get("citation"),
                       access_level=s.get("access_level"))


def _testimony(s: dict) -> TestimonyInput:
    return TestimonyInput(
        title=s.get("title"), language=s.get("language"), account_kind=s.get("account_kind"),
        events_date=s.get("events_date_edtf"), access_level=s.get("access_level"),
        consent_status=s.get("consent_status"), consent_note=s.get("consent_note"),
        consent_given_by=_ref(s, "consent_given_by"), consent_given_by_name=s.get("consent_given_by_name") or "",
        consent_given_on=s.get("consent_given_edtf"), embargo_until=s.get("embargo_until"),
        summary=s.get("summary_html"), occasion=_ref(s, "occasion"), source=_ref(s, "source"),
        roles=[{"agent": _ref(r, "agent"), "role": r.get("role"), "named_by": _ref(r, "named_by_source"),
                "relation": r.get("relation_to_events")} for r in s.get("roles", [])],
        transmission=[{"agent": _ref(t, "agent"), "source": _ref(t, "source"), "note": t.get("note")}
                      for t in s.get("transmission", [])],
        segments=[_segment(seg) for seg in s.get("segments", [])],
        collections=list(s.get("collections", [])),
        about_places=list(s.get("about_places", [])),
    )


def _collection(s: dict) -> CollectionInput:
    return CollectionInput(title=s.get("title"), description=s.get("description_html"))


def _segment(seg: dict) -> dict[str, Any]:
    names = ("number", "kind", "text", "language", "direction", "translation", "translation_language",
             "access_level", "timecode_start", "timecode_end")
    return {**{name: seg.get(name) for name in names}, "author": _ref(seg, "author"),
            "redactions": [{"start": r.get("start"), "end": r.get("end"), "access_level": r.get("access_level"),
                            "reason": r.get("reason")} for r in seg.get("redactions", [])]}


_INPUTS = {Agent: _agent, Place: _place, Occasion: _occasion, Source: _source, Testimony: _testimony,
           Collection: _collection}
