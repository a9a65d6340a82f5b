"""Printing over HTTP: print views, PDFs, refusals, access levels and the PDF cache."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader
from io import BytesIO

from catalog.models import AccessLevel, AccountKind, Agent, AgentKind, AgentRole, PublicationState, Role, RoleKind, Segment, SegmentKind, Testimony
from catalog.services import transcripts
from catalog.services.actors import Actor
from catalog.services.revisions import record_revision
from catalog.services.transcripts import pdf as pdf_module


@pytest.fixture
def restricted(seeded):
    """A published testimony open to researchers only, committed so requests can see it."""
    with seeded.writing() as session:
        speaker = Agent(key="restricted-speaker", kind=AgentKind.PERSON, preferred_name="Parvaneh Restricted")
        testimony = Testimony(
            public_id="T-8001", title="A restricted account", account_kind=AccountKind.SURVIVOR,
            publication_state=PublicationState.PUBLISHED, access_level=AccessLevel.RESTRICTED, language="en",
        )
        testimony.roles.append(AgentRole(agent=speaker, role=RoleKind.SPEAKER))
        testimony.segments.append(Segment(position=1, number=1, kind=SegmentKind.FIRST_PERSON, text="I was there in 1988."))
        session.add(testimony)
        session.flush()
        record_revision(session, testimony, Actor.system("test"))
    return seeded


def test_print_view_of_a_testimony(client, seeded):
    response = client.get("/t/T-0012/transcript")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kobra Jokar: six years in the regime’s prisons" in page
    assert 'href="/static/print.css"' in page
    assert 'href="/t/T-0012/transcript.pdf"' in page
    assert 'href="/t/T-0012/transcript?translation=beside"' in page
    assert "Printed for: <b>public</b>" in page
    assert "catalog verify-transcript FILE.pdf" in page
    # The page obeys the Content-Security-Policy: no inline style or script anywhere.
    assert " style=" not in page and "<style" not in page and "<script" not in page
    assert re.search(r"SHA-256 of the printed content:</p>\s*<p class=\"sha\">[0-9a-f]{64}</p>", page)


def test_print_view_of_the_source_and_a_selection(client, seeded):
    source = client.get("/sources/article/transcript").get_data(as_text=True)
    assert "The source as published" in source and "Kobra Jokar, own words · T-0012 ¶2" in source
    selection = client.get("/print/selection?ids=T-0012,T-0009,T-0006&title=Conference+of+2018")
    assert selection.status_code == 200
    page = selection.get_data(as_text=True)
    assert "<h1 class=\"sel-title\">Conference of 2018</h1>" in page
    assert page.index('id="part-T-0012"') < page.index('id="part-T-0009"') < page.index('id="part-T-0006"')


@pytest.mark.parametrize(
    "url", ["/t/T-9999/transcript", "/t/T-9999/transcript.pdf", "/sources/nope/transcript", "/sources/nope/transcript.pdf"]
)
def test_unknown_records_are_not_found(client, seeded, url):
    assert client.get(url).status_code == 404


def test_selection_refusals_name_the_ids_without_telling_hidden_from_missing(client, restricted):
    hidden = client.get("/print/selection?ids=T-0012,T-8001")
    missing = client.get("/print/selection.pdf?ids=T-0012,T-8002")
    assert hidden.status_code == missing.status_code == 404
    hidden_text = hidden.get_data(as_text=True).replace("T-8001", "X")
    missing_text = missing.get_data(as_text=True).replace("T-8002", "X")
    assert "cannot be printed at your access level (or do not exist): X." in hidden_text
    assert hidden_text.split("<main")[1] == missing_text.split("<main")[1]
    assert client.get("/print/selection").status_code == 400
    too_many = ",".join(f"T-{n:04d}" for n in range(1, transcripts.MAX_SELECTION + 2))
    response = client.get(f"/print/selection.pdf?ids={too_many}")
    assert response.status_code == 400 and b"at most 100" in response.data


def test_restricted_testimony_prints_for_a_researcher_only(client, auth, restricted, tmp_path):
    assert client.get("/t/T-8001/transcript.pdf").status_code == 404
    auth.login(Role.RESEARCHER)
    response = client.get("/t/T-8001/transcript.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Parvaneh Restricted" in text and "I was there in 1988." in text
    assert "Printed for: researcher (restricted) access" in text
    assert f"SHA-256 {response.headers['X-Content-SHA256']}" in text
    selection = client.get("/print/selection?ids=T-0012,T-8001")
    assert selection.status_code == 200


def test_repeated_pdf_request_is_served_from_the_cache(client, app, seeded):
    first = client.get("/t/T-0011/transcript.pdf")
    assert first.status_code == 200
    cache = list(_cache_dir(app).glob("*.pdf"))
    assert len(cache) == 1
    again = client.get("/t/T-0011/transcript.pdf")
    assert again.data == first.data, "the same bytes, printed date included: it came from the cache"
    letter = client.get("/t/T-0011/transcript.pdf?paper=letter")
    assert letter.data != first.data
    assert round(float(PdfReader(BytesIO(letter.data)).pages[0].mediabox.width)) == 612
    assert round(float(PdfReader(BytesIO(first.data)).pages[0].mediabox.width)) == 595
    assert len(list(_cache_dir(app).glob("*.pdf"))) == 2


def _cache_dir(app):
    from pathlib import Path

    return Path(app.config["INSTANCE_PATH"]) / "transcripts"


def test_pdf_requests_get_a_clear_503_without_typst(client, seeded, monkeypatch):
    def missing():
        raise transcripts.PdfUnavailable("PDF printing is not available on this server: the Typst compiler could not load.")

    monkeypatch.setattr(pdf_module, "_typst", missing)
    response = client.get("/t/T-0010/transcript.pdf")
    assert response.status_code == 503
    assert b"the Typst compiler could not load" in response.data
    assert client.get("/t/T-0010/transcript").status_code == 200, "the print view needs no Typst"
