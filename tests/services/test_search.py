"""The search service on both engines: query syntax, folding, alternate names, scope, facets and
visibility — the same answers from SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import pytest

from catalog.models import AccessLevel, Agent, NameKind, AgentName, PublicationState, Redaction, Role, SegmentKind
from catalog.services import search as search_service
from catalog.services.search import QueryError
from catalog.services.search.normalise import fold, tokens
from catalog.services.search.query import parse
from catalog.viewer import Viewer

PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)
ARCHIVIST = Viewer(role=Role.ARCHIVIST)


def found(session, text, viewer=PUBLIC, **options) -> set[str]:
    results = search_service.search(session, viewer, text, page_size=500, **options)
    return {g.testimony.public_id if g.testimony else f"source:{g.source.key}" for g in results.groups}


# --- normalisation and parsing (no database) ------------------------------------------------


@pytest.mark.parametrize(
    "left,right",
    [
        ("Garcés", "Garces"),
        ("GARCÉS", "garces"),
        ("ﬁle", "file"),  # NFKC
        ("علي", "علی"),  # Arabic yeh / Persian yeh
        ("كتاب", "کتاب"),  # Arabic kaf / Persian keheh
        ("مدرسة", "مدرسه"),  # teh marbuta / heh
        ("مـــرگ", "مرگ"),  # tatweel
        ("مَرْگ", "مرگ"),  # harakat
        ("می‌خواهم", "میخواهم"),  # ZWNJ
        ("۱۳۶۷", "1367"),  # Persian digits
    ],
)
def test_folding_makes_variants_equal(left, right):
    assert tokens(left) == tokens(right)


def test_tokens_split_on_punctuation():
    assert tokens("Pour-Mohammadi, (MEK)") == ["pour", "mohammadi", "mek"]
    assert fold("Évin") == "evin"


def test_query_syntax():
    query = parse('massacre "death committees" -Khavaran execut*')
    kinds = [(t.typed, t.negated, t.alternatives[0].prefix, t.alternatives[0].tokens) for t in query.terms]
    assert kinds == [
        ("massacre", False, False, ("massacre",)),
        ('"death committees"', False, False, ("death", "committees")),
        ("Khavaran", True, False, ("khavaran",)),
        ("execut*", False, True, ("execut",)),
    ]


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "Type a word"),
        ('" " - * -', "no words"),
        ("-MEK -Evin", "only says what to leave out"),
        ("x" * 10_000, "10,000 characters"),
        ("Evin\x07prison", "control"),
        ("Evin\u202eprison", "control"),
        ("e*", "too short"),
        (" ".join(f"w{i}" for i in range(30)), "at most"),
    ],
)
def test_bad_queries_get_a_message(text, message):
    with pytest.raises(QueryError, match=message):
        parse(text)


def test_unbalanced_quote_is_read_to_the_end_with_a_note():
    query = parse('"death committees')
    assert query.terms[0].alternatives[0].tokens == ("death", "committees")
    assert "quotation mark" in query.notes[0]


# --- on both engines ------------------------------------------------------------------------


@pytest.fixture
def catalog(seeded):
    with seeded.session() as session:
        yield session


def test_words_phrases_exclusion_prefix(catalog):
    assert found(catalog, "Garcés") == {"T-0010"}
    assert found(catalog, "Garces") == {"T-0010"}
    assert found(catalog, "garc*") == {"T-0010"}
    assert "source:article" in found(catalog, '"death committees"')
    assert found(catalog, '"committees death"') == set()
    with_mek = found(catalog, "hanged")
    assert "T-0002" in with_mek
    assert "T-0002" not in found(catalog, "hanged -MEK")


def test_hit_count_counts_passages(catalog):
    results = search_service.search(catalog, PUBLIC, "Garcés")
    assert results.total == sum(len(g.snippets) for g in results.groups) == 2
    assert results.exact and results.records == 1 and results.ranked


def test_alternate_names_expand_the_search(catalog):
    # The article names "Ebrahim Raissi"; the agent's preferred spelling is Raisi.
    assert "source:article" in found(catalog, "Raisi")
    results = search_service.search(catalog, PUBLIC, "Monafeqin")
    assert "MEK" in results.also_searched
    assert {"T-0002", "T-0012"} <= found(catalog, "Monafeqin")
    # The Persian name of Iran finds the English word, through the place's names.
    assert "T-0001" in found(catalog, "ایران")


def test_scope_keeps_words_and_framing_apart(catalog):
    # "Garcés" occurs only in framing ("Mr. Garcés continued."), never in his own words.
    assert found(catalog, "Garcés", scope="first_person") == set()
    assert found(catalog, "Garcés", scope="editorial") == {"T-0010"}
    results = search_service.search(catalog, PUBLIC, "prisoners", scope="first_person")
    kinds = {s.kind for g in results.groups for s in g.snippets}
    assert kinds == {SegmentKind.FIRST_PERSON}
    framing = search_service.search(catalog, PUBLIC, "prisoners", scope="editorial")
    assert SegmentKind.FIRST_PERSON not in {s.kind for g in framing.groups for s in g.snippets}
    everything = search_service.search(catalog, PUBLIC, "prisoners")
    assert everything.total == results.total + framing.total


def test_snippets_highlight_the_match_in_the_original_spelling(catalog):
    results = search_service.search(catalog, PUBLIC, "garces")
    pieces = results.groups[0].snippets[0].pieces
    assert ("Garcés", True) in pieces


def test_facets_apply_to_search_results(catalog):
    results = search_service.search(catalog, PUBLIC, "prisoners")
    kinds = {v.value: v.count for f in results.facets if f.name == "kind" for v in f.values}
    assert kinds and all(count >= 1 for count in kinds.values())
    survivor = search_service.search(catalog, PUBLIC, "prisoners", filters=[("kind", "survivor")])
    assert survivor.total < results.total
    assert {g.testimony.account_kind for g in survivor.groups} == {"survivor"}
    assert survivor.records == kinds["survivor"]


@pytest.fixture
def secrets(session, make_agent, make_testimony):
    """Hidden words in every way a testimony can hide them, and a protected person with names."""
    protected = make_agent("Parvaneh Realname", key="parvaneh", is_protected=True, public_pseudonym="Witness P")
    protected.names.append(AgentName(name="Parvi Nickname", kind=NameKind.SPELLING_VARIANT))
    open_one = make_testimony(
        (SegmentKind.FIRST_PERSON, "The zebracorn walked through the ward."),
        (SegmentKind.FIRST_PERSON, "The guard Hamid Quagga beat me."),
        {"kind": SegmentKind.FIRST_PERSON, "text": "A confidential okapiword.", "access_level": AccessLevel.CONFIDENTIAL},
        speaker=protected, public_id="T-0501",
    )
    second = open_one.segments[1]
    start = second.text.index("Hamid Quagga")
    second.redactions.append(Redaction(start=start, end=start + len("Hamid Quagga"), access_level=AccessLevel.RESTRICTED))
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted zebracorn words."), public_id="T-0502", access=AccessLevel.RESTRICTED)
    make_testimony((SegmentKind.FIRST_PERSON, "Draft zebracorn words."), public_id="T-0503", state=PublicationState.DRAFT)
    make_testimony((SegmentKind.FIRST_PERSON, "Parvaneh Realname told us about the zebracorn."), public_id="T-0504")
    session.flush()
    return session


def test_search_never_shows_or_counts_what_the_viewer_may_not_see(secrets):
    assert found(secrets, "zebracorn") == {"T-0501", "T-0504"}
    assert search_service.search(secrets, PUBLIC, "zebracorn").total == 2
    assert found(secrets, "zebracorn", RESEARCHER) == {"T-0501", "T-0502", "T-0504"}
    assert found(secrets, "zebracorn", ARCHIVIST) == {"T-0501", "T-0502", "T-0503", "T-0504"}
    assert found(secrets, "okapiword") == set() and found(secrets, "okapiword", RESEARCHER) == set()
    assert found(secrets, "okapiword", ARCHIVIST) == {"T-0501"}
    # The redacted span is not indexed for the public, but is for researchers.
    assert found(secrets, "Quagga") == set()
    assert found(secrets, '"guard Hamid"') == set()
    assert found(secrets, "Quagga", RESEARCHER) == {"T-0501"}
    public_snippets = search_service.search(secrets, PUBLIC, "guard")
    text = "".join(p for g in public_snippets.groups for s in g.snippets for p, _ in s.pieces)
    assert "Quagga" not in text and "[redacted]" in text


def test_protected_names_never_widen_a_search_for_the_public(secrets):
    # A nickname finds nothing for the public: it is not expanded to the real name.
    public = search_service.search(secrets, PUBLIC, "Nickname")
    assert public.total == 0 and public.also_searched == ()
    # The real name occurs only as literal text in T-0504; it never leads to the protected speaker's T-0501.
    assert found(secrets, "Realname") == {"T-0504"}
    assert "Parvaneh Realname" not in search_service.search(secrets, PUBLIC, "Parvi").also_searched
    archivist = search_service.search(secrets, ARCHIVIST, '"Parvi Nickname"')
    assert "Parvaneh Realname" in archivist.also_searched


def test_facet_counts_never_count_hidden_records(secrets):
    results = search_service.search(secrets, PUBLIC, "zebracorn")
    for facet in results.facets:
        assert sum(v.count for v in facet.values if facet.name in ("kind", "status")) <= 2


def test_index_follows_orm_edits(secrets):
    from sqlalchemy import select

    from catalog.models import Testimony

    testimony = secrets.scalar(select(Testimony).where(Testimony.public_id == "T-0504"))
    testimony.publication_state = PublicationState.WITHDRAWN
    secrets.flush()
    assert found(secrets, "zebracorn") == {"T-0501"}
    testimony.publication_state = PublicationState.PUBLISHED
    testimony.segments[0].text = "Now about a unicornfish."
    secrets.flush()
    assert found(secrets, "unicornfish") == {"T-0504"}
    assert found(secrets, "zebracorn") == {"T-0501"}
    secrets.delete(testimony)
    secrets.flush()
    assert found(secrets, "unicornfish") == set()


def test_reindex_rebuilds_the_same_index(secrets):
    from catalog.services.search.indexing import reindex_all

    before = {q: found(secrets, q, viewer) for q in ("zebracorn", "Quagga", "okapiword") for viewer in (PUBLIC, ARCHIVIST)}
    report = reindex_all(secrets.connection())
    assert report.segments >= 6
    after = {q: found(secrets, q, viewer) for q in ("zebracorn", "Quagga", "okapiword") for viewer in (PUBLIC, ARCHIVIST)}
    assert before == after


def test_bulk_core_insert_then_reindex(db):
    """Base rows inserted with Core (no ORM events) are searchable after a reindex."""
    from sqlalchemy import insert

    from catalog.models import Segment, Testimony
    from catalog.services.search.indexing import reindex_all

    with db.writing() as session:
        session.execute(insert(Testimony), [{"id": 7001, "public_id": "T-7001", "title": "Bulk", "account_kind": "survivor",
                                             "publication_state": "published", "access_level": "public", "language": "fa"}])
        session.execute(insert(Segment), [{"testimony_id": 7001, "position": 1, "number": 1, "kind": "first_person",
                                           "text": "من در زندان اوين بودم", "language": "fa", "direction": "rtl"}])
    with db.session() as session:
        assert found(session, "اوین") == set()
    with db.writing() as session:
        reindex_all(session.connection())
    with db.session() as session:
        assert found(session, "اوین") == {"T-7001"}
        results = search_service.browse(session, PUBLIC, [("lang", "fa")], "id", 1, lambda *a: "")
        assert [t.public_id for t in results.testimonies] == ["T-7001"]


def _index_rows(connection) -> list[tuple]:
    return [tuple(row) for row in connection.exec_driver_sql(
        "SELECT id, segment_id, testimony_id, source_id, body, tags FROM search_documents ORDER BY id")]


def test_reindex_in_deriving_processes_writes_the_same_rows(seeded, monkeypatch):
    """A large rebuild derives its rows in other processes; the index it writes is the one
    the single-process rebuild writes, row for row (text, audiences' tags, facets)."""
    from catalog.services.search import indexing

    with seeded.writing() as session:
        indexing.reindex_all(session.connection())
        alone = _index_rows(session.connection())
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 1)
    monkeypatch.setattr(indexing, "BATCH", 7)  # many batches in flight at once
    monkeypatch.setattr(indexing, "DERIVERS", 2)
    done = []
    with seeded.writing() as session:
        report = indexing.reindex_all(session.connection(), progress=lambda n, total: done.append((n, total)))
        together = _index_rows(session.connection())
    assert len(alone) > 50 and together == alone
    assert report.rows == len(alone)
    assert done[-1][0] == done[-1][1] == report.segments and [n for n, _ in done] == sorted(n for n, _ in done)


