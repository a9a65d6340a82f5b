"""The visibility layer: nothing restricted reaches a viewer who may not see it."""

from __future__ import annotations

import json

import pytest

from catalog import queries
from catalog.models import AccessLevel, PublicationState, Redaction, Role, Segment, SegmentKind
from catalog.services.export import export_catalog
from catalog.viewer import Viewer

PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)
ARCHIVIST = Viewer(role=Role.ARCHIVIST)

REAL_NAME = "Parvaneh Real-Name"
PSEUDONYM = "Witness P"


@pytest.fixture
def sensitive(session, make_agent, make_testimony):
    """A published public testimony by a protected speaker with a confidential segment and a
    redacted span; a restricted testimony; a draft."""
    protected = make_agent(REAL_NAME, key="parvaneh-real-name", is_protected=True, public_pseudonym=PSEUDONYM)
    open_testimony = make_testimony(
        (SegmentKind.FIRST_PERSON, "They took us at night to the ward."),
        (SegmentKind.FIRST_PERSON, "The guard who beat me was called Hamid Secret-Guard."),
        {"kind": SegmentKind.FIRST_PERSON, "text": "My cellmate's family lives in Karaj.", "access_level": AccessLevel.CONFIDENTIAL},
        speaker=protected,
        public_id="T-0101",
        title="Night transfers",
    )
    second = open_testimony.segments[1]
    start = second.text.index("Hamid Secret-Guard")
    second.redactions.append(Redaction(start=start, end=start + len("Hamid Secret-Guard"), access_level=AccessLevel.RESTRICTED))
    second.translation = "نگهبانی که مرا زد حمید بود."
    second.translation_language = "fa"
    make_testimony((SegmentKind.FIRST_PERSON, "Restricted words about the graves."), public_id="T-0102",
                   access=AccessLevel.RESTRICTED, title="Restricted account")
    make_testimony((SegmentKind.FIRST_PERSON, "Draft words not yet checked."), public_id="T-0103",
                   state=PublicationState.DRAFT, title="Draft account")
    make_testimony((SegmentKind.FIRST_PERSON, "Confidential account words."), public_id="T-0104",
                   access=AccessLevel.CONFIDENTIAL, title="Confidential account")
    session.flush()
    return session


def visible_ids(session, viewer):
    return {t.public_id for t in queries.list_testimonies(session, viewer, limit=100)}


@pytest.mark.parametrize(
    "viewer,expected",
    [
        (PUBLIC, {"T-0101"}),
        (RESEARCHER, {"T-0101", "T-0102"}),
        (ARCHIVIST, {"T-0101", "T-0102", "T-0103", "T-0104"}),
    ],
)
def test_listing_respects_state_and_access(sensitive, viewer, expected):
    assert visible_ids(sensitive, viewer) == expected
    assert queries.count_testimonies(sensitive, viewer) == len(expected)


@pytest.mark.parametrize("public_id", ["T-0102", "T-0103", "T-0104"])
def test_public_cannot_open_hidden_testimonies(sensitive, public_id):
    assert queries.get_testimony(sensitive, PUBLIC, public_id) is None


def test_withdrawn_and_deleted_are_gone_for_readers(sensitive):
    from catalog.models import Testimony
    from sqlalchemy import select

    testimony = sensitive.scalar(select(Testimony).where(Testimony.public_id == "T-0101"))
    testimony.publication_state = PublicationState.WITHDRAWN
    sensitive.flush()
    assert queries.get_testimony(sensitive, PUBLIC, "T-0101") is None
    testimony.publication_state = PublicationState.PUBLISHED
    testimony.is_deleted = True
    sensitive.flush()
    assert queries.get_testimony(sensitive, RESEARCHER, "T-0101") is None
    assert queries.get_testimony(sensitive, ARCHIVIST, "T-0101") is None


def test_public_record_has_no_confidential_segment_redacted_words_or_real_name(sensitive):
    record = queries.get_testimony(sensitive, PUBLIC, "T-0101")
    texts = [s.text for s in record.segments]
    assert texts[0] == "They took us at night to the ward."
    assert all("Karaj" not in t for t in texts)
    assert "Hamid Secret-Guard" not in texts[1]
    assert queries.REDACTION_MARK in texts[1]
    assert record.segments[1].translation is None and record.segments[1].translation_withheld
    assert [r.agent.name for r in record.speakers] == [PSEUDONYM]
    assert REAL_NAME not in repr(record)
    assert "parvaneh" not in repr(record).lower()


def test_researcher_reads_the_redacted_span_but_not_confidential_text(sensitive):
    record = queries.get_testimony(sensitive, RESEARCHER, "T-0101")
    assert "Hamid Secret-Guard" in record.segments[1].text
    assert record.segments[1].translation
    assert all("Karaj" not in s.text for s in record.segments)
    assert [r.agent.name for r in record.speakers] == [PSEUDONYM]


