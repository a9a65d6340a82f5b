"""/api/claims: the claims index as JSON, with the page's filters and the API's strict parameters."""

from __future__ import annotations

from catalog.models import Role


def test_api_claims_lists_what_the_page_lists(client, seeded):
    body = client.get("/api/claims?kind=count&q=executed").get_json()
    page = client.get("/claims?kind=count&q=executed").get_data(as_text=True)
    assert body["total"] == len(body["claims"]) > 0
    for claim in body["claims"]:
        assert claim["kind"] == "count" and "execut" in (claim["statement"] + claim.get("excerpt", "")).lower()
        assert f'href="/claims/{claim["key"]}"' in page
        assert claim["links"]["html"].endswith(f"/claims/{claim['key']}")
    assert body["filters"] == [{"facet": "kind", "value": "count"}]
    assert {facet["name"] for facet in body["facets"]} >= {"kind", "speaker"}
    assert '<link rel="alternate" type="application/json" href="/api/claims?kind=count&amp;q=executed">' in page


def test_api_claims_refuses_what_it_cannot_honour(client, seeded):
    for query, parameter in (("kind=rumour", "kind"), ("page=0", "page"), ("year=abc", "year"), ("sort=x", "sort"),
                             ("more=lang", "more"), ("place=Not%20A%20Key", "place")):
        response = client.get(f"/api/claims?{query}")
        assert response.status_code == 400, query
        assert [e["parameter"] for e in response.get_json()["errors"]] == [parameter], query


def test_api_claims_counts_more_for_an_archivist(client, seeded, auth):
    public = client.get("/api/claims").get_json()["total"]
    auth.login(Role.ARCHIVIST)
    assert client.get("/api/claims").get_json()["total"] >= public > 0