def test_reindex_command(runner, seeded):
    from catalog.cli import main

    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "Reindexed 13 testimonies" in result.output
    with seeded.session() as session:
        assert found(session, "Garces") == {"T-0010"}


class _Counting(dict):
    """Tokens prepared ahead, counting the bodies looked up that were not among them."""

    misses = 0

    def get(self, key, default=None):
        if key not in self:
            type(self).misses += 1
        return super().get(key, default)


def test_tokens_prepared_before_the_write_make_the_same_index_rows():
    from catalog.services.search.documents import build_rows, tokenise_ahead

    sources = {7: ("the-report", "The report", AccessLevel.PUBLIC)}
    segments = [
        (1, None, 7, SegmentKind.EDITORIAL, "Plain framing, Ünïcode and all.", None, AccessLevel.PUBLIC),
        (2, None, 7, SegmentKind.EDITORIAL, "Framing with a translation.", "Un cadre traduit.", AccessLevel.PUBLIC),
        (3, None, 7, SegmentKind.EDITORIAL, "Names Smith and Jones hidden apart.", "Traduit.", AccessLevel.PUBLIC),
        (4, None, 7, SegmentKind.EDITORIAL, "Restricted words only.", None, AccessLevel.RESTRICTED),
    ]
    spans = {3: [(6, 11, 1), (16, 21, 2)]}
    prepared = _Counting()
    for seg_id, _, _, _, text, translation, _ in segments:
        tokenise_ahead(prepared, text, translation, spans.get(seg_id, []))
    _Counting.misses = 0
    ahead = build_rows(segments, {}, {}, sources, spans, tokenised=prepared)
    assert _Counting.misses == 0
    assert ahead == build_rows(segments, {}, {}, sources, spans)
    # Each audience of the redacted passage reads (and finds) a different text.
    assert {row.tokens for row in ahead if row.segment_id == 3} == {
        ("names", "redacted", "and", "redacted", "hidden", "apart"),
        ("names", "smith", "and", "redacted", "hidden", "apart"),
        ("names", "smith", "and", "jones", "hidden", "apart", "traduit"),
    }
