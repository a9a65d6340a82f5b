"""/claims: the claims index page, its facets and search, as each reader may see it."""

from __future__ import annotations

from catalog.models import Role


def test_claims_index_lists_the_seed_claims_with_facets(client, seeded):
    response = client.get("/claims")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kind of claim" in html and "Who claims it" in html and "Period" in html
    assert 'href="/claims/montazeri-2800-or-3800"' in html
    # The navigation names the index.
    assert '<a href="/claims" aria-current="page">Claims</a>' in html


def test_claims_index_filters_and_searches(client, seeded):
    everything = client.get("/claims").get_data(as_text=True)
    counted = client.get("/claims?kind=count").get_data(as_text=True)
    assert "Filtered by:" in counted and "Kind of claim: count" in counted
    assert counted.count('claim-item"') < everything.count('claim-item"')
    searched = client.get("/claims?q=Montazeri").get_data(as_text=True)
    assert 'value="Montazeri"' in searched
    assert 'href="/claims/montazeri-2800-or-3800"' in searched
    none = client.get("/claims?q=zzzznothing")
    assert none.status_code == 200 and "No claim matches" in none.get_data(as_text=True)


def test_bad_parameters_are_not_errors(client, seeded):
    for query in ("page=abc", "page=-4", "year=99999", "place=" + "x" * 500, "speaker=protected-x", "kind=nope",
                  "q=%25%25_", "more=kind", "speaker=protected-99999999999", "year=%C2%B2",
                  "speaker=protected-%C2%B2"):
        assert client.get(f"/claims?{query}").status_code == 200, query
    for query in ("q=a%00b", "speaker=a%00"):
        assert client.get(f"/claims?{query}").status_code == 400, query


def test_hidden_claims_are_neither_listed_nor_counted(client, seeded, auth):
    public = client.get("/claims").get_data(as_text=True)
    auth.login(Role.ARCHIVIST)
    staff = client.get("/claims").get_data(as_text=True)
    public_count = public.count('claim-item"')
    assert staff.count('claim-item"') >= public_count
    assert public_count > 0
