"""Where sign-in goes next: only to a path on this site, whatever the `next` parameter holds."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token_from

#: Values that would take a reader off the site once a browser has read them (browsers drop tabs
#: and newlines and read a backslash as a slash), or that no Location header may carry.
HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\n/x",
    "\t//evil.example",
    " //evil.example",
    "/\x01/x",
    "/\x7f/x",
    "/\x85/x",
    "https://evil.example",
    "http:evil.example",
    "HTTPS://evil.example/",
    "javascript:alert(1)",
    "data:text/html,hello",
    "evil.example",
    "archive",
]

#: A NUL reaches only the POST: in a query string it is refused before any page (see test_routing).
HOSTILE_IN_FORM = HOSTILE + ["/\x00x", "/x\x00//evil.example"]

_NEXT_INPUT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


def carried_next(html: str) -> str:
    match = _NEXT_INPUT.search(html)
    assert match, "the sign-in form has no hidden next field"
    return match.group(1)


def sign_in(client, user: dict, next_value: str):
    token = csrf_token_from(client.get("/sign-in").data)
    return client.post(
        "/sign-in",
        data={"username": user["username"], "password": user["password"], "csrf_token": token, "next": next_value},
    )


@pytest.mark.parametrize("next_value", HOSTILE)
def test_the_form_does_not_carry_a_next_that_leaves_the_site(client, next_value):
    response = client.get("/sign-in", query_string={"next": next_value})
    assert response.status_code == 200
    assert carried_next(response.get_data(as_text=True)) == ""


@pytest.mark.parametrize("next_value", HOSTILE_IN_FORM)
def test_signing_in_never_follows_a_next_that_leaves_the_site(client, make_user, next_value):
    response = sign_in(client, make_user(), next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_value", HOSTILE)
def test_a_next_in_the_query_string_of_the_post_is_not_followed_either(client, make_user, next_value):
    user = make_user()
    token = csrf_token_from(client.get("/sign-in").data)
    response = client.post(
        "/sign-in", query_string={"next": next_value},
        data={"username": user["username"], "password": user["password"], "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_value", [
    "/archive/",
    "/archive/testimonies/T-0001/edit",
    "/search?q=evin&scope=first_person",
    "/people/protected-3",
    "/t/T-0001#p4",
])
def test_a_path_on_this_site_is_carried_and_followed(client, make_user, next_value):
    form = client.get("/sign-in", query_string={"next": next_value}).get_data(as_text=True)
    assert carried_next(form) == next_value.replace("&", "&amp;")
    response = sign_in(client, make_user(), next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == next_value
