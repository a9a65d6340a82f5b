"""Full-fidelity JSON export, cut for a viewer through the visibility layer.

The format is the one `services.imports` loads, so an archivist's export round-trips; an export
for the public holds only what the public may see. The per-record functions (`testimony_json`,
`agent_json`, …) also write the JSON API's records, so both speak with the same field names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from .. import queries
from ..models import AccessLevel
from ..sanitize import sanitize_html
from ..viewer import Viewer
from . import revisions
from .imports import FORMAT
from .imports.history import export_history
from ..models.base import as_utc


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """The entries that say something: export files leave empty values out."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _when(value) -> Any:
    """A time as the export writes it: UTC with its offset, to the microsecond, on either database."""
    return as_utc(value).isoformat(timespec="microseconds") if isinstance(value, dt.datetime) else value


def names_json(names) -> list[dict]:
    """Other names of an agent or a place, each with its kind."""
    return [drop_empty({"name": n.name, "kind": n.kind.value, "language": n.language, "note": n.note}) for n in names]


def segment_json(record: queries.SegmentRecord) -> dict[str, Any]:
    """A segment as this viewer may read it, its kind always named."""
    return drop_empty(
        {
            "number": record.number,
            "kind": record.kind.value,
            "text": record.text,
            "language": record.language,
            "direction": record.direction,
            "translation": record.translation,
            "translation_language": record.translation_language,
            "timecode_start": record.timecode_start,
            "timecode_end": record.timecode_end,
            "access_level": record.access_level.value,
            "author": record.author.key if record.author else None,
            "source": record.source_key if record.testimony_id else None,
            "source_position": record.source_position if record.testimony_id else None,
            "position": None if record.testimony_id else record.source_position,
            "paragraph": record.source_paragraph,
            "redactions": list(record.redactions),
        }
    )


def claim_json(record: queries.ClaimRecord) -> dict[str, Any]:
    """A claim with the segment it is made in, its speaker and its scope."""
    if record.testimony_id:
        segment = {"testimony": record.testimony_id, "number": record.segment_number}
    else:
        segment = {"source": record.source_key, "position": record.segment_source_position}
    return drop_empty(
        {
            "key": record.key,
            "segment": segment,
            "kind": record.kind,
            "statement": record.statement,
            "excerpt": record.excerpt,
            "speaker": record.speaker.key if record.speaker else None,
            "quantity_low": record.quantity_low,
            "quantity_high": record.quantity_high,
            "scope": drop_empty(
                {
                    "place": record.scope_place.key if record.scope_place else None,
                    "period": record.scope_period_edtf,
                    "note": record.scope_note,
                }
            ),
        }
    )


def testimony_json(record: queries.TestimonyRecord) -> dict[str, Any]:
    """A whole testimony: metadata, roles, transmission, segments and claims."""
    return drop_empty(
        {
            "id": record.public_id,
            "title": record.title,
            "account_kind": record.account_kind,
            "occasion": record.occasion.key if record.occasion else None,
            "source": record.source.key if record.source else None,
            "language": record.language,
            "events_date": record.events_date_edtf,
            "publication_state": record.publication_state.value,
            "withdrawn_reason": record.withdrawn_reason,
            "access_level": record.access_level.value,
            "consent_status": record.consent_status,
            "consent_note": record.consent_note,
            "consent_given_by": record.consent.given_by.key if record.consent.given_by else None,
            "consent_given_by_name": record.consent.given_by_name,
            "consent_given_on": record.consent.given_on,
            "embargo_until": record.consent.embargo_until.isoformat() if record.consent.embargo_until else None,
            "release_form": drop_empty({
                "filename": record.release_form.filename, "media_type": record.release_form.media_type,
                "size": record.release_form.size, "sha256": record.release_form.sha256,
                "access_level": record.release_form.access_level.value,
            }) if record.release_form else None,
            "corroboration": drop_empty(
                {
                    "status": record.corroboration_status,
                    "rationale": record.corroboration_rationale,
                    "history": [
                        {"status": c.status, "rationale": c.rationale, "changed_by": c.changed_by,
                         "changed_at": _when(c.changed_dt)}
                        for c in record.corroboration_history
                    ],
                }
            ),
            "summary": record.summary_html,
            "roles": [
                drop_empty(
                    {
                        "agent": role.agent.key,
                        "agent_name": role.agent.name,
                        "role": role.role.value,
                        "relation": role.relation_to_events,
                        "named_by": role.named_by.key if role.named_by else None,
                    }
                )
                for role in record.roles
            ],
            "transmission": [
                drop_empty(
                    {
                        "agent": link.agent.key if link.agent else None,
                        "agent_name": link.agent.name if link.agent else None,
                        "source": link.source.key if link.source else None,
                        "note": link.note,
                    }
                )
                for link in record.transmission
            ],
            "segments": [segment_json(segment) for segment in record.segments],
            "claims": [claim_json(claim) for claim in record.claims],
            "collections": [collection.key for collection in record.collections],
            "about_places": [place.key for place in record.about_places],
            "revision": record.revision,
        }
    )


