"""The JSON API: each reading page as JSON, with the page's visibility, paging links, the export's
field names, and a clear 400 for any parameter it cannot honour."""

from __future__ import annotations

import json
import re

import pytest

from catalog.models import AccessLevel, PublicationState, Role, SegmentKind
from catalog.services.export import export_catalog
from catalog.viewer import Viewer

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


# --- what each route answers -------------------------------------------------------------------


def test_browse_answers_what_the_page_lists(client, seeded):
    body = client.get("/api/testimonies").get_json()
    assert body["total"] == 13 and body["page"] == 1 and body["pages"] == 1 and body["page_size"] == 50
    assert [t["id"] for t in body["testimonies"]] == [f"T-{n:04d}" for n in range(1, 14)]
    page = client.get("/testimonies").get_data(as_text=True)
    assert "13 accounts you may read" in page
    first = body["testimonies"][0]
    assert first["links"] == {"self": "http://localhost/api/testimonies/T-0001", "html": "http://localhost/t/T-0001"}
    assert body["links"]["self"] == "http://localhost/api/testimonies"
    assert body["links"]["html"] == "http://localhost/testimonies"
    assert "next" not in body["links"] and "prev" not in body["links"]


def test_browse_filters_sorts_and_toggles_like_the_page(client, seeded):
    body = client.get("/api/testimonies?kind=survivor&sort=-given").get_json()
    assert body["sort"] == "-given"
    assert body["filters"] == [{"facet": "kind", "value": "survivor"}]
    assert {t["account_kind"] for t in body["testimonies"]} == {"survivor"}
    assert body["total"] == len(body["testimonies"]) == 3
    kind = next(f for f in body["facets"] if f["name"] == "kind")
    survivor = next(v for v in kind["values"] if v["value"] == "survivor")
    assert survivor == {"value": "survivor", "label": survivor["label"], "count": 3, "selected": True,
                        "toggle": "http://localhost/api/testimonies?sort=-given"}
    page = client.get("/testimonies?kind=survivor&sort=-given").get_data(as_text=True)
    for testimony in body["testimonies"]:
        assert f'href="/t/{testimony["id"]}"' in page


def test_search_pages_link_to_each_other(client, seeded):
    first = client.get("/api/search?q=the&scope=all").get_json()
    assert first["total"] > 20 and first["pages"] >= 2 and first["scope"] == "all"
    assert first["links"]["next"] == "http://localhost/api/search?q=the&scope=all&page=2"
    assert "prev" not in first["links"]
    second = client.get(first["links"]["next"])
    assert 'rel="prev"' in second.headers["Link"]
    body = second.get_json()
    assert body["page"] == 2 and body["links"]["prev"] == "http://localhost/api/search?q=the&scope=all"
    passages = [p for group in first["results"] + body["results"] for p in group["passages"]]
    assert {p["kind"] for p in passages} >= {"first_person", "editorial"}
    own_words = client.get("/api/search?q=the&scope=first_person").get_json()["results"]
    assert {p["kind"] for group in own_words for p in group["passages"]} == {"first_person"}
    assert all("".join(piece["text"] for piece in p["pieces"]) == p["text"] for p in passages)
    assert any(piece["match"] for p in passages for piece in p["pieces"])


def test_a_testimony_has_the_exports_field_names(client, seeded, db):
    body = client.get("/api/testimonies/T-0012").get_json()
    with db.session() as session:
        exported = next(t for t in export_catalog(session, Viewer.public())["testimonies"] if t["id"] == "T-0012")
    links, included = body.pop("links"), body.pop("included")
    assert body == exported
    assert links["html"] == "http://localhost/t/T-0012" and links["citation"].endswith("/t/T-0012/cite.json")
    assert included["source"]["key"] == exported["source"] and included["occasion"]["key"] == exported["occasion"]
    kinds = {segment["kind"] for segment in body["segments"]}
    assert {"first_person", "editorial"} <= kinds


@pytest.mark.parametrize(("path", "name"), [
    ("/api/people/ebrahim-raisi", "Ebrahim Raisi"),
    ("/api/places/evin-prison", "Evin Prison"),
])
def test_people_and_places_answer_with_their_testimonies(client, seeded, path, name):
    body = client.get(path).get_json()
    assert body["name"] == name
    assert body["links"]["self"] == f"http://localhost{path}"


