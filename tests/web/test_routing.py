"""Addresses no record could have: a plain 404, and a NUL in the query string a clear 400.

PostgreSQL refuses a NUL in a text parameter with an error, so before these rules such an address
answered 500 there while SQLite said "not found". Every case runs on both databases.
"""

from __future__ import annotations

import pytest

from catalog.models import Role
from catalog.web import URL_VALUE_SHAPES
from tests.conftest import csrf_token_from

#: A reader's address naming a record no key or public id could name, beside the same address
#: naming a record that could exist but does not: both must answer alike.
IMPOSSIBLE_READER_PATHS = [
    ("/t/%00", "/t/T-9999"),
    ("/t/T-0001%00", "/t/T-9999"),
    ("/t/t-0001", "/t/T-9999"),
    ("/t/T-1", "/t/T-9999"),
    ("/t/%00/cite.json", "/t/T-9999/cite.json"),
    ("/people/%00", "/people/nobody-here"),
    ("/people/mek%00", "/people/nobody-here"),
    ("/people/protected-9%00", "/people/protected-99999"),
    ("/people/Ruhollah-Khomeini", "/people/nobody-here"),
    ("/places/%00", "/places/nowhere"),
    ("/places/evin%20prison", "/places/nowhere"),
    ("/sources/%00", "/sources/no-such-source"),
    ("/sources/article%00", "/sources/no-such-source"),
    ("/claims/%00", "/claims/no-such-claim"),
    ("/claims/montazeri-2800-or-3800%00", "/claims/no-such-claim"),
    ("/t/%00/transcript", "/t/T-9999/transcript"),
    ("/t/T-0012%00/transcript", "/t/T-9999/transcript"),
    ("/t/%00/transcript.pdf", "/t/T-9999/transcript.pdf"),
    ("/sources/%00/transcript", "/sources/no-such-source/transcript"),
    ("/sources/article%00/transcript.pdf", "/sources/no-such-source/transcript.pdf"),
]


@pytest.mark.parametrize(("impossible", "absent"), IMPOSSIBLE_READER_PATHS)
def test_an_impossible_key_is_a_plain_404_like_an_absent_record(client, seeded, impossible, absent):
    expected = client.get(absent)
    assert expected.status_code == 404
    response = client.get(impossible)
    assert response.status_code == 404
    assert response.get_data() == expected.get_data()


def test_the_records_themselves_are_still_found(client, seeded):
    for path in ("/t/T-0012", "/t/T-0012/cite.json", "/people/mek", "/places/evin-prison", "/sources/article",
                 "/claims/montazeri-2800-or-3800", "/t/T-0012/transcript", "/sources/article/transcript"):
        assert client.get(path).status_code == 200, path


@pytest.fixture
def archivist(auth):
    return auth.login(Role.ARCHIVIST)


@pytest.mark.parametrize(("impossible", "absent"), [
    ("/archive/testimonies/%00", "/archive/testimonies/T-9999"),
    ("/archive/testimonies/T-0012%00", "/archive/testimonies/T-9999"),
    ("/archive/testimonies/%00/edit", "/archive/testimonies/T-9999/edit"),
    ("/archive/testimonies/%00/history", "/archive/testimonies/T-9999/history"),
    ("/archive/agents/%00/edit", "/archive/agents/nobody-here/edit"),
    ("/archive/agents/mek%00/history", "/archive/agents/nobody-here/history"),
    ("/archive/places/%00/edit", "/archive/places/nowhere/edit"),
    ("/archive/sources/article%00/history", "/archive/sources/no-such-source/history"),
    ("/archive/occasions/%00/edit", "/archive/occasions/no-such-occasion/edit"),
    ("/archive/agents%00", "/archive/no-such-kind"),
    ("/archive/lookup/agents%00", "/archive/lookup/no-such-kind"),
])
def test_workspace_addresses_with_an_impossible_key_are_a_plain_404(client, seeded, archivist, impossible, absent):
    expected = client.get(absent)
    assert expected.status_code == 404
    response = client.get(impossible)
    assert response.status_code == 404
    assert response.get_data() == expected.get_data()


@pytest.mark.parametrize(("impossible", "absent"), [
    ("/archive/testimonies/%00/publish", "/archive/testimonies/T-9999/publish"),
    ("/archive/testimonies/T-0012%00/withdraw", "/archive/testimonies/T-9999/withdraw"),
    ("/archive/testimonies/%00/delete", "/archive/testimonies/T-9999/delete"),
    ("/archive/testimonies/T-0012/claims/%00/delete", "/archive/testimonies/T-0012/claims/no-such-claim/delete"),
    ("/archive/agents/%00/restore/1", "/archive/agents/nobody-here/restore/1"),
])
def test_workspace_posts_with_an_impossible_key_are_a_plain_404(client, seeded, archivist, impossible, absent):
    token = csrf_token_from(client.get("/archive/testimonies/T-0012").data)
    form = {"csrf_token": token, "version": "1", "reason": "A reason given in full."}
    expected = client.post(absent, data=form)
    assert expected.status_code == 404
    response = client.post(impossible, data=form)
    assert response.status_code == 404
    assert response.get_data() == expected.get_data()


NUL_IN_QUERY = [
    "/testimonies?place=%00",
    "/testimonies?source=article%00",
    "/testimonies?kind=%00&lang=%00",
    "/testimonies?%00=1",
    "/search?q=%00",
    "/search?q=evin%00",
    "/search?q=evin&place=%00",
    "/search?q=evin&source=%00",
    "/print/selection?ids=T-0012%00",
    "/print/selection?ids=T-0012,%00",
    "/print/selection?ids=T-0012&title=%00",
    "/print/selection.pdf?ids=%00",
    "/t/T-0012/transcript?translation=%00",
    "/sign-in?next=/%00",
]

NUL_IN_WORKSPACE_QUERY = [
    "/archive/?q=%00",
    "/archive/?state=%00",
    "/archive/agents?q=%00",
    "/archive/places?q=%00",
    "/archive/lookup/agents?q=%00",
    "/archive/lookup/places?q=%00",
    "/archive/lookup/sources?q=%00",
    "/archive/lookup/occasions?q=%00",
    "/archive/testimonies/T-0012/history?a=%00",
    "/archive/edtf?value=1988%00",
]


def assert_refused_for_its_nul(response) -> None:
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", NUL_IN_QUERY)
def test_a_nul_in_a_readers_query_string_is_a_clear_400(client, path):
    assert_refused_for_its_nul(client.get(path))


@pytest.mark.parametrize("path", NUL_IN_QUERY + NUL_IN_WORKSPACE_QUERY)
def test_a_nul_in_a_signed_in_query_string_is_a_clear_400(client, archivist, path):
    assert_refused_for_its_nul(client.get(path))


def test_every_string_a_route_takes_has_a_shape(app):
    # Values of the other arguments are converted (`int:`), or are static file paths.
    converted_or_paths = {"number", "page", "user_id", "link_id", "filename"}
    named = {argument for rule in app.url_map.iter_rules() for argument in rule.arguments}
    assert named - converted_or_paths == set(URL_VALUE_SHAPES)