def test_archivist_sees_everything(sensitive):
    record = queries.get_testimony(sensitive, ARCHIVIST, "T-0101")
    assert any("Karaj" in s.text for s in record.segments)
    assert [r.agent.name for r in record.speakers] == [REAL_NAME]


def test_protected_agent_page_shows_only_the_pseudonym(sensitive):
    from catalog.models import Agent
    from sqlalchemy import select

    agent_id = sensitive.scalar(select(Agent.id).where(Agent.key == "parvaneh-real-name"))
    assert queries.get_agent(sensitive, PUBLIC, "parvaneh-real-name") is None
    record = queries.get_agent(sensitive, PUBLIC, f"protected-{agent_id}")
    assert record.ref.name == PSEUDONYM and record.names == ()
    assert REAL_NAME not in repr(record)
    assert all(REAL_NAME != ref.name for ref in queries.list_agents(sensitive, PUBLIC))
    assert queries.get_agent(sensitive, ARCHIVIST, "parvaneh-real-name").ref.name == REAL_NAME


def test_public_export_leaks_nothing(sensitive):
    text = json.dumps(export_catalog(sensitive, PUBLIC), ensure_ascii=False)
    for secret in (REAL_NAME, "parvaneh", "Karaj", "Hamid Secret-Guard", "Restricted words", "Draft words",
                   "Confidential account", "حمید"):
        assert secret not in text, secret
    assert "They took us at night" in text


def test_researcher_export_holds_restricted_but_not_confidential(sensitive):
    text = json.dumps(export_catalog(sensitive, RESEARCHER), ensure_ascii=False)
    assert "Restricted words" in text and "Hamid Secret-Guard" in text
    for secret in (REAL_NAME, "Karaj", "Draft words", "Confidential account"):
        assert secret not in text, secret


def test_source_reading_withholds_hidden_testimony(seeded):
    from catalog.models import Testimony
    from sqlalchemy import select

    with seeded.writing() as session:
        jokar = session.scalar(select(Testimony).where(Testimony.public_id == "T-0012"))
        jokar.access_level = AccessLevel.RESTRICTED
    with seeded.session() as session:
        public = queries.get_source(session, PUBLIC, "article")
        researcher = queries.get_source(session, RESEARCHER, "article")
    assert all(s.testimony_id != "T-0012" for s in public.segments)
    assert public.withheld_passages == 10
    assert "T-0012" not in {t.public_id for t in public.testimonies}
    assert any(s.testimony_id == "T-0012" for s in researcher.segments)


def test_claims_of_hidden_testimonies_are_hidden(seeded):
    from catalog.models import Testimony
    from sqlalchemy import select

    with seeded.writing() as session:
        session.scalar(select(Testimony).where(Testimony.public_id == "T-0008")).access_level = AccessLevel.RESTRICTED
    with seeded.session() as session:
        keys = {c.key for c in queries.list_claims(session, PUBLIC)}
        assert "montazeri-2800-or-3800" not in keys
        assert queries.get_claim(session, PUBLIC, "montazeri-2800-or-3800") is None
        hrw = queries.get_claim(session, PUBLIC, "hrw-montazeri-2800-3800")
        assert hrw is not None and hrw.corroborations == ()
        assert queries.get_claim(session, RESEARCHER, "montazeri-2800-or-3800") is not None


def test_seeded_public_view_of_the_anonymous_survivor(seeded):
    with seeded.session() as session:
        record = queries.get_testimony(session, PUBLIC, "T-0006")
        export = json.dumps(export_catalog(session, PUBLIC), ensure_ascii=False)
    assert record.speakers[0].agent.is_pseudonym
    assert "Unidentified survivor quoted by the article" not in export
    assert "anonymous-survivor" not in export.replace("anonymous-survivor-statement", "")


def test_browse_and_search_reads_are_cut_to_the_viewer(sensitive):
    from sqlalchemy import select

    from catalog.models import Segment, Testimony

    ids = dict(sensitive.execute(select(Testimony.public_id, Testimony.id)).all())
    order = [ids["T-0104"], ids["T-0101"], ids["T-0102"], ids["T-0103"]]
    assert [s.public_id for s in queries.summaries_by_ids(sensitive, PUBLIC, order)] == ["T-0101"]
    assert [s.public_id for s in queries.summaries_by_ids(sensitive, RESEARCHER, order)] == ["T-0101", "T-0102"]
    assert {i: s.public_id for i, s in queries.summaries_by_id(sensitive, PUBLIC, order).items()} == {
        ids["T-0101"]: "T-0101"}
    segment_ids = list(sensitive.scalars(select(Segment.id)))
    public = queries.passages_by_ids(sensitive, PUBLIC, segment_ids)
    texts = " ".join(record.text for record in public.values())
    assert "They took us" in texts
    for secret in ("Karaj", "Hamid Secret-Guard", "Restricted words", "Draft words", "Confidential account"):
        assert secret not in texts, secret
    assert "Karaj" in " ".join(r.text for r in queries.passages_by_ids(sensitive, ARCHIVIST, segment_ids).values())


