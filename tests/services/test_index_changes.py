"""The browse index kept in step by recorded changes: after any sequence of writes, the index a
process patched from `index_changes` answers exactly like one built from scratch, for every
viewer; another process picks the same changes up; pruned changes force a rebuild."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalog.db import Database
from catalog.models import (
    AccessLevel,
    AccountKind,
    CorroborationStatus,
    IndexChange,
    Occasion,
    OccasionKind,
    Place,
    PublicationState,
    SearchState,
    Source,
    SourceKind,
    Testimony,
)
from catalog.models.search import INDEX_STATE
from catalog.services import search as search_service
from catalog.services.search import catalog_index, facet_rows, index_cache, indexing
from catalog.services.search.catalog_index import SORTS, CatalogIndex
from catalog.viewer import Viewer
from catalog.models import Role

VIEWERS = (Viewer.public(), Viewer(role=Role.RESEARCHER), Viewer(role=Role.ARCHIVIST))
PLACES = ("iran", "tehran", "evin", "mashhad", "qezel")
SOURCES = ("memoir", "report", "hearing-notes")
DATES = (None, (1988, 7, 1, 1988, 9, 30), (1981, 1, 1, 1989, 12, 31), (2018, 7, 16, 2018, 7, 16),
         (1900, 1, 1, 1988, 1, 1))


# --- what an index answers --------------------------------------------------------------------


def answers(index: CatalogIndex) -> dict:
    """Everything a reader can learn from the index, per viewer rank: which testimonies they see,
    each facet's values with count, label and label rank (unfiltered and under each value as a
    filter), every sort order in full and a middle page, which values exist at all."""
    out: dict = {}
    for rank in (0, 1, 2):
        visible = index.visible(rank)
        out[rank, "ids"] = sorted(int(i) for i in index.ids[visible])
        for sort in SORTS:
            out[rank, "order", sort] = index.page(visible, sort, 1, 10 ** 6)
            out[rank, "page", sort] = index.page(visible, sort, 2, 3)
        for name, facet in index.facets.items():
            counts = index.counts(name, visible)
            shown = {facet.values[c]: (int(counts[c]), facet.labels[c], int(facet.value_rank[c]))
                     for c in np.flatnonzero(counts)}
            out[rank, "facet", name] = shown
            assert int(counts.sum()) >= 0
            for value in shown:
                mask = index.mask(rank, [(name, value)])
                out[rank, "filter", name, value] = (
                    index.page(mask, "id", 1, 10 ** 6),
                    {other: _counts(index, other, mask) for other in index.facets},
                )
    for name, facet in index.facets.items():
        out["present", name] = sorted(v for v in facet.values if facet.code_of(v) is not None)
    every_other = sorted(int(i) for i in index.ids)[::2] + [10 ** 9]
    out["by id"] = sorted(int(index.ids[p]) for p in np.flatnonzero(index.mask_of_ids(every_other) & index.visible(2)))
    return out


def _counts(index, name, mask) -> dict:
    facet = index.facets[name]
    counts = index.counts(name, mask)
    return {facet.values[c]: int(counts[c]) for c in np.flatnonzero(counts)}


def browse_pages(session, index) -> dict:
    """What the browse service shows each viewer with this index (facets, totals, page ids)."""
    pages = {}
    original = index_cache.current
    index_cache.current = lambda _session: index
    try:
        for viewer in VIEWERS:
            for filters in ([], [("kind", "survivor")], [("place", "tehran"), ("year", "1988")],
                            [("source", "report")], [("access", "restricted")], [("place", "nowhere")]):
                results = search_service.browse(session, viewer, list(filters), "events", 1,
                                                lambda *a: "", expanded=list(search_service.FACETS), page_size=4)
                pages[viewer.access, tuple(filters)] = (
                    results.total, [t.public_id for t in results.testimonies],
                    [(f.name, [(v.value, v.label, v.count, v.selected) for v in f.values]) for f in results.facets],
                )
    finally:
        index_cache.current = original
    return pages


class Builds:
    """Counts full builds of the browse index."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        original = CatalogIndex.__init__

        def counting(index, *args, **kwargs):
            self.count += 1
            original(index, *args, **kwargs)

        monkeypatch.setattr(CatalogIndex, "__init__", counting)


@pytest.fixture
def builds(monkeypatch) -> Builds:
    return Builds(monkeypatch)


