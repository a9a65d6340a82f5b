"""The API's JSON bodies, built from the read layer's records.

Whole records are written by the export's own functions (services/export.py), so a testimony, an
agent, a place, a source or a claim has the same field names in the API as in an export file;
what a page adds around a record (its testimonies, its children, its links) is written here, with
the same names for the same things (`id` of a testimony, `key` of other records, `…_name` for a
name shown beside a key). Empty values are left out, as in the export.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flask import Response, url_for

from ... import queries
from ...models.base import as_utc
from ...services import export
from ...services import search as search_service
from ..errors import problem_response

drop_empty = export.drop_empty


def links(self_url: str, html_url: Optional[str] = None, **more: Optional[str]) -> dict[str, str]:
    """Where this body came from, the page that shows the same, and any further addresses."""
    return drop_empty({"self": self_url, "html": html_url, **more})


def record_links(endpoint: str, **values: str) -> dict[str, str]:
    """The API address of a record and its reading page (`public.<endpoint>`)."""
    return links(url_for(f"api.{endpoint}", _external=True, **values),
                 url_for(f"public.{endpoint}", _external=True, **values))


def agent_ref(ref: queries.AgentRef) -> dict[str, Any]:
    return drop_empty({
        "key": ref.key, "name": ref.name, "kind": ref.kind.value, "name_is_pseudonym": ref.is_pseudonym or None,
        "links": record_links("agent", key=ref.key),
    })


def place_ref(ref: queries.PlaceRef) -> dict[str, Any]:
    return drop_empty({
        "key": ref.key, "name": ref.name, "ancestors": list(ref.ancestors), "links": record_links("place", key=ref.key),
    })


def source_ref(ref: queries.SourceRef) -> dict[str, Any]:
    return drop_empty({
        "key": ref.key, "title": ref.title, "kind": ref.kind, "citation": ref.citation, "date": ref.date_edtf,
        "publisher": ref.publisher.key if ref.publisher else None,
        "publisher_name": ref.publisher.name if ref.publisher else None,
        "links": record_links("source", key=ref.key),
    })


def testimony_summary(summary: queries.TestimonySummary) -> dict[str, Any]:
    """One testimony in a list: what a result line shows."""
    return drop_empty({
        "id": summary.public_id,
        "title": summary.title,
        "account_kind": summary.account_kind,
        "language": summary.language,
        "speakers": [
            drop_empty({"agent": s.key, "agent_name": s.name, "name_is_pseudonym": s.is_pseudonym or None})
            for s in summary.speakers
        ],
        "occasion_title": summary.occasion_title,
        "occasion_date": summary.date_edtf,
        "corroboration": {"status": summary.corroboration_status},
        "access_level": summary.access_level.value,
        "publication_state": summary.publication_state.value,
        "links": record_links("testimony", public_id=summary.public_id),
    })


def testimony(record: queries.TestimonyRecord) -> dict[str, Any]:
    """A whole testimony in the export's format, with its occasion and source written out."""
    body = export.testimony_json(record)
    body["included"] = drop_empty({
        "occasion": export.occasion_json(record.occasion) if record.occasion else None,
        "source": source_ref(record.source) if record.source else None,
    })
    body["links"] = drop_empty({
        **record_links("testimony", public_id=record.public_id),
        "citation": url_for("public.testimony_csl", public_id=record.public_id, _external=True),
        "transcript": url_for("printing.transcript", public_id=record.public_id, _external=True),
        "pdf": url_for("printing.transcript_pdf", public_id=record.public_id, _external=True),
    })
    return drop_empty(body)


def agent(record: queries.AgentRecord) -> dict[str, Any]:
    body = export.agent_json(record)
    body["roles"] = [
        drop_empty({"role": role.value, "testimony": testimony_summary(summary),
                    "named_by": named_by.key if named_by else None})
        for role, summary, named_by in record.roles
    ]
    body["source_roles"] = [
        drop_empty({"role": role.value, "source": source_ref(source), "relation": relation})
        for role, source, relation in record.source_roles
    ]
    body["links"] = record_links("agent", key=record.ref.key)
    return drop_empty(body)


def place(record: queries.PlaceRecord) -> dict[str, Any]:
    body = export.place_json(record)
    body["ancestors"] = list(record.ref.ancestors)
    body["children"] = [place_ref(child) for child in record.children]
    body["testimonies"] = [testimony_summary(t) for t in record.testimonies]
    body["links"] = record_links("place", key=record.ref.key)
    return drop_empty(body)


