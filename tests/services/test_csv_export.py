"""CSV downloads: every row cut for its viewer through the read layer, read in batches, formula
cells escaped, and an archivist's passage download importable as it was written."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from sqlalchemy import select

from catalog import queries
from catalog.models import AccessLevel, PublicationState, Redaction, Role, SegmentKind, Testimony
from catalog.queries import downloads
from catalog.services import csv_export
from catalog.services import search as search_service
from catalog.services.actors import Actor
from catalog.services.imports import run_import
from catalog.services.imports.csv_format import COLUMNS as IMPORT_COLUMNS
from catalog.services.imports.csv_format import escape_cell, unescape_cell
from catalog.viewer import Viewer

PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)
ARCHIVIST = Viewer(role=Role.ARCHIVIST)
VIEWERS = (PUBLIC, RESEARCHER, ARCHIVIST)
LINKS = csv_export.Links(testimony=lambda public_id: f"https://catalog.example/t/{public_id}",
                         source=lambda key: f"https://catalog.example/sources/{key}")


def read_csv(chunks) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))


def download(session, viewer, rows="passages", filters=(), sort="id") -> list[dict[str, str]]:
    ids = search_service.browse_ids(session, viewer, list(filters), sort)
    lines = csv_export.testimonies_lines(session, viewer, ids, rows, LINKS)
    return read_csv(csv_export.encode(csv_export.columns_for(rows), lines))


def all_ids(session) -> list[int]:
    return list(session.scalars(select(Testimony.id).order_by(Testimony.public_id)))


# --- the rows are the record pages' records ---------------------------------------------------


def test_rows_hold_what_each_viewers_record_page_holds(seeded):
    session = seeded.session()
    try:
        ids = all_ids(session)
        for viewer in VIEWERS:
            rows = list(queries.testimony_rows(session, viewer, ids, passages=True))
            expected = [r for r in (queries.get_testimony(session, viewer, t.public_id) for t in
                                    session.scalars(select(Testimony).order_by(Testimony.public_id))) if r]
            assert [row.public_id for row in rows] == [r.public_id for r in expected]
            for row, record in zip(rows, expected):
                assert row.title == record.title and row.occasion == record.occasion and row.source == record.source
                assert row.speakers == tuple(role.agent for role in record.speakers)
                assert row.revision == record.revision and row.passage_count == len(record.segments)
                # Claims are not part of a download's passages; all else is the page's segment.
                assert row.segments == tuple(dataclasses.replace(s, claim_keys=()) for s in record.segments)
    finally:
        session.close()


@pytest.fixture
def secrets(session, make_agent, make_testimony):
    """Hidden words in every way a testimony can hide them, and a protected speaker."""
    protected = make_agent("Parvaneh Realname", key="parvaneh", is_protected=True, public_pseudonym="Witness P")
    shown = make_testimony(
        (SegmentKind.FIRST_PERSON, "The zebracorn walked through the ward."),
        (SegmentKind.FIRST_PERSON, "The guard Hamid Quagga beat me."),
        {"kind": SegmentKind.FIRST_PERSON, "text": "A confidential okapiword.", "access_level": AccessLevel.CONFIDENTIAL},
        speaker=protected, public_id="T-0501", summary_html="<p>Told <em>twice</em> &amp; recorded.</p>",
    )
    second = shown.segments[1]
    start = second.text.index("Hamid Quagga")
    second.redactions.append(Redaction(start=start, end=start + len("Hamid Quagga"), reason="a name",
                                       access_level=AccessLevel.RESTRICTED))
    second.translation, second.translation_language = "Translated Quagga words", "fa"
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted zebracorn words."), public_id="T-0502", access=AccessLevel.RESTRICTED)
    make_testimony((SegmentKind.FIRST_PERSON, "Draft zebracorn words."), public_id="T-0503", state=PublicationState.DRAFT)
    session.flush()
    return session


def test_public_download_holds_nothing_the_public_may_not_see(secrets):
    for rows in ("passages", "testimonies"):
        text = json.dumps(download(secrets, PUBLIC, rows))
        for hidden in ("Realname", "parvaneh", "Quagga", "okapiword", "T-0502", "T-0503", "a name"):
            assert hidden not in text, (rows, hidden)
    passages = download(secrets, PUBLIC)
    assert [p["segment_text"] for p in passages] == ["The zebracorn walked through the ward.",
                                                     "The guard [redacted] beat me."]
    assert {p["speaker_name"] for p in passages} == {"Witness P"}
    assert passages[1]["translation"] == "" and passages[1]["redactions"] == ""
    assert passages[1]["permalink"] == "https://catalog.example/t/T-0501#p2"
    [testimony] = download(secrets, PUBLIC, "testimonies")
    assert testimony["speakers"] == "Witness P" and testimony["speaker_keys"].startswith("protected-")
    assert testimony["summary"] == "Told twice & recorded." and testimony["passages"] == "2"


def test_signed_in_readers_get_what_their_pages_show(secrets):
    researcher = download(secrets, RESEARCHER)
    assert [p["testimony"] for p in researcher] == ["T-0501", "T-0501", "T-0502"]
    assert researcher[1]["segment_text"] == "The guard Hamid Quagga beat me."
    assert researcher[1]["translation"] == "Translated Quagga words"
    archivist = download(secrets, ARCHIVIST)
    assert [p["testimony"] for p in archivist] == ["T-0501"] * 3 + ["T-0502", "T-0503"]
    assert archivist[0]["speaker"] == "parvaneh" and archivist[0]["speaker_name"] == "Parvaneh Realname"
    assert json.loads(archivist[1]["redactions"]) == [
        {"start": 10, "end": 22, "reason": "a name", "access_level": "restricted"}]
    assert archivist[4]["publication_state"] == "draft"


def test_browse_download_follows_the_filters_and_the_sort(seeded):
    session = seeded.session()
    try:
        survivors = download(session, PUBLIC, "testimonies", filters=[("kind", "survivor")], sort="title")
        assert {t["account_kind"] for t in survivors} == {"survivor"} and len(survivors) == 3
        assert [t["title"] for t in survivors] == sorted(t["title"] for t in survivors)
        assert len(download(session, PUBLIC, "testimonies")) == 13
    finally:
        session.close()


def test_a_large_download_is_read_in_batches_in_order(session, make_testimony, monkeypatch, sql_log):
    made = [make_testimony(*[(SegmentKind.FIRST_PERSON, f"Words {n}.{k}") for k in range(1, 1 + n % 4)],
                           public_id=f"T-{7000 + n}") for n in range(1, 24)]
    monkeypatch.setattr(downloads, "BATCH", 5)
    monkeypatch.setattr(downloads, "PASSAGES_AT_ONCE", 4)
    ids = [t.id for t in reversed(made)]
    with sql_log() as statements:
        rows = list(queries.testimony_rows(session, PUBLIC, ids, passages=True))
    assert [r.public_id for r in rows] == [t.public_id for t in reversed(made)]
    assert [[s.text for s in r.segments] for r in rows] == [[s.text for s in t.segments] for t in reversed(made)]
    # A few statements per batch of 5, never one per testimony; no batch reads a whole table.
    assert len(statements) < 23 * 3
    assert not [s for s in statements if "FROM segments" in s and "WHERE" not in s]


# --- search downloads -----------------------------------------------------------------------


def search_download(session, viewer, text, rows):
    lines = csv_export.search_lines(session, viewer, text, "all", [], rows, LINKS)
    return read_csv(csv_export.encode(csv_export.columns_for(rows), lines))


def test_search_download_holds_every_hit_the_viewer_may_read(secrets, monkeypatch):
    monkeypatch.setattr(search_service, "HIT_BATCH", 1)
    assert [p["testimony"] for p in search_download(secrets, PUBLIC, "zebracorn", "passages")] == ["T-0501"]
    assert [p["id"] for p in search_download(secrets, ARCHIVIST, "zebracorn", "testimonies")] == [
        "T-0501", "T-0502", "T-0503"]
    assert search_download(secrets, PUBLIC, "Quagga", "passages") == []
    assert search_download(secrets, RESEARCHER, "Quagga", "passages")[0]["segment_text"] == "The guard Hamid Quagga beat me."


def test_search_download_lists_a_sources_own_framing_and_each_testimony_once(seeded):
    session = seeded.session()
    try:
        passages = search_download(session, PUBLIC, "prisoners", "passages")
        testimonies = search_download(session, PUBLIC, "prisoners", "testimonies")
        framing = [p for p in passages if not p["testimony"]]
        assert framing and all(p["source"] and p["permalink"].startswith(LINKS.source("")) for p in framing)
        in_testimonies = list(dict.fromkeys(p["testimony"] for p in passages if p["testimony"]))
        assert [t["id"] for t in testimonies] == in_testimonies
        total = search_service.search(session, PUBLIC, "prisoners").total
        assert len(passages) == total
    finally:
        session.close()


def test_a_query_that_cannot_run_is_refused_before_anything_is_read(session):
    with pytest.raises(search_service.QueryError):
        csv_export.search_lines(session, PUBLIC, '-only -operators', "all", [], "passages", LINKS)


# --- cells ----------------------------------------------------------------------------------

FORMULA_CELLS = ["=HYPERLINK(\"http://x\")", "+1", "-2 days", "@SUM(A1)", "\tTabbed", "\rReturn",
                 "'=quoted already", "''+twice", "'plain quote", "plain", "", "a=b", "'", "—dash"]


@pytest.mark.parametrize("cell", FORMULA_CELLS)
def test_escape_is_undone_exactly_by_unescape(cell):
    escaped = escape_cell(cell)
    assert unescape_cell(escaped) == cell
    assert not escaped[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert (escaped != cell) == (cell.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"))


def test_written_cells_are_escaped_and_the_file_may_carry_a_bom():
    chunks = list(csv_export.encode(["a", "b"], [["=1+1", "-x"], ["plain", None]], bom=True))
    raw = b"".join(chunks).decode("utf-8")
    assert raw.startswith("\ufeffa,b\r\n")
    assert raw.splitlines()[1:] == ["'=1+1,'-x", "plain,"]
    assert not b"".join(csv_export.encode(["a"], [])).startswith("\ufeff".encode())


def test_passage_rows_have_the_import_columns_then_the_permalink():
    assert list(csv_export.PASSAGE_COLUMNS)[: len(IMPORT_COLUMNS)] == list(IMPORT_COLUMNS)
    assert list(csv_export.PASSAGE_COLUMNS)[len(IMPORT_COLUMNS):] == ["permalink"]


def test_an_archivists_passage_download_imports_as_it_was(session, make_agent, make_testimony):
    speaker = make_agent("Amina Speaker", key="amina-speaker")
    original = make_testimony(
        (SegmentKind.FIRST_PERSON, "=IMPORTXML(\"http://evil\") is what they typed."),
        (SegmentKind.FIRST_PERSON, "- They took us at night, and @ dawn."),
        (SegmentKind.EDITORIAL, "'=A quoted formula, kept as written."),
        (SegmentKind.FIRST_PERSON, "+98 was the number; the guard was Hamid Quagga."),
        speaker=speaker, public_id="T-0601", title="-Minus title", events_date_edtf="1988~",
    )
    original.segments[2].author = speaker
    last = original.segments[3]
    last.number = 9
    last.redactions.append(Redaction(start=last.text.index("Hamid"), end=len(last.text) - 1, reason="a name",
                                     access_level=AccessLevel.RESTRICTED))
    session.flush()
    raw = b"".join(csv_export.encode(csv_export.columns_for("passages"),
                                     csv_export.testimonies_lines(session, ARCHIVIST, [original.id], "passages", LINKS)))
    cells = read_csv([raw])
    assert [c["segment_text"][:3] for c in cells] == ["'=I", "'- ", "''=", "'+9"]
    assert cells[0]["title"] == "'-Minus title"
    # The same rows under another identifier, imported as a new testimony.
    result = run_import(session, raw.replace(b"T-0601", b"T-0602"), Actor.system("csv test"), filename="export.csv")
    assert result.ok, result.problems
    copy = session.scalar(select(Testimony).where(Testimony.public_id == "T-0602"))
    assert copy.title == "-Minus title" and copy.events_date_edtf == "1988~"
    assert [(s.kind, s.text, s.number) for s in copy.segments] == [(s.kind, s.text, s.number) for s in original.segments]
    assert [(r.start, r.end, r.reason, r.access_level) for r in copy.segments[3].redactions] == [
        (r.start, r.end, r.reason, r.access_level) for r in last.redactions]
    assert copy.segments[2].author.key == "amina-speaker"


def test_a_redactions_cell_that_is_not_json_is_named(session):
    header = "testimony,title,speaker,speaker_name,segment_kind,segment_text,redactions,permalink\n"
    raw = header + "T-0701,Title,new-one,New One,first_person,Words here.,[{start: 1},http://x/t/T-0701\n"
    result = run_import(session, raw.encode(), Actor.system("csv test"), filename="x.csv")
    assert any(p.startswith("row 2, redactions: not a JSON list") for p in result.problems), result.problems


def test_readme_documents_every_testimony_column():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for column in csv_export.TESTIMONY_COLUMNS:
        assert f"| `{column}` |" in readme, column