def source_json(source: queries.SourceRecord) -> dict[str, Any]:
    """A source as the export writes it: its fields and its own framing (the passages of its
    testimonies are written with them)."""
    ref = source.ref
    return drop_empty({
        "key": ref.key, "title": ref.title, "kind": ref.kind,
        "publisher": ref.publisher.key if ref.publisher else None, "date": ref.date_edtf,
        "language": source.language, "location": source.location, "citation": ref.citation,
        "stance_note": sanitize_html(source.stance_note_html), "access_level": source.access_level.value,
        "files": list(source.files), "segments": [segment_json(s) for s in source.segments if s.testimony_id is None],
    })


def _sources(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    records = (queries.get_source(session, viewer, ref.key) for ref in queries.list_sources(session, viewer))
    return [source_json(source) for source in records if source is not None]


def corroboration_json(claim: queries.ClaimRecord, link: queries.CorroborationRecord) -> dict[str, Any]:
    """A link made from `claim` to another claim or testimony."""
    return drop_empty({
        "from_claim": claim.key, "to_claim": link.other_claim_key, "to_testimony": link.other_testimony_id,
        "relation": link.relation, "rationale": link.rationale, "evidence": link.evidence,
        "created_at": _when(link.created_dt),
    })


def _corroborations(claims) -> list[dict[str, Any]]:
    return [
        corroboration_json(claim, link)
        for claim in claims
        for link in claim.corroborations
        if link.direction == "outgoing"
    ]


def agent_json(agent: queries.AgentRecord) -> dict[str, Any]:
    """A person or organisation as this viewer may see them (a protected person: pseudonym only)."""
    return drop_empty({
        "key": agent.ref.key, "kind": agent.ref.kind.value, "name": agent.ref.name,
        "protected": agent.is_protected or None, "pseudonym": agent.pseudonym if agent.is_protected else None,
        "identity_access": agent.identity_access.value if agent.identity_access else None,
        "description": agent.description_html, "names": names_json(agent.names),
    })


def _agents(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    return [agent_json(agent) for agent in queries.list_agent_records(session, viewer)]


def place_json(place: queries.PlaceRecord) -> dict[str, Any]:
    """A place with its parent's key, coordinates and other names."""
    return drop_empty({
        "key": place.ref.key, "name": place.ref.name, "kind": place.kind, "parent": place.parent_key,
        "latitude": place.latitude, "longitude": place.longitude, "names": names_json(place.names),
    })


def _places(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    return [place_json(place) for place in queries.list_place_records(session, viewer)]


def occasion_json(occasion: queries.OccasionRecord) -> dict[str, Any]:
    """Where and when a testimony was given."""
    return drop_empty({
        "key": occasion.key, "kind": occasion.kind, "title": occasion.title,
        "place": occasion.place.key if occasion.place else None,
        "date": occasion.date_edtf, "date_note": occasion.date_note,
    })


def _occasions(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    return [occasion_json(o) for o in queries.list_occasions(session, viewer)]


def _collections(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    return [
        drop_empty({"key": c.ref.key, "title": c.ref.title, "description": c.description_html})
        for c in queries.list_collections(session, viewer)
    ]


def _with_history(session: Session, entries: list[dict], entity_type: str, key_field: str = "key") -> list[dict]:
    """An archivist's export carries every record's revision history, so that it loads back whole."""
    histories = revisions.histories_by_key(session, entity_type)
    for entry in entries:
        history = histories.get(entry[key_field])
        if history:
            entry["revisions"] = export_history(history)
    return entries


def export_catalog(session: Session, viewer: Viewer) -> dict[str, Any]:
    """Everything this viewer may see, in the catalog's JSON format."""
    testimonies = [
        record
        for record in (queries.get_testimony(session, viewer, public_id)
                       for public_id in queries.visible_public_ids(session, viewer))
        if record is not None
    ]
    claims = queries.list_claims(session, viewer)
    data = {
        "format": FORMAT,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "viewer": viewer.label,
        "agents": _agents(session, viewer),
        "places": _places(session, viewer),
        "sources": _sources(session, viewer),
        "occasions": _occasions(session, viewer),
        "collections": _collections(session, viewer),
        "testimonies": [testimony_json(record) for record in testimonies],
        "source_claims": [claim_json(claim) for claim in claims if claim.testimony_id is None],
        "corroborations": _corroborations(claims),
        "source_roles": [
            drop_empty({"source": source.key, "agent": agent.key, "role": role.value, "relation": relation})
            for source, agent, role, relation in queries.list_source_roles(session, viewer)
        ],
    }
    if viewer.is_staff:
        # When the public could first read each testimony and when it was withdrawn: what its
        # permalink says once it is gone (a public export holds only testimonies readable now).
        times = queries.staff_publication_times(session, viewer)
        for entry in data["testimonies"]:
            first_public, withdrawn = times.get(entry["id"], (None, None))
            entry.update(drop_empty({"first_public_at": _when(first_public), "withdrawn_at": _when(withdrawn)}))
    if viewer.may_read(AccessLevel.CONFIDENTIAL):
        for section, entity_type in (("agents", "agent"), ("places", "place"), ("sources", "source"),
                                     ("occasions", "occasion"), ("collections", "collection")):
            _with_history(session, data[section], entity_type)
        _with_history(session, data["testimonies"], "testimony", key_field="id")
    return data

