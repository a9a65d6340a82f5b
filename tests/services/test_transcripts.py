"""Printed transcripts: content cut to the viewer, the PDF's text, pages, footers, hash and checks.

Each distinct transcript is rendered once per test run: renders are kept by content hash, and
the SQLite and PostgreSQL runs of a test print the same content (which is itself checked: the hash
does not depend on the database).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, NameObject

from catalog.cli import main
from catalog.models import AccessLevel, Redaction, SegmentKind
from catalog.services import transcripts
from catalog.services.transcripts import typeset
from catalog.viewer import Viewer

PRINTED = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
BASE = "https://catalog.example/"
PUBLIC = Viewer.public()
ARCHIVIST = Viewer.for_level("archivist")
OPTIONS = transcripts.PrintOptions()

_renders: dict[str, bytes] = {}


def pdf_of(document: transcripts.Transcript) -> bytes:
    key = f"{document.content_sha256}|{document.printed.isoformat()}|{document.options.token}"
    if key not in _renders:
        _renders[key] = transcripts.render_pdf(document)
    return _renders[key]


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def pdftotext(data: bytes, *options: str) -> str:
    """The PDF's text as poppler reads it: right-to-left lines in logical order, pages split by \\f."""
    command = ["pdftotext", *options, "-enc", "UTF-8", "-", "-"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout.decode("utf-8")


_RTL_WORDS = re.compile(r"(?:[\u0590-\u08ff\ufb1d-\ufefc\u200c]+[ .،؛]*)+")


def in_drawing_order(data: bytes) -> str:
    """The PDF's text in the order it is drawn (poppler's -raw), which is the order Typst lays
    the content out in, cell after cell of a table; a right-to-left line is drawn from its visual
    left, so its words are put back in reading order."""
    lines = pdftotext(data, "-raw").split("\n")
    def reading_order(match):
        return " ".join(reversed(match.group(0).split()))
    return "\n".join(_RTL_WORDS.sub(reading_order, without_marks(line)) for line in lines)


def without_marks(text: str) -> str:
    """Text without zero-width non-joiners and bidi embedding marks, which draw nothing."""
    return re.sub("[\u200c\u200e\u200f\u202a-\u202e]", "", text)


def save_pngs(data: bytes, artifacts, name: str) -> None:
    """Every page as PNG under test-artifacts/, to be looked at."""
    path = artifacts / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(artifacts / name)], check=True)


def t0012(db, viewer=PUBLIC, options=OPTIONS):
    with db.session() as session:
        return transcripts.testimony_transcript(session, viewer, "T-0012", options, base_url=BASE, printed=PRINTED)


def test_kobra_jokar_transcript_pdf(seeded, artifacts, backend):
    document = t0012(seeded)
    data = pdf_of(document)
    save_pngs(data, artifacts, f"transcript-T-0012-{backend}")
    pages = pages_of(data)
    total = len(pages)
    assert total >= 2
    text = "\n".join(pages)
    # Header: who, where, when, how it reached us, corroboration, consent, audience.
    for expected in ("T-0012", "Kobra Jokar", "former political prisoner", "16 July 2018 (uncertain)",
                     "EDTF 2018-07-16?", "English (en)", "survivor", "relayed", "CORROBORATION", "unverified", "Rationale:",
                     "CONSENT / RELEASE", "public record", "TRANSMISSION", "SPEAKER", "Printed for: public access"):
        assert expected in text, expected
    # Body: numbered passages in order, each labelled by kind.
    numbers = [int(n) for n in re.findall(r"¶(\d+)\s+(?:OWN WORDS|FRAMING|QUESTION|REPORTED)", text)]
    assert numbers == sorted(numbers) and numbers[0] == 1 and len(numbers) == len(document.parts[0].blocks)
    assert "OWN WORDS — Kobra Jokar" in text
    assert "FRAMING — by" in text
    assert text.index("I was in the regime’s prisons for six years") < text.index("I managed to escape prison in 1987")
    # Claims as footnotes with their corroboration.
    assert "Claim (count) made by Kobra Jokar" in text and "Partly supports" in text
    # Every page: running header, page X of Y, permalink, revision, printed date, content hash.
    for number, page in enumerate(pages, start=1):
        assert re.findall(r"page \d+ of \d+", page) == [f"page {number} of {total}"]
        assert "T-0012 · Kobra Jokar: six years in the regime’s prisons" in page
        assert f"page {number} of {total}" in page
        assert "https://catalog.example/t/T-0012" in page
        assert "Revision 1 · printed 2026-01-02 03:04 UTC" in page
        assert f"SHA-256 {document.content_sha256}" in page
    assert "catalog verify-transcript FILE.pdf" in pages[-1]
    reader = PdfReader(BytesIO(data))
    assert reader.metadata["/Author"] == "Testimony Catalog"
    assert reader.metadata["/Subject"] == "T-0012"
    assert "T-0012" in reader.metadata["/Keywords"] and "Kobra Jokar" in reader.metadata["/Title"]
    assert [item["/Title"] for item in reader.outline if isinstance(item, dict)][0].startswith("Kobra Jokar")


