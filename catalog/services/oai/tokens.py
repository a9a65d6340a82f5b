"""Resumption tokens: where a list stopped (the keyset: last datestamp and id), with the list's own
arguments, signed so that a token the catalog did not make is refused rather than read.

A token holds no offset: records saved during a harvest move to the end of the datestamp order,
so they come later in the same harvest (or in the next incremental one), and nothing shifts
under the position a token names. Tokens do not expire.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from itsdangerous import BadData, URLSafeSerializer

_SALT = "oai-pmh-resumption-token"


class BadToken(ValueError):
    """A token this catalog did not make, or one that does not hold what a token holds."""


@dataclass(frozen=True)
class ListState:
    """A list request's arguments and how far it has gone."""

    verb: str
    metadata_prefix: str
    from_dt: Optional[dt.datetime]
    before_dt: Optional[dt.datetime]
    set_spec: Optional[str]
    #: The last record given: (its exact datestamp, its id).
    after: tuple[dt.datetime, int]
    #: How many records were given before the next page.
    cursor: int


def _time(value: Optional[dt.datetime]) -> Optional[str]:
    return None if value is None else value.replace(tzinfo=None).isoformat(timespec="microseconds")


def _parse_time(value) -> Optional[dt.datetime]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadToken("not a time")
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)


def encode(secret_key: str, state: ListState) -> str:
    """The token for a list state (UTC times, as they are stored)."""
    payload = [state.verb, state.metadata_prefix, _time(state.from_dt), _time(state.before_dt), state.set_spec,
               _time(state.after[0]), state.after[1], state.cursor]
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(payload)


def decode(secret_key: str, token: str) -> ListState:
    """The list state a token holds; BadToken when it was not made here or is not whole."""
    try:
        payload = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadData:
        raise BadToken("not a token of this catalog") from None
    try:
        verb, prefix, from_dt, before_dt, set_spec, after_dt, after_id, cursor = payload
        if not (isinstance(verb, str) and isinstance(prefix, str) and isinstance(after_id, int)
                and isinstance(after_dt, str)
                and isinstance(cursor, int) and (set_spec is None or isinstance(set_spec, str))):
            raise BadToken("malformed")
        return ListState(verb, prefix, _parse_time(from_dt), _parse_time(before_dt), set_spec,
                         (_parse_time(after_dt), after_id), cursor)
    except (TypeError, ValueError) as error:
        raise BadToken(str(error)) from None
