"""Record pages: testimony metadata and citation, agents, places, sources, claims and indexes."""

from __future__ import annotations

import json
import re

import pytest

from catalog.models import AccessLevel, Segment, SegmentKind, Source, SourceKind


def test_testimony_card_links_people_places_and_source(client, seeded):
    page = client.get("/t/T-0012").get_data(as_text=True)
    assert 'href="/people/kobra-jokar"' in page
    assert 'href="/places/mek-headquarters-albania"' in page
    assert 'href="/sources/article"' in page
    assert 'class="badge badge-unverified"' in page
    assert 'href="/t/T-0012/transcript"' in page and 'href="/t/T-0012/transcript.pdf"' in page
    # Consent and access are for signed-in readers only.
    assert "Consent" not in page


def test_claims_are_marked_in_the_text(client, seeded):
    page = client.get("/t/T-0008").get_data(as_text=True)
    assert 'class="segment-claims"' in page
    assert 'href="/claims/montazeri-2800-or-3800"' in page


def test_cite_this_plain_and_csl_json(client, seeded):
    page = client.get("/t/T-0010").get_data(as_text=True)
    assert "Juan Garcés. “Juan Garcés at the 2018 conference" in page
    assert "Testimony Catalog, T-0010" in page and "http://localhost/t/T-0010" in page
    response = client.get("/t/T-0010/cite.json")
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    item = json.loads(response.get_data(as_text=True))[0]
    assert item["id"] == "T-0010" and item["author"] == [{"literal": "Juan Garcés"}]
    assert item["issued"] == {"raw": "2018-07-16?"} and item["URL"] == "http://localhost/t/T-0010"


def test_agent_page_shows_names_by_kind_and_roles(client, seeded):
    page = client.get("/people/mek").get_data(as_text=True)
    assert "<h1>Mojahedin-e Khalq (MEK)</h1>" in page
    assert "pejorative term used by others" in page and "Monafeqin" in page
    assert "Mentioned in" in page
    raisi = client.get("/people/ebrahim-raisi").get_data(as_text=True)
    assert "In sources’ own text" in raisi and "named as alleged perpetrator by" in raisi.lower()


def test_protected_person_is_shown_only_by_pseudonym(client, seeded):
    people = client.get("/people").get_data(as_text=True)
    assert "Unidentified survivor quoted by the article" not in people
    assert "Anonymous survivor of the 1988 massacre" in people
    assert client.get("/people/anonymous-survivor").status_code == 404
    testimony = client.get("/t/T-0006").get_data(as_text=True)
    assert "pseudonym: identity protected" in testimony
    assert "anonymous-survivor\"" not in testimony


def test_place_page_has_hierarchy_and_testimonies(client, seeded):
    page = client.get("/places/mek-headquarters-albania").get_data(as_text=True)
    assert 'href="/places/albania"' in page
    assert page.count('class="testimony-item"') == 3
    assert 'href="/testimonies?place=mek-headquarters-albania"' in page


def test_claim_page_with_corroboration(client, seeded):
    page = client.get("/claims/hrw-montazeri-2800-3800").get_data(as_text=True)
    assert "the catalog itself asserts nothing" in page
    assert 'href="/claims/montazeri-2800-or-3800"' in page


def test_index_pages(client, seeded):
    assert client.get("/sources").get_data(as_text=True).count('href="/sources/') == 8
    assert 'href="/places/ward-209"' in client.get("/places").get_data(as_text=True)
    for url in ("/people/nobody", "/places/nowhere", "/claims/none", "/sources/none", "/t/T-0404/cite.json"):
        assert client.get(url).status_code == 404


def test_record_pages_are_accessible_html(client, seeded):
    for url in ("/testimonies", "/search?q=Evin", "/t/T-0012", "/people/mek", "/places/tehran", "/sources", "/people",
                "/places", "/claims/hrw-montazeri-2800-3800"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("<h1") == 1, url
        # Only the schema.org data block of a record, which never runs, is a script element.
        assert all(s.startswith('<script type="application/ld+json" nonce=') for s in re.findall(r"<script[^>]*>", page)), url
        assert "style=" not in page, url
        assert 'href="#main"' in page and 'role="search"' in page or url.startswith("/search"), url


def test_hidden_testimony_cite_is_404(client, session, make_testimony):
    make_testimony((SegmentKind.FIRST_PERSON, "x"), public_id="T-0901", access=AccessLevel.RESTRICTED)
    session.commit()
    assert client.get("/t/T-0901/cite.json").status_code == 404


@pytest.mark.parametrize("paragraphs, shown_paragraphs", [((None, None, None, None), 4), ((1, 1, None, 2), 3)],
                         ids=["unnumbered", "partly numbered"])
def test_a_source_without_paragraph_numbers_reads_in_source_order(client, session, paragraphs, shown_paragraphs):
    """Passages with no paragraph number keep the source's order, each a paragraph of its own, on
    the reading page and in the print (a source entered without its paragraphs once made both fail)."""
    source = Source(key="unnumbered", title="A statement without paragraphs", kind=SourceKind.ARTICLE)
    texts = ["First words of the statement.", "Second words.", "Third words.", "Fourth words."]
    # Entered out of order: the source's own positions decide what comes first, not the row ids.
    for position in (3, 1, 4, 2):
        session.add(Segment(source=source, source_position=position, source_paragraph=paragraphs[position - 1],
                            kind=SegmentKind.EDITORIAL, text=texts[position - 1]))
    session.commit()
    reading = client.get("/sources/unnumbered")
    assert reading.status_code == 200
    page = reading.get_data(as_text=True)
    assert page.index(texts[0]) < page.index(texts[1]) < page.index(texts[2]) < page.index(texts[3])
    assert page.count('<p class="source-paragraph">') == shown_paragraphs
    printed = client.get("/sources/unnumbered/transcript")
    assert printed.status_code == 200
    transcript = printed.get_data(as_text=True)
    assert transcript.index(texts[0]) < transcript.index(texts[1]) < transcript.index(texts[2]) < transcript.index(texts[3])
    assert transcript.count('<div class="flow-para">') == shown_paragraphs
