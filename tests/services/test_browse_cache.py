"""The browse index's cache of unfiltered facet counts: per viewer rank, gone with the index."""

from __future__ import annotations

import numpy as np

from catalog.models import AccessLevel, AccountKind, PublicationState, Role, SegmentKind
from catalog.services import search as search_service
from catalog.services.search import index_cache
from catalog.viewer import Viewer

PUBLIC = Viewer.public()
RESEARCHER = Viewer(role=Role.RESEARCHER)
ARCHIVIST = Viewer(role=Role.ARCHIVIST)


def facet_counts(session, viewer, filters=()) -> dict[str, dict[str, int]]:
    results = search_service.browse(session, viewer, list(filters), "id", 1, lambda *a: "", expanded=["kind", "access"])
    return {facet.name: {v.value: v.count for v in facet.values} for facet in results.facets}


def direct_counts(session, viewer) -> dict[str, dict[str, int]]:
    """The same counts computed on the spot, without any cache."""
    index = index_cache.current(session)
    rank = search_service.viewer_rank(viewer)
    mask = index.mask(rank, [])
    out = {}
    for name in search_service.visible_facets(viewer):
        data = index.facets[name]
        counts = index.counts(name, mask)
        values = {data.values[c]: int(counts[c]) for c in np.flatnonzero(counts) if data.value_rank[c] <= rank}
        if values:
            out[name] = values
    return out


def test_counts_cached_for_a_higher_rank_never_reach_the_public(session, make_testimony):
    make_testimony(public_id="T-0801", account_kind=AccountKind.EYEWITNESS)
    make_testimony(public_id="T-0802", account_kind=AccountKind.RELATIVE, access=AccessLevel.RESTRICTED)
    make_testimony(public_id="T-0803", account_kind=AccountKind.SURVIVOR, state=PublicationState.DRAFT)
    make_testimony(public_id="T-0804", account_kind=AccountKind.SURVIVOR, access=AccessLevel.CONFIDENTIAL)
    session.flush()
    # The archivist's page fills the cache first; the public page after it must not reuse it.
    archivist = facet_counts(session, ARCHIVIST)
    assert archivist["kind"] == {"eyewitness": 1, "relative": 1, "survivor": 2}
    assert archivist["access"] == {"public": 2, "restricted": 1, "confidential": 1}
    researcher = facet_counts(session, RESEARCHER)
    assert researcher["kind"] == {"eyewitness": 1, "relative": 1}
    public = facet_counts(session, PUBLIC)
    assert public["kind"] == {"eyewitness": 1}
    assert "access" not in public
    # And again in the other order, now that every rank's counts are cached.
    assert facet_counts(session, PUBLIC) == public
    assert facet_counts(session, ARCHIVIST) == archivist
    for viewer in (PUBLIC, RESEARCHER, ARCHIVIST):
        assert facet_counts(session, viewer) == direct_counts(session, viewer)
    # A filtered page never takes the unfiltered counts.
    assert facet_counts(session, ARCHIVIST, [("kind", "survivor")])["kind"] == {"survivor": 2}


def test_cache_is_dropped_when_the_index_changes(session, make_testimony):
    make_testimony(public_id="T-0811", account_kind=AccountKind.EYEWITNESS)
    session.flush()
    assert facet_counts(session, PUBLIC)["kind"] == {"eyewitness": 1}
    before = index_cache.current(session)
    assert before.cached(("counts", "kind", 0), lambda: None) is not None
    # Any write that the index depends on changes its token: a new index with an empty cache.
    make_testimony(public_id="T-0812", account_kind=AccountKind.EYEWITNESS)
    session.flush()
    after = index_cache.current(session)
    assert after is not before
    assert facet_counts(session, PUBLIC)["kind"] == {"eyewitness": 2}
    assert facet_counts(session, PUBLIC) == direct_counts(session, PUBLIC)


def test_cached_counts_cannot_be_changed_in_place(session, make_testimony):
    make_testimony(public_id="T-0821")
    session.flush()
    counts = index_cache.current(session).visible_counts("kind", 0)
    assert not counts.flags.writeable


def test_counts_over_a_few_testimonies_equal_counts_over_the_whole_mask(session, make_testimony):
    kinds = [AccountKind.EYEWITNESS, AccountKind.SURVIVOR, AccountKind.RELATIVE]
    for number in range(40):
        make_testimony(public_id=f"T-{850 + number:04d}", account_kind=kinds[number % 3])
    session.flush()
    index = index_cache.current(session)
    everything = index.visible(0)
    for chosen in ([], [0], [1, 5, 7], list(range(0, index.size, 3)), list(range(index.size))):
        mask = np.zeros(index.size, dtype=bool)
        mask[chosen] = True
        for name in index.facets:
            data = index.facets[name]
            # The gathering path (few chosen) and the scanning path (many) must agree.
            expected = np.bincount(data.codes[mask[data.positions]], minlength=len(data.values))
            assert np.array_equal(index.counts(name, mask), expected), (name, chosen)
    assert index.counts("kind", everything).sum() == int(everything.sum())


def test_a_search_count_is_remembered_until_the_index_changes(session, make_testimony):
    make_testimony((SegmentKind.FIRST_PERSON, "The pomegranate tree in the yard."), public_id="T-0871")
    session.flush()
    first = search_service.search(session, PUBLIC, "pomegranate")
    assert first.total == 1
    index = index_cache.current(session)
    assert any(key[0] == "search" for key in index._recent)
    # A second testimony with the word: the index token changes, so the count is taken anew.
    make_testimony((SegmentKind.FIRST_PERSON, "A pomegranate, split open."), public_id="T-0872")
    session.flush()
    assert index_cache.current(session) is not index
    second = search_service.search(session, PUBLIC, "pomegranate")
    assert second.total == 2
    assert sorted(second.testimony_ids) == ["T-0871", "T-0872"]
    # Restricted passages never count for the public, whichever viewer searched first.
    make_testimony((SegmentKind.FIRST_PERSON, "A pomegranate kept back."), public_id="T-0873",
                   access=AccessLevel.RESTRICTED)
    session.flush()
    assert search_service.search(session, RESEARCHER, "pomegranate").total == 3
    assert search_service.search(session, PUBLIC, "pomegranate").total == 2


def test_the_name_index_is_kept_across_rebuilds_until_a_name_changes(session, make_testimony, make_agent):
    from catalog.models import AgentName, NameKind

    agent = make_agent("Mojahedin-e Khalq")
    session.add(AgentName(agent=agent, name="MEK", kind=NameKind.ABBREVIATION))
    make_testimony((SegmentKind.FIRST_PERSON, "They said I was with the MEK."), public_id="T-0881", speaker=agent)
    session.flush()
    before = index_cache.current(session)
    names = index_cache.names(session)
    assert "Mojahedin-e Khalq" in search_service.search(session, PUBLIC, "MEK").also_searched
    # An edit that touches no name: a new browse index, the same name index.
    make_testimony((SegmentKind.FIRST_PERSON, "Another account."), public_id="T-0882", speaker=agent)
    session.flush()
    after = index_cache.current(session)
    assert after is not before and index_cache.names(session) is names
    # A new alternate name: the name index is rebuilt and widens searches at once.
    session.add(AgentName(agent=agent, name="Monafeqin", kind=NameKind.PEJORATIVE))
    session.flush()
    assert index_cache.names(session) is not names
    results = search_service.search(session, PUBLIC, "Monafeqin")
    assert results.total == 1 and results.testimony_ids == ["T-0881"]
