"""Browse: facets with counts and toggle URLs, combined filters, sorts and paging in the URL."""

from __future__ import annotations

import re
from html import unescape

import pytest

from catalog.models import AccessLevel, PublicationState, SegmentKind


def items(page: str) -> list[str]:
    return re.findall(r'<span class="record-ref">(T-\d+)</span>', page)


def facet_values(page: str, facet: str) -> dict[str, int]:
    found = {}
    pattern = rf'data-facet="{facet}" data-value="([^"]+)">.*?<span class="facet-count">([\d,]+)'
    for value, count in re.findall(pattern, page, re.S):
        found[unescape(value)] = int(count.replace(",", ""))
    return found


def test_browse_lists_and_counts(client, seeded):
    page = client.get("/testimonies").get_data(as_text=True)
    assert len(items(page)) == 13
    assert "13 accounts you may read" in page
    kinds = facet_values(page, "kind")
    assert kinds["survivor"] == 3 and sum(kinds.values()) == 13
    assert facet_values(page, "given")["2018"] == 3
    assert facet_values(page, "status") == {"unverified": 13}
    # The access facet is for signed-in readers only.
    assert 'data-facet="access"' not in page


def test_facets_combine_and_toggle(client, seeded):
    page = client.get("/testimonies?kind=survivor").get_data(as_text=True)
    assert sorted(items(page)) == ["T-0006", "T-0012", "T-0013"]
    assert facet_values(page, "given") == {"2018": 1}
    # The selected value's link removes it; another value's link adds to the current filters.
    assert 'href="/testimonies" aria-current="true" data-facet="kind" data-value="survivor"' in page
    assert 'href="/testimonies?kind=survivor&amp;given=2018"' in page
    both = client.get("/testimonies?kind=survivor&given=2018").get_data(as_text=True)
    assert items(both) == ["T-0012"]
    assert "Filtered by:" in both


def test_place_facet_counts_parents(client, seeded):
    page = client.get("/testimonies").get_data(as_text=True)
    places = facet_values(page, "place")
    # A testimony given at the MEK compound counts for Albania too.
    assert places["albania"] >= places["mek-headquarters-albania"] > 0
    within = client.get("/testimonies?place=albania").get_data(as_text=True)
    assert len(items(within)) == places["albania"]


@pytest.mark.parametrize(
    "sort,first",
    [("id", "T-0001"), ("title", "T-0013"), ("given", "T-0004"), ("-given", "T-0010"), ("events", "T-0012")],
)
def test_sorts(client, seeded, sort, first):
    page = client.get(f"/testimonies?sort={sort}").get_data(as_text=True)
    assert items(page)[0] == first, items(page)
    assert len(items(page)) == 13


def test_recently_added_sort(client, session, make_testimony):
    make_testimony(public_id="T-0601", title="Older")
    make_testimony(public_id="T-0602", title="Newer")
    session.commit()
    assert items(client.get("/testimonies?sort=added").get_data(as_text=True))[:2] == ["T-0602", "T-0601"]


def test_paging_is_in_the_url(client, session, make_testimony):
    for n in range(55):
        make_testimony(public_id=f"T-{1000 + n}")
    session.commit()
    first = client.get("/testimonies").get_data(as_text=True)
    second = client.get("/testimonies?page=2").get_data(as_text=True)
    assert len(items(first)) == 50 and len(items(second)) == 5
    assert set(items(first)).isdisjoint(items(second))
    assert 'rel="next" href="/testimonies?page=2"' in first
    assert client.get("/testimonies?page=99").status_code == 200
    assert client.get("/testimonies?page=-4").status_code == 200
    assert client.get("/testimonies?page=abc").status_code == 200


def test_hidden_testimonies_are_neither_listed_nor_counted(client, session, make_testimony):
    make_testimony(public_id="T-0701", account_kind=__import__("catalog.models", fromlist=["AccountKind"]).AccountKind.RELATIVE)
    make_testimony(public_id="T-0702", access=AccessLevel.RESTRICTED)
    make_testimony(public_id="T-0703", state=PublicationState.DRAFT)
    make_testimony(public_id="T-0704", access=AccessLevel.CONFIDENTIAL)
    session.commit()
    page = client.get("/testimonies").get_data(as_text=True)
    assert items(page) == ["T-0701"]
    assert sum(facet_values(page, "kind").values()) == 1
    assert client.get("/testimonies?access=restricted").get_data(as_text=True).count("T-0702") == 0


def test_print_link_carries_the_page_ids(client, seeded):
    page = client.get("/testimonies?kind=survivor").get_data(as_text=True)
    link = re.search(r'href="(/print/selection\.pdf\?[^"]+)"', page).group(1)
    assert "ids=T-0006,T-0012,T-0013&" in link


def test_browse_needs_no_javascript(client, seeded):
    page = client.get("/testimonies").get_data(as_text=True)
    assert "<script" not in page and "style=" not in page
    assert '<form class="sort-form" method="get"' in page


def test_signed_in_researcher_sees_access_facet_and_restricted(client, auth, session, make_testimony):
    from catalog.models import Role

    make_testimony(public_id="T-0711")
    make_testimony(public_id="T-0712", access=AccessLevel.RESTRICTED)
    make_testimony(public_id="T-0713", access=AccessLevel.CONFIDENTIAL)
    session.commit()
    auth.login(Role.RESEARCHER)
    page = client.get("/testimonies").get_data(as_text=True)
    assert sorted(items(page)) == ["T-0711", "T-0712"]
    assert facet_values(page, "access") == {"public": 1, "restricted": 1}
    restricted = client.get("/testimonies?access=restricted").get_data(as_text=True)
    assert items(restricted) == ["T-0712"]
    assert "Consent" in client.get("/t/T-0712").get_data(as_text=True)
