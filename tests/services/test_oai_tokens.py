"""Resumption tokens carry a list's arguments and keyset position, and only the catalog that made
them can make one it will read."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.services.oai import tokens

UTC = dt.timezone.utc
STATE = tokens.ListState(
    verb="ListRecords", metadata_prefix="oai_dc", from_dt=dt.datetime(2024, 1, 1, tzinfo=UTC),
    before_dt=None, set_spec="kind:survivor", after=(dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), 42),
    cursor=100,
)


def test_a_token_gives_back_its_state_to_the_microsecond():
    assert tokens.decode("key", tokens.encode("key", STATE)) == STATE


@pytest.mark.parametrize("token", ["", "garbled", "..", ".eJyLjgUAARUAuQ.x"])
def test_garbled_tokens_are_refused(token):
    with pytest.raises(tokens.BadToken):
        tokens.decode("key", token)


def test_a_token_from_another_key_or_altered_is_refused():
    token = tokens.encode("key", STATE)
    with pytest.raises(tokens.BadToken):
        tokens.decode("another key", token)
    with pytest.raises(tokens.BadToken):
        tokens.decode("key", token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_a_signed_token_that_does_not_hold_a_state_is_refused():
    from itsdangerous import URLSafeSerializer

    for payload in (["ListRecords"], {"verb": "ListRecords"}, ["ListRecords", "oai_dc", None, None, None, None, 1, 0],
                    ["ListRecords", "oai_dc", "not a time", None, None, "2024-01-01T00:00:00", 1, 0]):
        with pytest.raises(tokens.BadToken):
            tokens.decode("key", URLSafeSerializer("key", salt="oai-pmh-resumption-token").dumps(payload))