def test_content_hash_is_canonical(seeded):
    first, second = t0012(seeded), t0012(seeded)
    assert first.content_sha256 == second.content_sha256
    later = transcripts.Transcript(**{**first.__dict__, "printed": PRINTED + dt.timedelta(days=3)})
    assert later.content_sha256 == first.content_sha256, "the printed date is not content"
    beside = t0012(seeded, options=transcripts.PrintOptions(translation="none"))
    assert beside.content_sha256 != first.content_sha256
    assert t0012(seeded, ARCHIVIST).viewer_label != first.viewer_label


def test_seed_article_as_published(seeded, artifacts, backend):
    with seeded.session() as session:
        document = transcripts.source_transcript(session, PUBLIC, "article", OPTIONS, base_url=BASE, printed=PRINTED)
    data = pdf_of(document)
    save_pngs(data, artifacts, f"transcript-article-{backend}")
    pages = pages_of(data)
    text = "\n".join(pages)
    assert "article · source as published" in text and "THE SOURCE AS PUBLISHED" in text
    assert text.index("The summer of 1988 was witness") < text.index("I was in the regime’s prisons for six years")
    assert "KOBRA JOKAR, OWN WORDS · T-0012 ¶2" in text
    assert "article ¶1" in text and "T-0012 ¶2" in text
    assert "REPORTED, AS TOLD BY" in text
    assert "italic" in text and "underlined" in text, "the legend explains how kinds are set apart"
    assert all(f"of {len(pages)}" in page for page in pages)


def test_selection_has_contents_and_bookmarks(seeded, artifacts, backend):
    ids = ("T-0012", "T-0009", "T-0006")
    with seeded.session() as session:
        document = transcripts.selection_transcript(
            session, PUBLIC, ids, OPTIONS, title="Conference of 16 July 2018", base_url=BASE, printed=PRINTED
        )
    data = pdf_of(document)
    save_pngs(data, artifacts, f"transcript-selection-{backend}")
    pages = pages_of(data)
    assert "Conference of 16 July 2018" in pages[0] and "CONTENTS" in pages[0]
    for public_id in ids:
        assert public_id in pages[0]
    starts = [next(i for i, page in enumerate(pages) if f"{public_id}\n" in page and i > 0) for public_id in ids]
    assert starts == sorted(starts), "testimonies print in the order chosen"
    titles = [item["/Title"] for item in PdfReader(BytesIO(data)).outline if isinstance(item, dict)]
    assert titles[0] == "Contents" and len(titles) == len(ids) + 2
    assert "T-0012 r1; T-0009 r1; T-0006 r1" in "\n".join(pages)


def test_selection_refuses_hidden_and_missing_alike(session, make_testimony):
    make_testimony(public_id="T-7001", access=AccessLevel.RESTRICTED)
    with pytest.raises(transcripts.SelectionRefused) as hidden:
        transcripts.selection_transcript(session, PUBLIC, ("T-7001",), OPTIONS, base_url=BASE)
    with pytest.raises(transcripts.SelectionRefused) as missing:
        transcripts.selection_transcript(session, PUBLIC, ("T-7002",), OPTIONS, base_url=BASE)
    assert hidden.value.message.replace("T-7001", "X") == missing.value.message.replace("T-7002", "X")
    with pytest.raises(transcripts.SelectionRefused, match="at most"):
        transcripts.parse_selection_ids(",".join(f"T-{n:04d}" for n in range(transcripts.MAX_SELECTION + 1)))
    assert transcripts.parse_selection_ids(" T-0001, T-0002 T-0001") == ("T-0001", "T-0002")