def test_summaries_by_ids_match_the_testimony_records_and_hide_protected_names(sensitive, make_agent):
    """The column-level summary read gives what the full record gives: speakers in role order,
    a protected speaker only by pseudonym (their key hidden too), the occasion's date."""
    from sqlalchemy import select

    from catalog.models import AgentRole, Occasion, OccasionKind, RoleKind, Testimony

    testimony = sensitive.scalar(select(Testimony).where(Testimony.public_id == "T-0101"))
    testimony.roles.append(AgentRole(agent=make_agent("Second Speaker"), role=RoleKind.SPEAKER, position=1))
    testimony.roles.append(AgentRole(agent=make_agent("Only Mentioned"), role=RoleKind.MENTIONED, position=2))
    testimony.occasion = Occasion(key="occ-summary", kind=OccasionKind.INTERVIEW, title="An interview",
                                  date_edtf="1988-07")
    sensitive.flush()
    for viewer in (PUBLIC, RESEARCHER, ARCHIVIST):
        [summary] = queries.summaries_by_ids(sensitive, viewer, [testimony.id])
        record = queries.get_testimony(sensitive, viewer, "T-0101")
        assert summary.speakers == tuple(role.agent for role in record.speakers)
        assert (summary.title, summary.occasion_title, summary.date_edtf) == ("Night transfers", "An interview", "1988-07")
        assert summary.account_kind == record.account_kind and summary.access_level is AccessLevel.PUBLIC
    public = queries.summaries_by_ids(sensitive, PUBLIC, [testimony.id])[0]
    assert [s.name for s in public.speakers] == [PSEUDONYM, "Second Speaker"]
    assert public.speakers[0].is_pseudonym and public.speakers[0].key.startswith("protected-")
    assert REAL_NAME in [s.name for s in queries.summaries_by_ids(sensitive, ARCHIVIST, [testimony.id])[0].speakers]


def test_staff_readers_refuse_readers(session):
    for viewer in (PUBLIC, RESEARCHER):
        with pytest.raises(queries.StaffOnly):
            queries.staff_record(session, viewer, "agents", "anyone")
        with pytest.raises(queries.StaffOnly):
            queries.picker_suggestions(session, viewer, "agents", "a", limit=5)


def test_pickers_name_places_with_their_parents_and_narrow_in_a_large_catalog(session):
    from catalog.models import Place

    iran = Place(key="iran", name="Iran", kind="country")
    tehran = Place(key="tehran", name="Tehran", kind="city", parent=iran)
    session.add_all([iran, tehran])
    session.flush()
    small = queries.picker_options(session, ARCHIVIST, "places", full_list_limit=3)
    assert small.complete and [label for _, label in small.options] == ["Iran", "Tehran, Iran"]
    large = queries.picker_options(session, ARCHIVIST, "places", full_list_limit=2, keep=[str(tehran.id), "", "99999999999"])
    assert not large.complete and large.options == ((tehran.id, "Tehran, Iran"),)
    within_itself = queries.picker_options(session, ARCHIVIST, "places", full_list_limit=3, exclude=tehran.id)
    assert within_itself.options == ((iran.id, "Iran"),)


def test_source_claims_are_that_sources_and_cut_to_the_viewer(seeded):
    from sqlalchemy import select

    from catalog.models import Testimony

    with seeded.writing() as session:
        session.scalar(select(Testimony).where(Testimony.public_id == "T-0012")).access_level = AccessLevel.RESTRICTED
    with seeded.session() as session:
        public = {c.key for c in queries.source_claims(session, PUBLIC, "article")}
        researcher = {c.key for c in queries.source_claims(session, RESEARCHER, "article")}
        assert queries.source_claims(session, RESEARCHER, "hrw-report") == []
    assert "article-30000-executed" in public and "jokar-50-pregnant-women" not in public
    assert researcher == public | {"jokar-50-pregnant-women", "jokar-husband-executed-with-75"}


# --- a passage cut at its redactions for staff (queries.marked_pieces) ---------------------------


def test_staff_pieces_overlapping_spans_are_one_at_the_higher_level():
    pieces = queries.marked_pieces("abcdefghij", [(2, 5, "restricted"), (4, 7, "confidential"), (8, 9, "restricted")])
    assert pieces == (
        queries.TextPiece("ab"), queries.TextPiece("cdefg", redacted_below="confidential"), queries.TextPiece("h"),
        queries.TextPiece("i", redacted_below="restricted"), queries.TextPiece("j"),
    )
    assert "".join(piece.text for piece in pieces) == "abcdefghij"


def test_staff_pieces_empty_public_and_out_of_range_spans_are_left_out():
    assert queries.marked_pieces("abc", [(1, 1, "confidential"), (0, 2, "public")]) == (queries.TextPiece("abc"),)
    assert queries.marked_pieces("abc", [(2, 40, "restricted")]) == (queries.TextPiece("ab"), queries.TextPiece("c", redacted_below="restricted"))