def test_a_source_reads_as_published(client, seeded):
    body = client.get("/api/sources/article").get_json()
    passages = body["as_published"]
    texts = [p["text"] for p in passages]
    first = next(i for i, t in enumerate(texts) if t.startswith("The summer of 1988"))
    decree = next(i for i, t in enumerate(texts) if t.startswith("It is decreed"))
    assert first < decree
    assert passages[decree]["kind"] == "first_person" and passages[decree]["testimony"] == "T-0001"
    assert all("testimony" not in s for s in body["segments"])


def test_a_claim_names_what_corroborates_it(client, seeded):
    body = client.get("/api/claims/hrw-montazeri-2800-3800").get_json()
    assert body["key"] == "hrw-montazeri-2800-3800"
    assert any(link["claim"] == "montazeri-2800-or-3800" for link in body["corroborations"])
    assert body["links"]["testimony"].startswith("http://localhost/api/testimonies/T-")


@pytest.mark.parametrize(("path", "member"), [("/api/people", "people"), ("/api/places", "places"),
                                              ("/api/sources", "sources")])
def test_lists_are_paged(client, seeded, path, member):
    body = client.get(path).get_json()
    assert body["total"] == len(body[member]) > 0 and body["pages"] == 1
    assert body["links"]["first"] == body["links"]["last"] == f"http://localhost{path}"
    beyond = client.get(f"{path}?page=3").get_json()
    assert beyond[member] == [] and beyond["links"]["prev"] == f"http://localhost{path}"


# --- visibility --------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {"access": AccessLevel.RESTRICTED},
    {"access": AccessLevel.CONFIDENTIAL},
    {"state": PublicationState.DRAFT},
    {"state": PublicationState.WITHDRAWN, "withdrawn_reason": "consent withdrawn"},
])
def test_a_hidden_testimony_is_404_exactly_like_an_absent_one(client, seeded, session, make_testimony, fields):
    make_testimony((SegmentKind.FIRST_PERSON, "Hidden words about Evin."), public_id="T-0802", **fields)
    session.commit()
    hidden, absent = client.get("/api/testimonies/T-0802"), client.get("/api/testimonies/T-0803")
    assert problem(hidden, 404)
    assert hidden.get_data() == absent.get_data()
    listing = client.get("/api/testimonies").get_json()
    assert listing["total"] == 13 and "T-0802" not in json.dumps(listing)
    assert "Hidden words" not in client.get("/api/search?q=hidden").get_data(as_text=True)


def test_signed_in_readers_get_what_their_pages_show(client, seeded, session, make_testimony, auth):
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted words."), public_id="T-0804", access=AccessLevel.RESTRICTED)
    make_testimony((SegmentKind.FIRST_PERSON, "Draft words."), public_id="T-0805", state=PublicationState.DRAFT)
    session.commit()
    auth.login(Role.RESEARCHER)
    assert client.get("/api/testimonies/T-0804").status_code == 200
    assert client.get("/api/testimonies/T-0805").status_code == 404
    assert client.get("/api/testimonies").get_json()["total"] == 14
    auth.logout()
    auth.login(Role.ARCHIVIST)
    response = client.get("/api/testimonies/T-0805")
    assert response.get_json()["publication_state"] == "draft"
    # What a signed-in reader is shown is kept by no cache.
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/testimonies?access=restricted").get_json()["total"] == 1


def test_a_protected_person_is_known_only_by_pseudonym(client, seeded):
    assert problem(client.get("/api/people/anonymous-survivor"), 404)
    people = client.get("/api/people").get_data(as_text=True)
    assert "Unidentified survivor quoted by the article" not in people
    assert "anonymous-survivor" not in people
    protected = next(p for p in json.loads(people)["people"] if p.get("name_is_pseudonym"))
    body = client.get(protected["links"]["self"]).get_json()
    assert body["name"] == protected["name"] and "names" not in body and "description" not in body
    speaker = client.get("/api/testimonies/T-0006").get_json()["roles"][0]
    assert speaker == {"agent": protected["key"], "agent_name": protected["name"], "role": "speaker",
                       **({"relation": speaker["relation"]} if "relation" in speaker else {})}


def test_anonymous_answers_are_not_marked_private(client, seeded):
    assert "Cache-Control" not in client.get("/api/testimonies").headers