def test_redactions_and_protected_names_follow_the_viewer(session, make_agent, make_testimony, artifacts, backend):
    speaker = make_agent("Maryam Realname", is_protected=True, public_pseudonym="Witness K",
                         identity_access=AccessLevel.CONFIDENTIAL)
    testimony = make_testimony(
        (SegmentKind.QUESTION, "Where were you held?"),
        (SegmentKind.FIRST_PERSON, "They held me in the cell of Hossein Secretname for a month."),
        speaker=speaker, public_id="T-7010", title="A protected witness",
    )
    segment = testimony.segments[1]
    start = segment.text.index("Hossein Secretname")
    session.add(Redaction(segment=segment, start=start, end=start + len("Hossein Secretname"),
                          reason="names a living person", access_level=AccessLevel.CONFIDENTIAL))
    session.flush()
    printed = {}
    for name, viewer in (("public", PUBLIC), ("archivist", ARCHIVIST)):
        document = transcripts.testimony_transcript(session, viewer, "T-7010", OPTIONS, base_url=BASE, printed=PRINTED)
        printed[name] = "\n".join(pages_of(pdf_of(document)))
    assert "Secretname" not in printed["public"] and "Realname" not in printed["public"]
    assert "[redacted]" in printed["public"] and "Witness K" in printed["public"]
    assert "Hossein Secretname" in printed["archivist"] and "Maryam Realname" in printed["archivist"]
    assert "Printed for: archivist (confidential) access" in printed["archivist"]


def test_persian_text_round_trips(session, make_testimony, artifacts, backend):
    words = "من در زندان اوین بودم و شب‌ها صدای تیرباران را می‌شنیدم."
    make_testimony(
        {"kind": SegmentKind.FIRST_PERSON, "text": words, "language": "fa", "direction": "rtl",
         "translation": "I was in Evin prison and at night I heard the firing squads.", "translation_language": "en"},
        public_id="T-7020", title="گواهی به فارسی", language="fa",
    )
    document = transcripts.testimony_transcript(session, PUBLIC, "T-7020", OPTIONS, base_url=BASE, printed=PRINTED)
    data = pdf_of(document)
    save_pngs(data, artifacts, f"transcript-persian-{backend}")
    text = without_marks(pdftotext(data))
    # Words come back in logical order (poppler reads right-to-left lines as such). A zero-width
    # non-joiner draws no glyph of its own and the full stop of a right-to-left line is extracted
    # at its visual end, so both are left out of the comparison.
    assert without_marks(words).rstrip(".") in text
    assert "من در زندان اوین بودم" in text
    assert "گواهی به فارسی" in text
    assert "I was in Evin prison" in text