def assert_same_as_fresh(session, builds: Builds | None = None) -> CatalogIndex:
    """The index `current` gives equals one built from scratch (and, with `builds`, was patched)."""
    before = builds.count if builds else 0
    index = index_cache.current(session)
    if builds:
        assert builds.count == before, "the index was rebuilt, not patched"
    token = session.scalar(select(SearchState.token).where(SearchState.id == INDEX_STATE))
    fresh = CatalogIndex(token, session.connection())
    assert answers(index) == answers(fresh)
    assert browse_pages(session, index) == browse_pages(session, fresh)
    return index


# --- writes ---------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """Places (Iran > Tehran > Evin, Iran > Mashhad, Qezel on its own), sources and occasions."""
    with db.writing() as session:
        iran = Place(key="iran", name="Iran")
        tehran = Place(key="tehran", name="Tehran", parent=iran)
        evin = Place(key="evin", name="Evin Prison", parent=tehran)
        mashhad = Place(key="mashhad", name="Mashhad", parent=iran)
        qezel = Place(key="qezel", name="Qezel Hesar")
        session.add_all([iran, tehran, evin, mashhad, qezel])
        for key, level in zip(SOURCES, (AccessLevel.PUBLIC, AccessLevel.RESTRICTED, AccessLevel.CONFIDENTIAL)):
            session.add(Source(key=key, title=f"The {key}", kind=SourceKind.REPORT, access_level=level))
        for number, place in enumerate((evin, mashhad, qezel, None)):
            lower = dt.date(1990 + number * 10, 3, 1)
            session.add(Occasion(key=f"occasion-{number}", kind=OccasionKind.INTERVIEW, title=f"Interview {number}",
                                 place=place, date_lower=lower, date_upper=lower))
    return db


def _date(spec):
    return (None, None) if spec is None else (dt.date(*spec[:3]), dt.date(*spec[3:]))


operations = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(list(AccountKind)), st.sampled_from(list(AccessLevel)),
              st.sampled_from(list(PublicationState)), st.sampled_from(["en", "fa", ""]),
              st.sampled_from(DATES), st.integers(0, 4), st.integers(0, 3), st.sampled_from(["b", "A", "a", "Ö"])),
    st.tuples(st.just("edit"), st.integers(0, 50), st.sampled_from([
        ("account_kind", k) for k in AccountKind] + [("access_level", a) for a in AccessLevel] + [
        ("publication_state", p) for p in PublicationState] + [("corroboration_status", c) for c in CorroborationStatus]
        + [("language", lang) for lang in ("en", "fa", "ar")] + [("dates", d) for d in DATES]
        + [("is_deleted", True), ("is_deleted", False), ("occasion", 0), ("occasion", 3), ("occasion", None),
           ("source", 0), ("source", 2), ("source", None), ("title", "a"), ("title", "Z")])),
    st.tuples(st.just("place"), st.sampled_from(PLACES), st.sampled_from([None, *PLACES, "rename"])),
    st.tuples(st.just("source"), st.sampled_from(SOURCES), st.sampled_from(list(AccessLevel) + ["retitle"])),
    st.tuples(st.just("occasion"), st.integers(0, 3), st.sampled_from([None, *PLACES])),
)
steps = st.lists(st.tuples(operations, st.sampled_from(["commit", "commit", "flush", "rollback"])), min_size=1, max_size=10)

_made = iter(range(1, 10 ** 6))