# --- bad parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "parameter", "words"), [
    ("/api/testimonies?page=abc", "page", "whole number"),
    ("/api/testimonies?page=0", "page", "whole number"),
    ("/api/testimonies?page=1&page=2", "page", "once"),
    ("/api/testimonies?sort=newest", "sort", "not one of"),
    ("/api/testimonies?kind=hearsay", "kind", "not one of"),
    ("/api/testimonies?status=true", "status", "not one of"),
    ("/api/testimonies?year=nineteen", "year", "not a year"),
    ("/api/testimonies?place=Evin%20Prison", "place", "lower-case"),
    ("/api/testimonies?lang=english!", "lang", "language tag"),
    ("/api/testimonies?more=colour", "more", "not one of"),
    ("/api/testimonies?colour=red", "colour", "takes no parameter"),
    ("/api/people?sort=title", "sort", "takes no parameter"),
    ("/api/testimonies/T-0012?full=1", "full", "takes no parameter"),
    ("/api/search", "q", "Give the words"),
    ("/api/search?q=%20%20", "q", "Give the words"),
    ("/api/search?q=evin&scope=everything", "scope", "not one of"),
    ("/api/search?q=-evin", "q", "leave out"),
])
def test_a_bad_parameter_is_a_400_naming_it(client, seeded, query, parameter, words):
    body = problem(client.get(query), 400)
    assert body["type"] == "http://localhost/api#problem-400"
    assert any(e["parameter"] == parameter and words in e["detail"] for e in body["errors"]), body
    assert parameter in body["detail"] or words in body["detail"]


def test_unknown_addresses_under_the_api_are_problems(client, seeded):
    assert problem(client.get("/api/nothing-here"), 404)["type"] == "http://localhost/api#problem-404"
    assert problem(client.get("/api/testimonies/%00"), 404)
    assert problem(client.get("/api/testimonies/T-0012%00"), 404)
    assert "NUL" in problem(client.get("/api/testimonies?kind=%00"), 400)["detail"]
    refused = client.post("/api/testimonies")
    assert refused.status_code in (400, 405) and refused.mimetype == PROBLEM


# --- the document, the reference page and the alternates -------------------------------------


def test_the_document_describes_every_api_route(client, app):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {re.sub(r"<(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and rule.endpoint not in ("api.openapi_document", "api.reference_slash")}
    assert routes == set(document["paths"])
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "400", "429", "500"} <= set(responses), path
        if "{" in path:
            assert "404" in responses


def test_the_reference_page_is_made_from_the_document(client, seeded):
    page = client.get("/api").get_data(as_text=True)
    document = client.get("/api/openapi.json").get_json()
    for path, item in document["paths"].items():
        assert f"<code>GET {path}</code>" in page
        for parameter in item["get"]["parameters"]:
            assert f"<code>{parameter['name']}</code>" in page
    assert 'href="/api/testimonies/T-0012"' in page and 'id="problem-404"' in page
    assert client.get("/api/").headers["Location"].endswith("/api")


@pytest.mark.parametrize(("page", "alternate"), [
    ("/", "/api/testimonies"),
    ("/testimonies?kind=survivor&sort=-given&page=1", "/api/testimonies?kind=survivor&amp;sort=-given&amp;page=1"),
    ("/search?q=evin&scope=first_person", "/api/search?q=evin&amp;scope=first_person"),
    ("/t/T-0012", "/api/testimonies/T-0012"),
    ("/people", "/api/people"),
    ("/people/mek", "/api/people/mek"),
    ("/places", "/api/places"),
    ("/places/evin-prison", "/api/places/evin-prison"),
    ("/sources", "/api/sources"),
    ("/sources/article", "/api/sources/article"),
    ("/claims/montazeri-2800-or-3800", "/api/claims/montazeri-2800-or-3800"),
])
def test_each_reading_page_links_to_its_json(client, seeded, page, alternate):
    html = client.get(page).get_data(as_text=True)
    head = html[: html.index("</head>")]
    assert f'<link rel="alternate" type="application/json" href="{alternate}">' in head
    assert client.get(alternate.replace("&amp;", "&")).status_code == 200


def test_a_search_page_without_words_has_no_json_alternate(client, seeded):
    assert 'type="application/json"' not in client.get("/search").get_data(as_text=True)
