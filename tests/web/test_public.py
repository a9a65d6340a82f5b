"""The first pages: the home list and the testimony page, through the visibility layer."""

from __future__ import annotations

import re

import pytest

from catalog.models import AccessLevel, PublicationState, SegmentKind


def test_home_lists_published_public_testimonies(client, seeded):
    page = client.get("/").get_data(as_text=True)
    assert page.count('class="testimony-item"') == 13
    assert "Kobra Jokar: six years in the regime’s prisons" in page
    assert "Anonymous survivor of the 1988 massacre" in page
    assert "Unidentified survivor quoted by the article" not in page


def test_testimony_page_labels_each_kind(client, seeded):
    page = client.get("/t/T-0012").get_data(as_text=True)
    assert "<h1>Kobra Jokar: six years in the regime’s prisons</h1>" in page
    assert page.count('data-kind="first_person"') == 5
    assert page.count('data-kind="editorial"') == 5
    assert "Witness’s own words" in page and "Framing" in page
    assert "16 July 2018 (uncertain)" in page
    first = page.index("I was in the regime’s prisons")
    assert page.rfind('data-kind="first_person"', 0, first) > page.rfind('data-kind="editorial"', 0, first)


def test_reported_segment_is_labelled_as_not_the_witnesss_words(client, seeded):
    page = client.get("/t/T-0013").get_data(as_text=True)
    assert 'data-kind="reported"' in page
    assert "Reported, not the witness’s words" in page


def test_transmission_chain_is_shown(client, seeded):
    page = client.get("/t/T-0008").get_data(as_text=True)
    chain = page[page.index('class="transmission-chain"'):]
    assert chain.index("Memoirs of Ayatollah Montazeri") < chain.index("Human Rights Watch report") < chain.index("seed article")


def test_first_person_words_are_escaped_never_markup(client, session, make_testimony):
    make_testimony((SegmentKind.FIRST_PERSON, "<script>alert('x')</script> I said <b>no</b>"), public_id="T-0800")
    session.commit()
    page = client.get("/t/T-0800").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; I said &lt;b&gt;no&lt;/b&gt;" in page


def test_persian_segment_has_lang_and_dir(client, session, make_testimony):
    make_testimony({"kind": SegmentKind.FIRST_PERSON, "text": "من در اوین بودم.", "language": "fa", "direction": "rtl"},
                   public_id="T-0801")
    session.commit()
    page = client.get("/t/T-0801").get_data(as_text=True)
    assert re.search(r'<blockquote class="segment-text" lang="fa" dir="rtl">من در اوین بودم.</blockquote>', page)


@pytest.mark.parametrize(
    "fields",
    [
        {"access": AccessLevel.RESTRICTED},
        {"access": AccessLevel.CONFIDENTIAL},
        {"state": PublicationState.DRAFT},
        {"state": PublicationState.WITHDRAWN, "withdrawn_reason": "consent withdrawn"},
    ],
)
def test_hidden_testimonies_are_not_found_by_readers(client, session, make_testimony, fields):
    make_testimony((SegmentKind.FIRST_PERSON, "Hidden words."), public_id="T-0802", **fields)
    session.commit()
    response = client.get("/t/T-0802")
    assert response.status_code == 404
    assert "Hidden words" not in response.get_data(as_text=True)
    assert "T-0802" not in client.get("/").get_data(as_text=True)


def test_source_page_reads_as_published(client, seeded):
    page = client.get("/sources/article").get_data(as_text=True)
    assert page.index("The summer of 1988") < page.index("It is decreed") < page.index("The executed were buried")
    assert page.count('class="inline-segment inline-first_person"') == 25
    assert 'href="/t/T-0012"' in page


def test_security_headers(client, seeded):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, seeded):
    for url in ("/", "/t/T-0012", "/sources/article"):
        page = client.get(url).get_data(as_text=True)
        # The one script element allowed is the record's schema.org data block, which never runs.
        scripts = re.findall(r"<script[^>]*>", page)
        assert all(s.startswith('<script type="application/ld+json" nonce=') for s in scripts), scripts
        assert "style=" not in page and "<style" not in page
        assert page.count("<h1") == 1
        assert 'href="#main"' in page and "<main" in page


def test_unknown_testimony_is_404(client, seeded):
    assert client.get("/t/T-9999").status_code == 404
