"""Records matched by their details (title, speakers' visible names, summary, occasion, places,
claims), apart from passage hits, with the same visibility rules as passages, on both engines."""

from __future__ import annotations

import pytest

from catalog.models import (
    AccessLevel, Claim, ClaimKind, Occasion, OccasionKind, Place, PublicationState, Role, SegmentKind,
)
from catalog.services import search as search_service
from catalog.services.search.indexing import reindex_all
from catalog.viewer import Viewer

PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)
ARCHIVIST = Viewer(role=Role.ARCHIVIST)


def records(session, text, viewer=PUBLIC, **options) -> set[str]:
    results = search_service.search(session, viewer, text, **options)
    return {match.testimony.public_id for match in results.record_matches}


@pytest.fixture
def catalogue(session, make_testimony, make_agent):
    tehran = Place(key="tehran", name="Tehran")
    evin = Place(key="evin", name="Evin Prison", parent=tehran)
    session.add_all([tehran, evin])
    occasion = Occasion(key="hearing", kind=OccasionKind.HEARING, title="Hearing of the Ashgabat tribunal", place=evin)
    session.add(occasion)
    make_testimony(title="Statement of Golrokh", public_id="T-0001", summary_html="<p>About the <em>Zarabi</em> raid.</p>")
    make_testimony(title="A morning", public_id="T-0002", occasion=occasion)
    sealed = make_agent("Shirin Realname", key="shirin", is_protected=True, public_pseudonym="Witness S",
                        identity_access=AccessLevel.RESTRICTED)
    make_testimony(title="An account", public_id="T-0003", speaker=sealed)
    make_testimony(title="Restricted Golrokh papers", public_id="T-0004", access=AccessLevel.RESTRICTED)
    make_testimony(title="Draft Golrokh notes", public_id="T-0005", state=PublicationState.DRAFT)
    claimed = make_testimony((SegmentKind.FIRST_PERSON, "We were taken away."), title="Another", public_id="T-0006")
    session.add(Claim(key="c-1", segment=claimed.segments[0], kind=ClaimKind.EVENT,
                      statement="Prisoners were moved to Gohardasht in the night"))
    session.flush()
    return session


def test_title_summary_occasion_and_place_match_records(catalogue):
    assert records(catalogue, "Golrokh") == {"T-0001"}
    assert records(catalogue, "zarabi") == {"T-0001"}
    assert records(catalogue, '"ashgabat tribunal"') == {"T-0002"}
    # The occasion's place and the places above it.
    assert records(catalogue, "evin") == {"T-0002"}
    assert records(catalogue, "tehran") == {"T-0002"}
    assert records(catalogue, "Gohardasht") == {"T-0006"}


def test_record_matches_are_apart_from_passage_hits(catalogue):
    results = search_service.search(catalogue, PUBLIC, "Golrokh")
    assert results.total == 0 and not results.groups
    assert results.record_total == 1
    assert results.record_matches[0].fields == ("title",)


def test_query_syntax_works_on_records(catalogue):
    assert records(catalogue, "golr*") == {"T-0001"}
    assert records(catalogue, "golrokh -zarabi") == set()
    assert records(catalogue, '"statement of golrokh"') == {"T-0001"}
    assert records(catalogue, '"golrokh statement"') == set()


def test_restricted_and_draft_titles_never_match_for_the_public(catalogue):
    assert records(catalogue, "Golrokh", PUBLIC) == {"T-0001"}
    assert records(catalogue, "Golrokh", RESEARCHER) == {"T-0001", "T-0004"}
    assert records(catalogue, "Golrokh", ARCHIVIST) == {"T-0001", "T-0004", "T-0005"}


def test_sealed_name_matches_only_for_viewers_who_may_see_it(catalogue):
    assert records(catalogue, "Realname", PUBLIC) == set()
    results = search_service.search(catalogue, PUBLIC, "Realname")
    assert results.record_total == 0
    # The public finds the account by the pseudonym it is shown.
    assert records(catalogue, '"witness s"', PUBLIC) == {"T-0003"}
    assert records(catalogue, "Realname", RESEARCHER) == {"T-0003"}
    match = search_service.search(catalogue, RESEARCHER, "Shirin").record_matches[0]
    assert match.fields == ("speaker",)


def test_claims_count_only_for_those_who_may_read_their_passage(catalogue):
    claim = catalogue.query(Claim).filter_by(key="c-1").one()
    claim.segment.access_level = AccessLevel.RESTRICTED
    catalogue.flush()
    assert records(catalogue, "Gohardasht", PUBLIC) == set()
    assert records(catalogue, "Gohardasht", RESEARCHER) == {"T-0006"}


def test_records_follow_every_write(catalogue):
    from catalog.models import Testimony

    testimony = catalogue.query(Testimony).filter_by(public_id="T-0001").one()
    testimony.title = "Statement of Narges"
    catalogue.flush()
    assert records(catalogue, "Golrokh") == set()
    assert records(catalogue, "Narges") == {"T-0001"}
    testimony.publication_state = PublicationState.WITHDRAWN
    catalogue.flush()
    assert records(catalogue, "Narges") == set()
    claim = catalogue.query(Claim).filter_by(key="c-1").one()
    claim.statement = "Prisoners were moved to Qezel Hesar"
    catalogue.flush()
    assert records(catalogue, "Gohardasht") == set()
    assert records(catalogue, "Qezel") == {"T-0006"}


def test_reindex_rebuilds_the_record_index(catalogue):
    reindex_all(catalogue.connection())
    assert records(catalogue, "Golrokh", RESEARCHER) == {"T-0001", "T-0004"}
    assert records(catalogue, "Realname", PUBLIC) == set()
    assert records(catalogue, "Gohardasht") == {"T-0006"}


def test_records_are_not_searched_for_one_kind_of_text(catalogue):
    results = search_service.search(catalogue, PUBLIC, "Golrokh", scope="first_person")
    assert results.record_total == 0 and not results.record_matches


def test_facet_filters_apply_to_records(catalogue):
    assert records(catalogue, "evin", filters=[("place", "evin")]) == {"T-0002"}
    assert records(catalogue, "Golrokh", filters=[("place", "evin")]) == set()