def _drop_text(data: bytes, page_number: int, match: str) -> bytes:
    """The PDF with one run of body text removed from a page; its footer hash is left as it was."""
    reader = PdfReader(BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[page_number]
    content = ContentStream(page.get_contents(), writer)
    shows = [i for i, (_, operator) in enumerate(content.operations) if operator in (b"TJ", b"Tj")]
    # The middle of the page: body text, not the running header or footer.
    del content.operations[shows[len(shows) // 2]]
    page[NameObject("/Contents")] = writer._add_object(content)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verify_transcript_matches_and_detects_alteration(seeded, runner, tmp_path):
    document = t0012(seeded)
    data = pdf_of(document)
    untouched = tmp_path / "T-0012.pdf"
    untouched.write_bytes(data)
    result = runner.invoke(main, ["verify-transcript", str(untouched)])
    assert result.exit_code == 0, result.output
    assert "MATCHES" in result.output and document.content_sha256 in result.output

    altered = tmp_path / "T-0012-altered.pdf"
    altered.write_bytes(_drop_text(data, 1, ""))
    assert document.content_sha256 in "\n".join(pages_of(altered.read_bytes())), "footer hash left intact"
    result = runner.invoke(main, ["verify-transcript", str(altered)])
    assert result.exit_code == 1
    assert "DOES NOT MATCH" in result.output and "Text on page 2 differs" in result.output

    foreign = tmp_path / "other.pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    with foreign.open("wb") as out:
        writer.write(out)
    result = runner.invoke(main, ["verify-transcript", str(foreign)])
    assert result.exit_code == 1 and "not printed by the Testimony Catalog" in result.output


def test_long_transcript_reads_as_one(session, make_testimony):
    """Every page of a long PDF carries its running header and footer; passages keep their order."""
    sentence = "They read the names from a list and those who were called did not come back. "
    make_testimony(
        *[(SegmentKind.QUESTION if n % 4 == 0 else SegmentKind.FIRST_PERSON, f"Passage {n}. " + sentence * 6) for n in range(1, 41)],
        public_id="T-7030", title="A long interview",
    )
    document = transcripts.testimony_transcript(session, PUBLIC, "T-7030", OPTIONS, base_url=BASE, printed=PRINTED)
    data = transcripts.render_pdf(document)
    pages = pages_of(data)
    total = len(pages)
    assert total > 3
    for number, page in enumerate(pages, start=1):
        assert re.findall(r"page \d+ of \d+", page) == [f"page {number} of {total}"]
        assert "T-7030 · A long interview" in page and f"SHA-256 {document.content_sha256}" in page
    text = "\n".join(pages)
    positions = [text.index(f"Passage {n}.") for n in range(1, 41)]
    assert positions == sorted(positions)
    assert text.count("HOW TO CHECK THIS TRANSCRIPT") == 1 and "CATALOG ID" in pages[0]
    reader = PdfReader(BytesIO(data))
    assert reader.metadata["/Subject"] == "T-7030" and reader.metadata["/CatalogKey"] == "T-7030"
    # The same pages every time, so a re-print for verification reads exactly the same.
    assert pages_of(transcripts.render_pdf(document)) == pages


# --- the PDF and the print view carry the same words --------------------------------------------


class _VisibleText(HTMLParser):
    """The words a browser prints from the print view: the page's body, without the screen's
    claim notes (the PDF prints them as footnotes, compared apart) and without hidden elements."""

    SKIPPED = {"fn", "endnotes", "toolbar"}
    #: Inline boxes the stylesheet sets apart (a paragraph number in its own box), so a word ends there.
    BOXED = {"num"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth_skipped = 0
        self.stack: list[bool] = []
        self.boxed: list[int] = []
        self.in_body = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag in ("br", "meta", "link"):
            self.parts.append(" ")
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = bool(self.SKIPPED & classes)
        self.stack.append(skipped)
        self.depth_skipped += skipped
        if tag in ("span",) and self.BOXED & classes:
            self.boxed.append(len(self.stack))
            self.parts.append(" ")
        if tag in ("p", "div", "li", "tr", "td", "th", "h1", "h2", "section", "header", "blockquote", "table"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.boxed and self.boxed[-1] == len(self.stack):
            self.boxed.pop()
            self.parts.append(" ")
        if self.stack:
            self.depth_skipped -= self.stack.pop()
        self.parts.append(" " if tag in ("p", "div", "li", "td", "th", "h1", "h2") else "")

    def handle_data(self, data):
        if self.in_body and not self.depth_skipped:
            self.parts.append(data)


def words(text: str) -> list[str]:
    # Hyphens inside a word are dropped: poppler joins "Pour-" at a line's end to the next line's
    # "Mohammadi" as one word.
    return re.findall(r"\w+", re.sub(r"(?<=\w)-\n?(?=\w)", "", without_marks(text)).casefold())


def html_words(document) -> list[str]:
    parser = _VisibleText()
    parser.feed(transcripts.render_html(document, static_url="/static/", for_pdf=False))
    return words("".join(parser.parts))


def pdf_words(document, data: bytes) -> list[str]:
    """The PDF's words without each page's running header and footer (checked as they are cut
    off), the contents' page numbers, and the claim footnotes, each of which must be found."""
    body = []
    pages = in_drawing_order(data).split("\f")[:-1]
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert " · " in lines[0] and lines[0].endswith(f" Printed for {document.viewer_label} access"), lines[0]
        assert lines[-1] == f"page {number} of {len(pages)}"
        assert lines[-2] == f"SHA-256 {document.content_sha256}" and " · printed " in lines[-3]
        assert lines[-4].startswith(BASE)
        body.append("\n".join(lines[1:-4]))
    text = re.sub(r"(?:\. ?){3,}\s*\d+", " ", "\n".join(body))  # contents: leaders and page numbers
    found = words(text)
    for part in document.parts:
        for note in part.notes:
            expected = words(f"{note.number}{note.text} {' '.join(note.corroboration)}")
            at = next((i for i in range(len(found)) if found[i : i + len(expected)] == expected), None)
            assert at is not None, f"footnote {note.number} of {part.catalog_id} is printed"
            del found[at : at + len(expected)]
    return found


def _mixed_testimony(make_testimony, make_agent, session):
    """Persian right-to-left words with a translation, a redaction, every kind of passage."""
    testimony = make_testimony(
        (SegmentKind.QUESTION, "Where were you held, and by whom?"),
        {"kind": SegmentKind.FIRST_PERSON, "text": "من در زندان اوین بودم و شب‌ها صدای تیرباران را می‌شنیدم.",
         "language": "fa", "direction": "rtl",
         "translation": "I was in Evin prison and at night I heard the firing squads.", "translation_language": "en"},
        (SegmentKind.FIRST_PERSON, "The guard Hossein Secretname read the list every night."),
        (SegmentKind.REPORTED, "Her brother told the committee she was moved in August."),
        (SegmentKind.EDITORIAL, "The archive holds a second interview, recorded in 2019."),
        public_id="T-7040", title="Evin, 1988: a witness in Persian", language="fa",
        summary_html="<p>Interview <strong>in Persian</strong>, with <em>a translation</em>.</p><ul><li>first</li><li>second</li></ul>",
    )
    segment = testimony.segments[2]
    start = segment.text.index("Hossein Secretname")
    session.add(Redaction(segment=segment, start=start, end=start + len("Hossein Secretname"),
                          reason="names a living person", access_level=AccessLevel.CONFIDENTIAL))
    session.flush()


@pytest.mark.parametrize("translation", ["after", "beside"])
def test_pdf_and_print_view_carry_the_same_words(session, seeded, make_testimony, make_agent, translation):
    """Seed transcripts (framing, claims, a source as published, a selection) and a Persian
    testimony with a translation and a redaction: the same words in the same order."""
    _mixed_testimony(make_testimony, make_agent, session)
    options = transcripts.PrintOptions(translation=translation)
    documents = [
        transcripts.testimony_transcript(session, PUBLIC, "T-0012", options, base_url=BASE, printed=PRINTED),
        transcripts.testimony_transcript(session, PUBLIC, "T-7040", options, base_url=BASE, printed=PRINTED),
        transcripts.source_transcript(session, PUBLIC, "article", options, base_url=BASE, printed=PRINTED),
        transcripts.selection_transcript(session, PUBLIC, ("T-0012", "T-7040", "T-0009"), options,
                                         title="Three accounts", base_url=BASE, printed=PRINTED),
    ]
    for document in documents:
        expected, found = html_words(document), pdf_words(document, pdf_of(document))
        assert found == expected, (document.key, _first_difference(expected, found))
    persian = html_words(documents[1])
    assert "redacted" in persian and "secretname" not in persian and "تیرباران" in persian
    assert "in" in persian and "persian" in persian and "second" in persian, "the summary's rich text"


def _first_difference(expected: list[str], found: list[str]) -> str:
    at = next((i for i, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
    return f"at word {at}: print view {expected[at - 5 : at + 8]} / PDF {found[at - 5 : at + 8]}"


def test_record_text_is_printed_as_text_never_as_typst_markup(session, make_testimony, make_agent):
    """Titles, names and words that look like Typst code print exactly as typed."""
    tricky = '#import "@preview/x:0.1.0": * $x^2$ *bold* _it_ <label> @ref #read("/etc/passwd") \\ ] [ } {'
    make_testimony(
        (SegmentKind.FIRST_PERSON, tricky), (SegmentKind.EDITORIAL, "= Heading? - list? + enum?"),
        speaker=make_agent("#set page(width: 1pt)"), public_id="T-7050", title='#let x = "y"; `raw`',
        summary_html='<p><a href="https://example.org/#x">#link</a> and <b>#strong[x]</b></p>',
    )
    document = transcripts.testimony_transcript(session, PUBLIC, "T-7050", OPTIONS, base_url=BASE, printed=PRINTED)
    text = " ".join(pdftotext(pdf_of(document)).split())
    assert " ".join(tricky.split()) in text
    assert "= Heading? - list? + enum?" in text and "#set page(width: 1pt)" in text
    assert '#let x = "y"; `raw`' in text and "#link and #strong[x]" in text
    assert "root:" not in text


def test_pdf_uses_only_the_shipped_fonts(seeded):
    """Typst sees the fonts in static/fonts and nothing else (no system or built-in fonts)."""
    data = pdf_of(t0012(seeded))
    listing = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    names = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert names and all(name.startswith(("SourceSerif4", "Vazirmatn")) for name in names), names


def test_rich_text_tree_keeps_only_the_sanitizers_elements():
    tree = typeset.rich_text_tree('<p>A <b>bold</b> <a href="javascript:alert(1)">link</a><script>x</script></p>')
    assert tree == {"tag": "root", "href": None, "children": [
        {"tag": "p", "href": None, "children": ["A ", {"tag": "b", "href": None, "children": ["bold"]}, " ",
                                                {"tag": "a", "href": None, "children": ["link"]}, "x"]},
    ]}
    assert typeset.rich_text_tree("") is None


def test_print_and_pdf_carry_the_dated_corroboration_history(session, make_testimony, runner, tmp_path):
    from catalog.services.actors import Actor
    from catalog.services.write import workflow

    testimony = make_testimony((SegmentKind.FIRST_PERSON, "We were moved at night."), title="Moved at night")
    archivist = Actor("parisa (archivist)")
    workflow.change_corroboration(session, testimony, "partially_corroborated", "One prison memoir agrees.", archivist)
    workflow.change_corroboration(session, testimony, "contested", "A guard's account disputes the date.", archivist)
    session.commit()
    document = transcripts.testimony_transcript(session, PUBLIC, testimony.public_id, OPTIONS, base_url=BASE,
                                                printed=PRINTED)
    html = transcripts.render_html(document, static_url="/static/", for_pdf=False)
    text = " ".join("\n".join(pages_of(transcripts.render_pdf(document))).split())
    for printed in (html, text):
        assert "History of this status" in printed
        assert "partially corroborated — One prison memoir agrees." in printed
        assert "contested — A guard" in printed
        assert "parisa" not in printed  # readers learn what changed and why, not which archivist
    history = text[text.index("History of this status"):]
    assert history.index("One prison memoir agrees.") < history.index("contested — A guard")
    # A PDF carrying the history still verifies against the catalog.
    pdf = tmp_path / "history.pdf"
    pdf.write_bytes(transcripts.render_pdf(document))
    result = runner.invoke(main, ["verify-transcript", str(pdf)])
    assert result.exit_code == 0, result.output


def test_a_staff_print_marks_the_redacted_words(session, make_testimony):
    testimony = make_testimony((SegmentKind.FIRST_PERSON, "The guard Hamid took us to Gohardasht."), public_id="T-0840")
    segment = testimony.segments[0]
    start = segment.text.index("Hamid")
    segment.redactions.append(Redaction(start=start, end=start + 5, access_level=AccessLevel.CONFIDENTIAL))
    session.commit()
    archivist = transcripts.testimony_transcript(session, ARCHIVIST, "T-0840", OPTIONS, base_url=BASE, printed=PRINTED)
    html = transcripts.render_html(archivist, static_url="/static/", for_pdf=False)
    assert re.search(r'<mark class="redacted-seen" title="Redacted for readers below confidential access">Hamid</mark>', html)
    assert "underlined with a dashed rule" in html
    pdf = " ".join(" ".join(pages_of(transcripts.render_pdf(archivist))).split())
    assert "Hamid" in pdf and "underlined with a dashed rule" in pdf
    public = transcripts.testimony_transcript(session, PUBLIC, "T-0840", OPTIONS, base_url=BASE, printed=PRINTED)
    html = transcripts.render_html(public, static_url="/static/", for_pdf=False)
    assert "Hamid" not in html and "redacted-seen" not in html and "dashed rule" not in html