def source(record: queries.SourceRecord) -> dict[str, Any]:
    """A source in the export's format, then as published: its framing and the passages it quotes,
    in its own order, each quoted passage naming its testimony."""
    body = export.source_json(record)
    body["publisher_name"] = record.ref.publisher.name if record.ref.publisher else None
    body["as_published"] = [
        drop_empty({**export.segment_json(segment), "testimony": segment.testimony_id})
        for segment in record.segments
    ]
    body["withheld_passages"] = record.withheld_passages or None
    body["testimonies"] = [testimony_summary(t) for t in record.testimonies]
    body["links"] = record_links("source", key=record.ref.key)
    return drop_empty(body)


def claim(record: queries.ClaimRecord) -> dict[str, Any]:
    body = export.claim_json(record)
    body["speaker_name"] = record.speaker.name if record.speaker else None
    body["corroborations"] = [
        drop_empty({
            "direction": link.direction, "relation": link.relation, "rationale": link.rationale,
            "evidence": link.evidence, "claim": link.other_claim_key, "testimony": link.other_testimony_id,
        })
        for link in record.corroborations
    ]
    testimony_url = (url_for("api.testimony", public_id=record.testimony_id, _external=True)
                     if record.testimony_id else None)
    source_url = (url_for("api.source", key=record.source_key, _external=True)
                  if record.source_key and not record.testimony_id else None)
    body["links"] = links(url_for("api.claim", key=record.key, _external=True),
                          url_for("public.claim", key=record.key, _external=True),
                          testimony=testimony_url, source=source_url)
    return drop_empty(body)


def claim_summary(c: queries.ClaimSummary) -> dict[str, Any]:
    """One claim in the claims index: what its line shows."""
    return drop_empty({
        "key": c.key, "kind": c.kind, "statement": c.statement, "excerpt": c.excerpt,
        "speaker": c.speaker.key if c.speaker else None, "speaker_name": c.speaker.name if c.speaker else None,
        "name_is_pseudonym": (c.speaker.is_pseudonym or None) if c.speaker else None,
        "testimony": c.testimony_id, "testimony_title": c.testimony_title,
        "number": c.segment_number, "source": c.source_key if not c.testimony_id else None,
        "corroboration": {"status": c.status} if c.status else None,
        "scope": drop_empty({"place": c.scope_place.key if c.scope_place else None,
                             "place_name": c.scope_place.full_name if c.scope_place else None,
                             "period": c.scope_period_edtf}),
        "links": links(url_for("api.claim", key=c.key, _external=True),
                       url_for("public.claim", key=c.key, _external=True),
                       testimony=url_for("api.testimony", public_id=c.testimony_id, _external=True)
                       if c.testimony_id else None),
    })


def facets(results: tuple[search_service.FacetResult, ...]) -> list[dict[str, Any]]:
    """Each facet's values with their counts, whether selected, and the address that toggles them."""
    return [
        {
            "name": facet.name,
            "title": facet.title,
            "values": [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected, "toggle": v.toggle_url}
                for v in facet.values
            ],
            "hidden": facet.hidden,
        }
        for facet in results
    ]


def paging(page: int, pages: int, total: int, page_size: int, page_url: Callable[[int], str],
           html_url: Callable[[int], str]) -> dict[str, Any]:
    """The paging members of a list: counts, and links to this, the next and the previous page."""
    return {
        "total": total,
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "links": links(
            page_url(page), html_url(page),
            first=page_url(1), last=page_url(pages),
            next=page_url(page + 1) if page < pages else None,
            prev=page_url(min(page - 1, pages)) if page > 1 else None,
        ),
    }


def snippet(snippet: search_service.Snippet) -> dict[str, Any]:
    return drop_empty({
        "kind": snippet.kind.value,
        "number": snippet.number,
        "language": snippet.language,
        "direction": snippet.direction,
        "from_translation": snippet.from_translation or None,
        "text": "".join(text for text, _ in snippet.pieces),
        "pieces": [{"text": text, "match": is_match} for text, is_match in snippet.pieces],
    })


def tombstone_problem(tombstone: queries.TombstoneRecord) -> Response:
    """410 for a testimony the public could once read: which, when and what readers are told (what
    its tombstone page says, and nothing more)."""
    when = f" on {tombstone.gone_dt.date().isoformat()}" if tombstone.gone_dt else ""
    detail = f"Testimony {tombstone.public_id} was {tombstone.state_word}{when}."
    if tombstone.public_reason:
        detail += f" {tombstone.public_reason}"
    return problem_response(
        410, detail, state=tombstone.state_word,
        gone_at=as_utc(tombstone.gone_dt).isoformat(timespec="seconds") if tombstone.gone_dt else None,
        public_reason=tombstone.public_reason,
        permalink=url_for("public.testimony", public_id=tombstone.public_id, _external=True),
    )