def apply(session, operation) -> None:
    what = operation[0]
    occasions = session.scalars(select(Occasion).order_by(Occasion.key)).all()
    sources = session.scalars(select(Source).order_by(Source.key)).all()
    if what == "create":
        _, kind, access, state, language, dates, occasion, source, title = operation
        lower, upper = _date(dates)
        session.add(Testimony(
            public_id=f"T-{next(_made):0{4 + next(_made) % 2}d}", title=f"{title} testimony", account_kind=kind,
            access_level=access, publication_state=state, language=language, events_date_lower=lower,
            events_date_upper=upper, occasion=occasions[occasion] if occasion < len(occasions) else None,
            source=sources[source] if source < len(sources) else None))
    elif what == "edit":
        testimonies = session.scalars(select(Testimony).order_by(Testimony.id)).all()
        if not testimonies:
            return
        testimony = testimonies[operation[1] % len(testimonies)]
        field, value = operation[2]
        if field == "dates":
            testimony.events_date_lower, testimony.events_date_upper = _date(value)
        elif field == "occasion":
            testimony.occasion = None if value is None else occasions[value]
        elif field == "source":
            testimony.source = None if value is None else sources[value]
        elif field == "title":
            testimony.title = f"{value} {testimony.title}"
        else:
            setattr(testimony, field, value)
    elif what == "place":
        place = session.scalar(select(Place).where(Place.key == operation[1]))
        if operation[2] == "rename":
            place.name = place.name + "!"
        else:
            parent = session.scalar(select(Place).where(Place.key == operation[2])) if operation[2] else None
            # Never under itself or its own descendants (facts.place_chain cuts cycles anyway).
            chain, cursor = set(), parent
            while cursor is not None:
                chain.add(cursor.key)
                cursor = cursor.parent
            if place.key not in chain:
                place.parent = parent
    elif what == "source":
        source = session.scalar(select(Source).where(Source.key == operation[1]))
        if operation[2] == "retitle":
            source.title = source.title + " (revised)"
        else:
            source.access_level = operation[2]
    elif what == "occasion":
        occasion = occasions[operation[1]]
        occasion.place = session.scalar(select(Place).where(Place.key == operation[2])) if operation[2] else None


@given(steps=steps, compact_after=st.sampled_from([1, 3, 2048]), resort_after=st.sampled_from([0, 2, 64]))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
def test_a_patched_index_answers_like_a_fresh_one(world, builds, steps, compact_after, resort_after):
    originals = facet_rows.COMPACT_AFTER, catalog_index.RESORT_AFTER
    facet_rows.COMPACT_AFTER, catalog_index.RESORT_AFTER = compact_after, resort_after
    try:
        with world.session() as reader:
            index_cache.current(reader)
        for operation, ending in steps:
            session = world.session(write=True)
            try:
                apply(session, operation)
                session.flush()
                # The writer's own view, uncommitted: patched privately, equal to a fresh build.
                assert_same_as_fresh(session, builds)
                if ending == "rollback":
                    session.rollback()
                else:
                    session.commit()
            finally:
                session.close()
            with world.session() as reader:
                assert_same_as_fresh(reader, builds)
    finally:
        facet_rows.COMPACT_AFTER, catalog_index.RESORT_AFTER = originals


