"""The OpenAPI 3.1 document of the JSON API: the one description of its routes, parameters and answers.

/api/openapi.json serves it as it is, and the reference page /api is rendered from it, so the two
never disagree. Vocabularies (kinds of account, access levels, sorts, scopes, facets) are read from
the code that defines them. tests/web/test_api_schema.py runs Schemathesis against it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ...models import (
    AccessLevel,
    AccountKind,
    AgentKind,
    ClaimKind,
    CorroborationRelation,
    CorroborationStatus,
    NameKind,
    PublicationState,
    RoleKind,
    SegmentKind,
)
from ...services import search as search_service
from ...queries.claim_index import CLAIM_FACETS
from ...services.search.facts import FACETS
from ...services.write import rules
from ..reading import MAX_PAGE

#: The API's own version: it changes when an answer changes shape.
VERSION = "1.0.0"

PROBLEM_MEDIA = "application/problem+json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(vocabulary) -> dict:
    return {"type": "string", "enum": [term.value for term in vocabulary]}


def _object(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
URL = {"type": "string", "format": "uri"}
KEY = {"type": "string", "pattern": f"^{rules.KEY_SHAPE}$"}
PUBLIC_ID = {"type": "string", "pattern": f"^{rules.PUBLIC_ID_SHAPE}$"}
EDTF = {"type": "string", "description": "An EDTF (ISO 8601-2) date, such as 1988-07/1988-09 or 2018-07-16?"}


def _schemas() -> dict[str, dict]:
    links = _object({
        "self": URL, "html": URL, "first": URL, "last": URL, "next": URL, "prev": URL,
        "citation": URL, "transcript": URL, "pdf": URL, "testimony": URL, "source": URL,
    }, ("self",), "Addresses: this answer (`self`), the reading page showing the same (`html`), and, in "
                  "lists, the first, last, next and previous pages.")
    names = _array(_object({"name": STRING, "kind": _enum(NameKind), "language": STRING, "note": STRING},
                           ("name", "kind")))
    segment = _object({
        "number": INTEGER, "kind": _enum(SegmentKind), "text": STRING, "language": STRING,
        "direction": {"type": "string", "enum": ["ltr", "rtl"]}, "translation": STRING,
        "translation_language": STRING, "timecode_start": NUMBER, "timecode_end": NUMBER,
        "access_level": _enum(AccessLevel), "author": STRING, "source": STRING, "source_position": INTEGER,
        "position": INTEGER, "paragraph": INTEGER, "redactions": _array({"type": "object"}),
        "testimony": PUBLIC_ID,
    }, ("kind",), "A segment: its kind says whose words it holds (`first_person`: the speaker's own; "
                  "`editorial`, `question`, `reported`: anyone's framing). Redacted words are replaced by "
                  "the mark [redacted].")
    claim = _object({
        "key": KEY,
        "segment": _object({"testimony": PUBLIC_ID, "number": INTEGER, "source": KEY, "position": INTEGER}),
        "kind": _enum(ClaimKind), "statement": STRING, "excerpt": STRING, "speaker": STRING,
        "speaker_name": STRING, "quantity_low": INTEGER, "quantity_high": INTEGER,
        "scope": _object({"place": KEY, "period": EDTF, "note": STRING}),
        "corroborations": _array(_object({
            "direction": {"type": "string", "enum": ["outgoing", "incoming"]},
            "relation": _enum(CorroborationRelation), "rationale": STRING, "evidence": STRING,
            "claim": KEY, "testimony": PUBLIC_ID,
        }, ("direction", "relation"))),
        "links": _ref("Links"),
    }, ("key", "kind", "statement"), "A factual assertion, attributed to whoever makes it.")
    speaker = _object({"agent": STRING, "agent_name": STRING, "name_is_pseudonym": BOOLEAN}, ("agent", "agent_name"))
    summary = _object({
        "id": PUBLIC_ID, "title": STRING, "account_kind": _enum(AccountKind), "language": STRING,
        "speakers": _array(speaker), "occasion_title": STRING, "occasion_date": EDTF,
        "corroboration": _object({"status": _enum(CorroborationStatus)}, ("status",)),
        "access_level": _enum(AccessLevel), "publication_state": _enum(PublicationState),
        "links": _ref("Links"),
    }, ("id", "title", "account_kind", "language", "corroboration", "access_level", "publication_state", "links"),
        "A testimony as a list shows it.")
    agent_ref = _object({
        "key": STRING, "name": STRING, "kind": _enum(AgentKind), "name_is_pseudonym": BOOLEAN, "links": _ref("Links"),
    }, ("key", "name", "kind", "links"), "A person or organisation; a protected person by pseudonym and a "
                                         "protected-N key.")
    place_ref = _object({"key": KEY, "name": STRING, "ancestors": _array(STRING), "links": _ref("Links")},
                        ("key", "name", "links"), "A place; `ancestors` are its parents by name, nearest first.")
    source_ref = _object({
        "key": KEY, "title": STRING, "kind": STRING, "citation": STRING, "date": EDTF, "publisher": STRING,
        "publisher_name": STRING, "links": _ref("Links"),
    }, ("key", "title", "kind", "links"), "A source as lists show it.")
    occasion = _object({"key": KEY, "kind": STRING, "title": STRING, "place": KEY, "date": EDTF, "date_note": STRING},
                       ("key", "title"))
    testimony = _object({
        "id": PUBLIC_ID, "title": STRING, "account_kind": _enum(AccountKind), "occasion": KEY, "source": KEY,
        "language": STRING, "events_date": EDTF, "publication_state": _enum(PublicationState),
        "withdrawn_reason": STRING, "access_level": _enum(AccessLevel), "consent_status": STRING,
        "consent_note": STRING,
        "corroboration": _object({
            "status": _enum(CorroborationStatus), "rationale": STRING,
            "history": _array(_object({"status": _enum(CorroborationStatus), "rationale": STRING,
                                       "changed_by": STRING, "changed_at": STRING})),
        }),
        "summary": {"type": "string", "description": "Editorial HTML, cleaned by the catalog's one allowlist."},
        "roles": _array(_object({"agent": STRING, "agent_name": STRING, "role": _enum(RoleKind), "relation": STRING,
                                 "named_by": KEY}, ("agent", "role"))),
        "transmission": _array(_object({"agent": STRING, "agent_name": STRING, "source": KEY, "note": STRING})),
        "segments": _array(_ref("Segment")),
        "claims": _array(_ref("Claim")),
        "revision": INTEGER,
        "included": _object({"occasion": _ref("Occasion"), "source": _ref("SourceRef")}),
        "links": _ref("Links"),
    }, ("id", "title", "account_kind", "language", "publication_state", "access_level", "links"),
        "A whole testimony, in the catalog's export format (the same field names as `catalog export`), with "
        "its occasion and source written out under `included`.")
    agent = _object({
        "key": STRING, "kind": _enum(AgentKind), "name": STRING, "protected": BOOLEAN, "pseudonym": STRING,
        "identity_access": _enum(AccessLevel), "description": STRING, "names": names,
        "roles": _array(_object({"role": _enum(RoleKind), "testimony": _ref("TestimonySummary"), "named_by": KEY},
                                ("role", "testimony"))),
        "source_roles": _array(_object({"role": _enum(RoleKind), "source": _ref("SourceRef"), "relation": STRING},
                                       ("role", "source"))),
        "links": _ref("Links"),
    }, ("key", "kind", "name", "links"), "A person or organisation in the export's format, with every role "
                                         "across testimonies and sources.")
    place = _object({
        "key": KEY, "name": STRING, "kind": STRING, "parent": KEY, "latitude": NUMBER, "longitude": NUMBER,
        "names": names, "ancestors": _array(STRING), "children": _array(_ref("PlaceRef")),
        "testimonies": _array(_ref("TestimonySummary")), "links": _ref("Links"),
    }, ("key", "name", "links"), "A place in the export's format, with what lies within and the testimonies "
                                 "given there.")
    source = _object({
        "key": KEY, "title": STRING, "kind": STRING, "publisher": STRING, "publisher_name": STRING, "date": EDTF,
        "language": STRING, "location": STRING, "citation": STRING, "stance_note": STRING,
        "access_level": _enum(AccessLevel),
        "files": _array(_object({"filename": STRING, "media_type": STRING, "size": INTEGER, "sha256": STRING})),
        "segments": _array(_ref("Segment")), "as_published": _array(_ref("Segment")),
        "withheld_passages": INTEGER, "testimonies": _array(_ref("TestimonySummary")), "links": _ref("Links"),
    }, ("key", "title", "kind", "links"), "A source in the export's format (`segments`: its own framing), and "
                                          "`as_published`: every passage in the source's order, each quoted "
                                          "passage naming its testimony.")
    facet = _object({
        "name": {"type": "string", "enum": list(FACETS)}, "title": STRING,
        "values": _array(_object({"value": STRING, "label": STRING, "count": INTEGER, "selected": BOOLEAN,
                                  "toggle": URL}, ("value", "label", "count", "selected", "toggle"))),
        "hidden": {"type": "integer", "description": "Values left out; ask with more=<name> to list them all."},
    }, ("name", "title", "values", "hidden"), "A facet: each value with its count under the current filters, "
                                              "whether it is selected, and the address that adds or removes it.")
    paging = {"total": INTEGER, "page": INTEGER, "pages": INTEGER, "page_size": INTEGER, "links": _ref("Links")}
    paged = ("total", "page", "pages", "page_size", "links")
    filters = _array(_object({"facet": {"type": "string", "enum": list(FACETS)}, "value": STRING},
                             ("facet", "value")))
    browse = _object({
        **paging, "sort": {"type": "string", "enum": list(search_service.SORTS)}, "filters": filters,
        "testimonies": _array(_ref("TestimonySummary")), "facets": _array(_ref("Facet")),
    }, (*paged, "sort", "filters", "testimonies", "facets"))
    passage = _object({
        "kind": _enum(SegmentKind), "number": INTEGER, "language": STRING,
        "direction": {"type": "string", "enum": ["ltr", "rtl"]}, "from_translation": BOOLEAN, "text": STRING,
        "pieces": _array(_object({"text": STRING, "match": BOOLEAN}, ("text", "match"))),
    }, ("kind", "text", "pieces"), "A window of a matching passage; `pieces` mark the matching words.")
    search = _object({
        **paging, "query": STRING, "scope": {"type": "string", "enum": list(search_service.SCOPES)},
        "also_searched": _array(STRING), "ranked": BOOLEAN, "exact": BOOLEAN, "records": INTEGER,
        "filters": filters,
        "results": _array(_object({"testimony": _ref("TestimonySummary"), "source": _ref("SourceRef"),
                                   "passages": _array(_ref("Passage"))}, ("passages",))),
        "facets": _array(_ref("Facet")),
        "matching_records": _object({
            "total": INTEGER,
            "testimonies": _array(_object({
                "testimony": _ref("TestimonySummary"),
                "matched_in": _array({"type": "string", "enum": ["title", "speaker", "occasion"]}),
            }, ("testimony", "matched_in"))),
        }, ("total", "testimonies"), "Testimonies whose details (title, speakers' visible names, summary, "
           "occasion, places, claims) match, apart from the passages: the most relevant first, "
           "searched only when `scope` is `all`."),
    }, (*paged, "query", "scope", "results", "facets", "matching_records"))
    claim_facet_names = {"type": "string", "enum": list(CLAIM_FACETS)}
    claim_summary = _object({
        "key": KEY, "kind": _enum(ClaimKind), "statement": STRING, "excerpt": STRING, "speaker": STRING,
        "speaker_name": STRING, "name_is_pseudonym": BOOLEAN, "testimony": PUBLIC_ID, "testimony_title": STRING,
        "number": INTEGER, "source": KEY, "corroboration": _object({"status": _enum(CorroborationStatus)}, ("status",)),
        "scope": _object({"place": KEY, "place_name": STRING, "period": EDTF}), "links": _ref("Links"),
    }, ("key", "kind", "statement", "links"), "A claim as the claims index lists it: its words, who makes it (a "
                                              "protected person by pseudonym), the testimony it is in and that "
                                              "testimony's corroboration status.")
    claim_facet = _object({**facet["properties"], "name": claim_facet_names}, tuple(facet["required"]),
                          "A facet of the claims index, as `Facet`.")
    claims_page = _object({
        **paging, "query": STRING,
        "filters": _array(_object({"facet": claim_facet_names, "value": STRING}, ("facet", "value"))),
        "claims": _array(_ref("ClaimSummary")), "facets": _array(_ref("ClaimFacet")),
    }, (*paged, "query", "filters", "claims", "facets"))
    problem = _object({
        "type": {"type": "string", "format": "uri-reference"}, "title": STRING, "status": INTEGER, "detail": STRING,
        "errors": _array(_object({"parameter": STRING, "detail": STRING}, ("parameter", "detail"))),
        "state": {"type": "string", "enum": ["withdrawn", "removed"]},
        "gone_at": {"type": ["string", "null"], "format": "date-time"},
        "public_reason": STRING,
        "permalink": {"type": "string", "format": "uri"},
    }, ("type", "title", "status", "detail"),
        "Problem details (RFC 9457); `errors` names each refused parameter; a withdrawn or removed testimony's "
        "410 says which (`state`), when (`gone_at`) and what readers are told (`public_reason`).")
    return {
        "Links": links, "Segment": segment, "Claim": claim, "TestimonySummary": summary, "AgentRef": agent_ref,
        "PlaceRef": place_ref, "SourceRef": source_ref, "Occasion": occasion, "Testimony": testimony,
        "Agent": agent, "Place": place, "Source": source, "Facet": facet, "Passage": passage,
        "BrowsePage": browse, "SearchPage": search, "Problem": problem,
        "ClaimSummary": claim_summary, "ClaimFacet": claim_facet, "ClaimsPage": claims_page,
        "PeoplePage": _object({**paging, "people": _array(_ref("AgentRef"))}, (*paged, "people")),
        "PlacesPage": _object({**paging, "places": _array(_ref("PlaceRef"))}, (*paged, "places")),
        "SourcesPage": _object({**paging, "sources": _array(_ref("SourceRef"))}, (*paged, "sources")),
    }


def _query(name: str, schema: dict, description: str, *, required: bool = False, example=None,
           repeated: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": required, "description": description,
                 "schema": _array(schema) if repeated else schema}
    if repeated:
        parameter.update(style="form", explode=True)
    if example is not None:
        parameter["example"] = example
    return parameter


def _facet_parameters() -> list[dict]:
    value = {"type": "string", "minLength": 1, "maxLength": 200}
    described = {
        "kind": (_enum(AccountKind), "Kind of account.", ["survivor"]),
        "place": (KEY, "A place's key: given there or anywhere within it.", None),
        "about": (KEY, "A place's key: the account speaks of it or of a place within it (set by archivists, "
                       "and the places its claims are about).", None),
        "year": ({"type": "string", "pattern": r"^\d{1,4}$"}, "The events fall in that year.", None),
        "given": ({"type": "string", "pattern": r"^\d{1,4}$"}, "The occasion's date falls in that year.", None),
        "status": (_enum(CorroborationStatus), "Corroboration status.", None),
        "lang": ({"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "maxLength": 35},
                 "Language of the testimony (BCP 47).", None),
        "source": (KEY, "A source's key: the source the testimony was taken from.", None),
        "access": (_enum(AccessLevel), "Access level (signed-in readers only; ignored for the public).", None),
    }
    parameters = []
    for name in FACETS:
        schema, description, example = described[name]
        parameters.append(_query(name, {**value, **schema}, description + " Repeat to combine: every filter must hold.",
                                 example=example, repeated=True))
    return parameters


def _responses(ok_schema: str, ok_description: str, *, not_found: bool = False, gone: bool = False) -> dict:
    rate = {
        "X-RateLimit-Limit": {"description": "Requests allowed in the window.", "schema": STRING},
        "X-RateLimit-Remaining": {"description": "Requests left in the window.", "schema": STRING},
        "X-RateLimit-Reset": {"description": "When the window ends (Unix time).", "schema": STRING},
    }
    responses = {
        "200": {"description": ok_description, "headers": rate,
                "content": {"application/json": {"schema": _ref(ok_schema)}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "429": {"$ref": "#/components/responses/TooManyRequests"},
        "500": {"$ref": "#/components/responses/ServerError"},
    }
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if gone:
        responses["410"] = {"$ref": "#/components/responses/Gone"}
    return dict(sorted(responses.items()))


def _problem(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {PROBLEM_MEDIA: {"schema": _ref("Problem")}}}
    if headers:
        response["headers"] = headers
    return response


PAGE = _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
              "Page number, from 1. A page past the last is empty.", example=1)


def _record(path_name: str, example: str, tag: str, summary: str, description: str, schema: str,
            gone: bool = False) -> dict:
    pattern = PUBLIC_ID if path_name == "public_id" else KEY
    return {"get": {
        "tags": [tag], "summary": summary, "description": description,
        "operationId": f"get{schema}",
        "parameters": [{"name": path_name, "in": "path", "required": True, "schema": pattern, "example": example}],
        "responses": _responses(schema, "The record as this viewer may see it.", not_found=True, gone=gone),
    }}


def _list(tag: str, summary: str, schema: str) -> dict:
    return {"get": {
        "tags": [tag], "summary": summary, "operationId": f"list{tag}",
        "description": f"Every record the viewer may see, {100} per page, in the order of the reading page.",
        "parameters": [PAGE],
        "responses": _responses(schema, "One page of the list."),
    }}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a new dict each time: callers may not change a shared one)."""
    sorts = "; ".join(f"`{k}`: {v}" for k, v in search_service.SORTS.items())
    scopes = "; ".join(f"`{k}`: {v[0]}" for k, v in search_service.SCOPES.items())
    more = _query("more", {"type": "string", "enum": list(FACETS)},
                  "Show every value of this facet, not only the top 12.", repeated=True)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Testimony Catalog API",
            "version": VERSION,
            "summary": "Every reading page of the catalog as JSON.",
            "description": (
                "Read-only JSON for every reading page: browse, search, testimonies, people, places, sources and "
                "claims. Each answer holds what the same page shows the same viewer: readers who are not signed "
                "in get the public view; a signed-in researcher or archivist (the session cookie of the site) "
                "gets what their pages show. A record the viewer may not see answers 404, exactly like one that "
                "does not exist. Records use the field names of the catalog's JSON export. Lists are paged: "
                "`links` (and the HTTP `Link` header) give the first, last, next and previous pages. Readers who "
                "are not signed in are limited in requests per minute per address (429 with Retry-After). "
                "Errors are problem details (RFC 9457, application/problem+json)."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "tags": [
            {"name": "Testimonies", "description": "Browse, search and read testimonies."},
            {"name": "People", "description": "People and organisations."},
            {"name": "Places", "description": "Places and what lies within them."},
            {"name": "Sources", "description": "Sources, read as published."},
            {"name": "Claims", "description": "Claims, attributed to whoever makes them."},
        ],
        "paths": {
            "/api/testimonies": {"get": {
                "tags": ["Testimonies"], "summary": "Browse testimonies", "operationId": "browseTestimonies",
                "description": ("The testimonies this viewer may see, 50 per page, filtered by facets (every "
                                f"filter must hold), with each facet's counts. Sorts: {sorts}."),
                "parameters": [
                    *_facet_parameters(),
                    _query("sort", {"type": "string", "enum": list(search_service.SORTS)}, "Order of the list.",
                           example="-given"),
                    PAGE, more,
                ],
                "responses": _responses("BrowsePage", "One page of testimonies with facet counts."),
            }},
            "/api/search": {"get": {
                "tags": ["Testimonies"], "summary": "Search passages", "operationId": "search",
                "description": (
                    "Passages matching the query that this viewer may read, 20 per page, grouped by testimony "
                    "(or by source for a source's own framing), each with its kind of text. Every word must "
                    "occur; \"exact phrase\"; -word leaves out; execut* matches words beginning so. A query that "
                    f"cannot run is a 400 saying what to change. Scopes: {scopes}."
                ),
                "parameters": [
                    _query("q", {"type": "string", "minLength": 1, "maxLength": 500}, "The words to search for.",
                           required=True, example="evin"),
                    _query("scope", {"type": "string", "enum": list(search_service.SCOPES)},
                           "Which kinds of text to search.", example="first_person"),
                    *_facet_parameters(), PAGE, more,
                ],
                "responses": _responses("SearchPage", "One page of matching passages with facet counts."),
            }},
            "/api/testimonies/{public_id}": _record(
                "public_id", "T-0012", "Testimonies", "One testimony",
                "Metadata, roles, transmission chain, segments (each labelled with its kind) and claims. A "
                "testimony the public could once read and that was since withdrawn or removed answers 410.",
                "Testimony", gone=True),
            "/api/people": _list("People", "People and organisations", "PeoplePage"),
            "/api/people/{key}": _record(
                "key", "ruhollah-khomeini", "People", "One person or organisation",
                "Names by kind and every role across testimonies and sources; a protected person only by "
                "pseudonym, at protected-N.", "Agent"),
            "/api/places": _list("Places", "Places", "PlacesPage"),
            "/api/places/{key}": _record(
                "key", "evin-prison", "Places", "One place",
                "Where it lies, what lies within, and the testimonies given there.", "Place"),
            "/api/sources": _list("Sources", "Sources", "SourcesPage"),
            "/api/sources/{key}": _record(
                "key", "article", "Sources", "One source",
                "The source's fields and, as published, its framing and the passages it quotes in order.", "Source"),
            "/api/claims": {"get": {
                "tags": ["Claims"], "summary": "The claims index", "operationId": "listClaims",
                "description": ("Every claim this viewer may read, 50 per page, filtered by facets (values of one "
                                "facet: any of them; different facets: all must hold) and by words that must all "
                                "appear in the statement or its excerpt, with each facet's counts."),
                "parameters": [
                    _query("q", {"type": "string", "maxLength": 200}, "Words that must all appear.", example="executed"),
                    _query("kind", {**_enum(ClaimKind), "minLength": 1}, "Kind of claim.", repeated=True),
                    _query("status", {**_enum(CorroborationStatus), "minLength": 1},
                           "Corroboration status of the testimony the claim is in.", repeated=True),
                    _query("speaker", {"type": "string", "minLength": 1, "maxLength": 200},
                           "Who makes the claim, by the key this viewer sees (protected-N for a protected person).",
                           repeated=True),
                    _query("place", {**KEY, "minLength": 1, "maxLength": 200},
                           "A place's key: the claim's scope place is it or lies within it.", repeated=True),
                    _query("year", {"type": "string", "pattern": r"^\d{1,4}$"},
                           "A year the claim's scope period touches.", repeated=True),
                    PAGE,
                    _query("more", {"type": "string", "enum": list(CLAIM_FACETS)},
                           "Show every value of this facet, not only the top 12.", repeated=True),
                ],
                "responses": _responses("ClaimsPage", "One page of claims with facet counts."),
            }},
            "/api/claims/{key}": _record(
                "key", "montazeri-2800-or-3800", "Claims", "One claim",
                "A claim with its speaker, scope, and what supports or contradicts it.", "Claim"),
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "BadRequest": _problem("A parameter cannot be honoured; `errors` names each one and why."),
                "NotFound": _problem("No such record, or one this viewer may not see (the two answer alike)."),
                "Gone": _problem("The testimony was withdrawn or removed after the public could read it."),
                "TooManyRequests": _problem(
                    "Too many requests from this address for a reader who is not signed in.",
                    {"Retry-After": {"description": "Seconds to wait before asking again.", "schema": STRING}},
                ),
                "ServerError": _problem("The catalog failed to answer; nothing about the failure is disclosed."),
            },
        },
    }


