"""The search page: results grouped per testimony, kinds labelled, hit count, facets, and a
helpful message for any query that cannot run."""

from __future__ import annotations

import re

import pytest

from catalog.models import AccessLevel, SegmentKind


def test_search_page_groups_and_labels(client, seeded):
    page = client.get("/search?q=Garces").get_data(as_text=True)
    assert "2 matching passages in 1 testimony or source" in page
    assert page.count('class="result-group"') == 1
    assert "<mark>Garcés</mark>" in page
    assert 'data-kind="editorial"' in page and ">Framing" in page
    assert 'href="/t/T-0010#p4"' in page


def test_scope_is_shown_and_applied(client, seeded):
    page = client.get("/search?q=prisoners&scope=first_person").get_data(as_text=True)
    assert 'value="first_person" checked' in page
    assert 'data-kind="editorial"' not in page and 'data-kind="first_person"' in page
    assert "searching speakers’ own words" in page


def test_source_framing_hits_are_their_own_group(client, seeded):
    page = client.get("/search?q=Raisi").get_data(as_text=True)
    assert "The source’s own text (not a testimony)" in page
    assert "<mark>Raissi</mark>" in page
    assert "Also searched for other names" in page


def test_facets_on_search_results(client, seeded):
    page = client.get("/search?q=prisoners&kind=survivor").get_data(as_text=True)
    groups = re.findall(r'class="record-ref">(T-\d+)<', page)
    assert groups and set(groups) <= {"T-0006", "T-0012", "T-0013"}
    assert 'href="/search?q=prisoners" aria-current="true" data-facet="kind" data-value="survivor"' in page


@pytest.mark.parametrize(
    "query,message",
    [
        ("-MEK", "only says what to leave out"),
        ("***", "no words"),
        ('"', "no words"),
        ("x" * 10_000, "please keep it under"),
        ("Evin%01", "control"),
        ("%E2%80%AEEvin", "control"),
    ],
)
def test_bad_queries_get_a_message_not_a_500(client, seeded, query, message):
    response = client.get(f"/search?q={query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and message in page


def test_unclosed_quote_still_searches(client, seeded):
    page = client.get('/search?q="death committees').get_data(as_text=True)
    assert "closing quotation mark was missing" in page
    assert "1 matching passage" in page


def test_empty_search_shows_the_form(client, seeded):
    response = client.get("/search")
    assert response.status_code == 200
    assert 'id="search-q"' in response.get_data(as_text=True)


def test_search_pages_leak_nothing(client, session, make_testimony):
    make_testimony((SegmentKind.FIRST_PERSON, "Secret zebracorn words."), public_id="T-0811", access=AccessLevel.RESTRICTED)
    make_testimony((SegmentKind.FIRST_PERSON, "Open zebracorn words."), public_id="T-0812")
    session.commit()
    page = client.get("/search?q=zebracorn").get_data(as_text=True)
    assert "1 matching passage in 1 testimony or source" in page
    assert "T-0811" not in page and "Secret" not in page


def test_print_link_on_results(client, seeded):
    page = client.get("/search?q=Garces").get_data(as_text=True)
    assert "/print/selection.pdf?ids=T-0010" in page


def test_records_matched_by_their_details_are_listed_apart(client, seeded):
    page = client.get("/search?q=Ardekani").get_data(as_text=True)
    section = page.split('class="record-matches"', 1)[1].split("</section>", 1)[0]
    assert "Kamal Afkhami Ardekani: the Death Committees at Evin prison" in section
    assert "Matched in title, speaker" in section
    assert '<h2 class="passages-heading">Passages</h2>' in page
    # A search for one kind of text lists passages only.
    page = client.get("/search?q=Ardekani&scope=first_person").get_data(as_text=True)
    assert 'class="record-matches"' not in page


def test_api_search_lists_matching_records(client, seeded):
    body = client.get("/api/search?q=Ardekani").get_json()
    assert body["matching_records"]["total"] >= 1
    first = body["matching_records"]["testimonies"][0]
    assert first["testimony"]["title"].startswith("Kamal Afkhami Ardekani")
    assert "title" in first["matched_in"]