def test_a_rolled_back_write_never_reaches_the_shared_index(world):
    with world.writing() as session:
        session.add(Testimony(public_id="T-0001", title="Kept back", account_kind=AccountKind.SURVIVOR,
                              access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        shared = index_cache.current(reader)
    session = world.session(write=True)
    testimony = session.scalar(select(Testimony))
    testimony.access_level = AccessLevel.CONFIDENTIAL
    session.flush()
    # The writer sees its change; the index other requests share does not.
    assert not index_cache.current(session).visible(0).any()
    session.rollback()
    session.close()
    with world.session() as reader:
        index = index_cache.current(reader)
        assert index.visible(0).sum() == 1
        assert index is shared or answers(index) == answers(shared)


def test_another_process_picks_the_change_up(world, database_url, builds):
    """Two processes: each with its own cache of indexes and its own engine on the database."""
    other = Database(database_url)
    try:
        with world.writing() as session:
            session.add(Testimony(public_id="T-0001", title="First", account_kind=AccountKind.SURVIVOR,
                                  access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
        mine, theirs = index_cache._cache, OrderedDict()
        with world.session() as reader:
            first = index_cache.current(reader)
        index_cache._cache = theirs
        with other.session() as reader:
            their_first = index_cache.current(reader)
        # The other process saves: a restricted testimony and a withdrawal.
        with other.writing() as session:
            session.add(Testimony(public_id="T-0002", title="Second", account_kind=AccountKind.RELATIVE,
                                  access_level=AccessLevel.RESTRICTED, publication_state=PublicationState.PUBLISHED))
            session.scalar(select(Testimony).where(Testimony.public_id == "T-0001")).publication_state = \
                PublicationState.WITHDRAWN
        index_cache._cache = mine
        built = builds.count
        try:
            with world.session() as reader:
                now = index_cache.current(reader)
                assert builds.count == built, "the change was applied, not rebuilt"
                assert now is not first and now.applied > first.applied
                assert now.visible(0).sum() == 0
                assert [int(i) for i in now.ids[now.visible(1)]] == [
                    reader.scalar(select(Testimony.id).where(Testimony.public_id == "T-0002"))]
                assert answers(now) == answers(CatalogIndex(now.token, reader.connection()))
            built = builds.count
            index_cache._cache = theirs
            with other.session() as reader:
                assert answers(index_cache.current(reader)) == answers(now)
                assert index_cache.current(reader) is not their_first
            assert builds.count == built
        finally:
            index_cache._cache = mine
    finally:
        other.dispose()


def test_testimonies_added_out_of_id_order_are_found(world):
    with world.writing() as session:
        session.add(Testimony(id=900, public_id="T-0900", title="High", account_kind=AccountKind.SURVIVOR,
                              access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        index_cache.current(reader)
    with world.writing() as session:
        session.add(Testimony(id=500, public_id="T-0500", title="Low", account_kind=AccountKind.EYEWITNESS,
                              access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        index = assert_same_as_fresh(reader)
        assert index.id_sorter is not None
        assert index.mask_of_ids([500]).sum() == 1 and index.mask_of_ids([700]).sum() == 0


def test_pruned_changes_make_a_lagging_process_rebuild(world, monkeypatch):
    monkeypatch.setattr(indexing, "KEEP_CHANGES", 2)
    monkeypatch.setattr(indexing, "KEEP_MINUTES", 0)
    monkeypatch.setattr(indexing, "PRUNE_EVERY", 1)
    with world.writing() as session:
        session.add(Testimony(public_id="T-0001", title="First", account_kind=AccountKind.SURVIVOR,
                              access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        lagging = index_cache.current(reader)
    for number in range(2, 7):
        with world.writing() as session:
            session.add(Testimony(public_id=f"T-{number:04d}", title="More", account_kind=AccountKind.SURVIVOR,
                                  access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        # Only the newest rows are left, so the change table stays small ...
        assert reader.scalar(select(func.count()).select_from(IndexChange)) <= 3
        assert index_cache.pending_changes(reader.connection(), lagging.applied) is None
        # ... and the process that missed the pruned ones builds afresh, and answers right.
        index = assert_same_as_fresh(reader)
        assert index is not lagging and index.visible(0).sum() == 6


def recorded(db) -> list[tuple[int | None, ...]]:
    with db.session() as reader:
        return [row.testimony_id for row in reader.execute(select(IndexChange).order_by(IndexChange.seq)).scalars()]


def test_each_save_records_what_it_touched_in_its_own_transaction(world):
    with world.writing() as session:
        testimony = Testimony(public_id="T-0001", title="First", account_kind=AccountKind.SURVIVOR,
                              access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED,
                              occasion=session.scalar(select(Occasion).where(Occasion.key == "occasion-0")))
        session.add(testimony)
    before = recorded(world)
    with world.session() as reader:
        assert before[-1] == reader.scalar(select(Testimony.id))
    # A save that is rolled back leaves no row behind.
    session = world.session(write=True)
    session.scalar(select(Testimony)).title = "Never saved"
    session.flush()
    session.rollback()
    session.close()
    assert recorded(world) == before
    # Renaming a place records a row for the labels and one for each testimony given beneath it.
    with world.writing() as session:
        testimony_id = session.scalar(select(Testimony.id))
        session.scalar(select(Place).where(Place.key == "tehran")).name = "Tehran Province"
    assert recorded(world)[len(before):] == [testimony_id, None]


def test_a_very_large_save_starts_a_new_epoch(world, builds, monkeypatch):
    with world.writing() as session:
        for number in (1, 2, 3):
            session.add(Testimony(public_id=f"T-{number:04d}", title="One of three", account_kind=AccountKind.SURVIVOR,
                                  access_level=AccessLevel.PUBLIC, publication_state=PublicationState.PUBLISHED))
    with world.session() as reader:
        first = index_cache.current(reader)
    monkeypatch.setattr(indexing, "MAX_RECORDED", 2)
    with world.writing() as session:
        for testimony in session.scalars(select(Testimony)):
            testimony.access_level = AccessLevel.RESTRICTED
    with world.session() as reader:
        built = builds.count
        index = assert_same_as_fresh(reader)
        assert builds.count > built and index.token != first.token
        assert index.visible(0).sum() == 0 and index.visible(1).sum() == 3
