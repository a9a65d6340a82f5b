"""The places an account speaks of ("about"), apart from where it was given: set by archivists
through the write path (with revisions, export and restore) and taken from its claims' scope
places; a facet of its own in browse and search, with the place hierarchy."""

from __future__ import annotations

import json

import pytest

from catalog.models import AccessLevel, Claim, ClaimKind, Occasion, OccasionKind, Place, Role, SegmentKind
from catalog.services import search as search_service
from catalog.services.actors import Actor
from catalog.services.search import index_cache
from catalog.services.write import PlaceInput, Rejected, TestimonyInput, save
from catalog.services.write.restore import revisions_of
from catalog.viewer import Viewer

ACTOR = Actor("amina (archivist)")
PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)


def browse_ids(session, filters, viewer=PUBLIC) -> set[str]:
    results = search_service.browse(session, viewer, filters, "catalogue", 1, lambda *_: "")
    return {t.public_id for t in results.testimonies}


@pytest.fixture
def places(session):
    iran = save(session, PlaceInput(key="iran", name="Iran"), ACTOR)
    tehran = save(session, PlaceInput(key="tehran", name="Tehran", parent="iran"), ACTOR)
    evin = save(session, PlaceInput(key="evin", name="Evin Prison", parent="tehran"), ACTOR)
    paris = save(session, PlaceInput(key="paris", name="Paris"), ACTOR)
    return {"iran": iran, "tehran": tehran, "evin": evin, "paris": paris}


@pytest.fixture
def accounts(session, places, make_testimony):
    """T-0101 was given in Paris and speaks of Evin; T-0102 was given at Evin and speaks of nothing."""
    in_paris = Occasion(key="paris-hearing", kind=OccasionKind.HEARING, title="Paris hearing", place=places["paris"])
    at_evin = Occasion(key="evin-visit", kind=OccasionKind.HEARING, title="Visit", place=places["evin"])
    session.add_all([in_paris, at_evin])
    about = make_testimony((SegmentKind.FIRST_PERSON, "The cells were full."), public_id="T-0101", occasion=in_paris)
    given = make_testimony((SegmentKind.FIRST_PERSON, "The cells were full."), public_id="T-0102", occasion=at_evin)
    save(session, TestimonyInput(**_fields(about), about_places=["evin"]), ACTOR, existing=about)
    session.flush()
    return about, given


def _fields(testimony) -> dict:
    return {"title": testimony.title, "account_kind": testimony.account_kind.value,
            "occasion": testimony.occasion.key if testimony.occasion else None,
            "roles": [{"agent": r.agent.key, "role": r.role.value} for r in testimony.roles],
            "segments": [{"record_id": s.id, "kind": s.kind.value, "text": s.text} for s in testimony.segments]}


def test_archivists_set_the_places_an_account_speaks_of(session, accounts):
    about, _given = accounts
    assert [p.key for p in about.about_places] == ["evin"]
    snapshot = json.loads(revisions_of(session, about)[0].snapshot)
    assert snapshot["about_places"] == ["evin"]


def test_an_unknown_place_is_refused(session, accounts):
    about, _given = accounts
    with pytest.raises(Rejected) as refused:
        save(session, TestimonyInput(**_fields(about), about_places=["nowhere"]), ACTOR, existing=about)
    assert [p.path for p in refused.value.problems] == [("about_places",)]
    assert "nowhere" in refused.value.problems[0].message


def test_given_at_and_about_are_two_facets_with_the_hierarchy(session, accounts):
    assert browse_ids(session, [("about", "evin")]) == {"T-0101"}
    assert browse_ids(session, [("about", "iran")]) == {"T-0101"}
    assert browse_ids(session, [("place", "evin")]) == {"T-0102"}
    assert browse_ids(session, [("place", "paris")]) == {"T-0101"}
    results = search_service.browse(session, PUBLIC, [], "catalogue", 1, lambda *_: "")
    about = next(f for f in results.facets if f.name == "about")
    assert about.title == "Place spoken of"
    assert {v.value: v.count for v in about.values} == {"evin": 1, "tehran": 1, "iran": 1}
    assert next(v.label for v in about.values if v.value == "evin") == "Evin Prison, Tehran, Iran"


def test_search_filters_by_the_places_spoken_of(session, accounts):
    results = search_service.search(session, PUBLIC, "cells", filters=[("about", "tehran")])
    assert [g.testimony.public_id for g in results.groups] == ["T-0101"]


def test_clearing_the_places_takes_the_account_out_of_the_facet(session, accounts):
    about, _given = accounts
    save(session, TestimonyInput(**_fields(about), about_places=[]), ACTOR, existing=about)
    session.flush()
    assert browse_ids(session, [("about", "evin")]) == set()


def test_a_claims_scope_place_makes_the_account_about_it(session, accounts, places):
    _about, given = accounts
    claim = Claim(key="c-transfer", segment=given.segments[0], kind=ClaimKind.EVENT,
                  statement="Prisoners were moved", scope_place=places["paris"])
    session.add(claim)
    session.flush()
    assert browse_ids(session, [("about", "paris")]) == {"T-0102"}
    # A claim on a passage the public may not read tells no one, by a facet, what it is about.
    given.segments[0].access_level = AccessLevel.RESTRICTED
    session.flush()
    assert browse_ids(session, [("about", "paris")], RESEARCHER) == set()


def test_a_renamed_place_is_relabelled_in_the_facet(session, accounts, places):
    places["evin"].name = "Evin"
    session.flush()
    index = index_cache.current(session)
    facet = index.facets["about"]
    assert facet.labels[facet.lookup["evin"]] == "Evin, Tehran, Iran"


def test_places_spoken_of_are_searched_as_record_details(session, accounts):
    results = search_service.search(session, PUBLIC, "evin")
    assert {m.testimony.public_id for m in results.record_matches} == {"T-0101", "T-0102"}