def reference(document: dict[str, Any]) -> dict[str, Any]:
    """What the reference page shows, read from the document: each operation with its parameters,
    answers and an example address built from the parameters' examples."""
    responses = document["components"]["responses"]
    operations = []
    for path, item in document["paths"].items():
        operation = item["get"]
        example_path, query = path, []
        parameters = []
        for parameter in operation["parameters"]:
            schema = parameter["schema"]
            values = schema.get("items", schema)
            if parameter["in"] == "path":
                example_path = example_path.replace("{" + parameter["name"] + "}", str(parameter["example"]))
            elif "example" in parameter:
                example = parameter["example"]
                query.extend((parameter["name"], value) for value in (example if isinstance(example, list) else [example]))
            parameters.append({
                "name": parameter["name"], "where": parameter["in"], "required": parameter.get("required", False),
                "repeated": schema.get("type") == "array", "type": values.get("type", "string"),
                "choices": values.get("enum", []), "description": parameter.get("description", ""),
            })
        answers = []
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[-1]]
            answers.append({"status": status, "description": response["description"],
                            "media": next(iter(response.get("content", {})), "")})
        operations.append({
            "id": operation["operationId"], "path": path, "summary": operation["summary"],
            "description": operation.get("description", ""), "tag": operation["tags"][0],
            "parameters": parameters, "answers": answers,
            "example": example_path + (f"?{urlencode(query)}" if query else ""),
        })
    return {"info": document["info"], "operations": operations}
