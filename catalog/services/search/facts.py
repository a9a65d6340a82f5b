"""What the browse facets and the search index know about each testimony, read in bulk from the
base tables (Core, no ORM), so `catalog reindex` and the in-memory facet index scale to 100k
testimonies and the index never needs anything but the base tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ...models import AccessLevel, Occasion, Place, PublicationState, Source, Testimony

#: Spans longer than this many years count only in their first and last year.
MAX_YEAR_SPAN = 60
#: Rank a viewer must reach to see a record: public 0, researcher 1, archivist 2.
RANK = {AccessLevel.PUBLIC: 0, AccessLevel.RESTRICTED: 1, AccessLevel.CONFIDENTIAL: 2}
STAFF_RANK = 2

#: The browse facets in display order: URL parameter -> heading.
FACETS = {
    "kind": "Kind of account",
    "place": "Place given at",
    "about": "Place spoken of",
    "year": "Year of the events",
    "given": "Year given",
    "status": "Corroboration",
    "lang": "Language",
    "source": "Source",
    "access": "Access level",
}
#: Facets only signed-in readers see (the public sees only public records anyway).
STAFF_FACETS = frozenset({"access"})
#: Short tag prefixes for the search index (letters only: tokens are letters and digits).
TAG_PREFIX = {"kind": "fa", "place": "fp", "about": "fb", "year": "fy", "given": "fg", "status": "fc", "lang": "fl",
              "source": "fs", "access": "fx"}


def embargo_tag(day: dt.date) -> str:
    """The index token on every passage of a testimony embargoed until this day: searches by
    anyone but archivists leave out the tags of the days still to come."""
    return f"em{day:%Y%m%d}"


def tag(facet: str, value: str) -> str:
    """The index token standing for a facet value (hex keeps any value a single token)."""
    return TAG_PREFIX[facet] + value.encode("utf-8").hex()


@dataclass(frozen=True)
class PlaceFacts:
    id: int
    key: str
    name: str
    parent_id: Optional[int]


@dataclass(frozen=True)
class TestimonyFacts:
    id: int
    public_id: str
    title: str
    language: str
    account_kind: str
    corroboration: str
    source_id: Optional[int]
    access: AccessLevel
    state: PublicationState
    is_deleted: bool
    events_lower: Optional[dt.date]
    events_upper: Optional[dt.date]
    given_lower: Optional[dt.date]
    given_upper: Optional[dt.date]
    place_id: Optional[int]
    created_dt: Optional[dt.datetime]
    #: The places it speaks of (browse_facts.fetch_about).
    about_ids: tuple[int, ...] = ()
    #: The day its embargo ends, if it has one (the search index tags its passages with it).
    embargo_until: Optional[dt.date] = None

    @property
    def visible_to(self) -> Optional[int]:
        """The lowest viewer rank that sees this testimony; None when nobody does (deleted)."""
        if self.is_deleted:
            return None
        if self.state is PublicationState.PUBLISHED:
            return RANK[self.access]
        return STAFF_RANK


def load_places(connection: Connection) -> dict[int, PlaceFacts]:
    rows = connection.execute(select(Place.id, Place.key, Place.name, Place.parent_id))
    return {row.id: PlaceFacts(row.id, row.key, row.name, row.parent_id) for row in rows}


def place_chain(places: dict[int, PlaceFacts], place_id: Optional[int]) -> list[PlaceFacts]:
    """The place and its parents, nearest first (cycles cut)."""
    chain, seen = [], set()
    while place_id is not None and place_id in places and place_id not in seen:
        seen.add(place_id)
        chain.append(places[place_id])
        place_id = places[place_id].parent_id
    return chain


def load_sources(connection: Connection) -> dict[int, tuple[str, str, AccessLevel]]:
    rows = connection.execute(select(Source.id, Source.key, Source.title, Source.access_level))
    return {row.id: (row.key, row.title, row.access_level) for row in rows}


_FACT_COLUMNS = (
    Testimony.id, Testimony.public_id, Testimony.title, Testimony.language, Testimony.account_kind,
    Testimony.corroboration_status, Testimony.source_id, Testimony.access_level, Testimony.publication_state,
    Testimony.is_deleted, Testimony.events_date_lower, Testimony.events_date_upper, Occasion.date_lower,
    Occasion.date_upper, Occasion.place_id, Testimony.created_dt, Testimony.embargo_until,
)


def load_facts(connection: Connection, testimony_ids: Optional[Iterable[int]] = None) -> dict[int, TestimonyFacts]:
    from .browse_facts import fetch_about

    statement = select(*_FACT_COLUMNS).outerjoin(Occasion, Testimony.occasion_id == Occasion.id)
    facts: dict[int, TestimonyFacts] = {}
    if testimony_ids is not None:
        ids = list(testimony_ids)
        about = fetch_about(connection, ids)
        for start in range(0, len(ids), 900):
            for row in connection.execute(statement.where(Testimony.id.in_(ids[start:start + 900]))):
                facts[row[0]] = _fact(row, about.get(row[0], ()))
        return facts
    about = fetch_about(connection)
    for row in connection.execute(statement.order_by(Testimony.id)):
        facts[row[0]] = _fact(row, about.get(row[0], ()))
    return facts


def _fact(row, about: tuple[int, ...] = ()) -> TestimonyFacts:
    return TestimonyFacts(
        id=row[0], public_id=row[1], title=row[2], language=row[3] or "", account_kind=row[4].value,
        corroboration=row[5].value, source_id=row[6], access=row[7], state=row[8], is_deleted=bool(row[9]),
        events_lower=row[10], events_upper=row[11], given_lower=row[12], given_upper=row[13], place_id=row[14],
        created_dt=row[15], embargo_until=row[16], about_ids=about,
    )


def _years(lower: Optional[dt.date], upper: Optional[dt.date]) -> list[str]:
    if lower is None and upper is None:
        return []
    first = (lower or upper).year
    last = (upper or lower).year
    if last < first:
        first, last = last, first
    if last - first > MAX_YEAR_SPAN:
        return [str(first), str(last)]
    return [str(year) for year in range(first, last + 1)]


def facet_values(
    facts: TestimonyFacts, places: dict[int, PlaceFacts], sources: dict[int, tuple[str, str, AccessLevel]]
) -> dict[str, list[str]]:
    """Each facet's values for one testimony (several for places with parents and year spans)."""
    values = {
        "kind": [facts.account_kind],
        "place": [place.key for place in place_chain(places, facts.place_id)],
        "about": list(dict.fromkeys(place.key for about_id in facts.about_ids
                                    for place in place_chain(places, about_id))),
        "year": _years(facts.events_lower, facts.events_upper),
        "given": _years(facts.given_lower, facts.given_upper),
        "status": [facts.corroboration],
        "lang": [facts.language] if facts.language else [],
        "source": [sources[facts.source_id][0]] if facts.source_id in sources else [],
        "access": [facts.access.value],
    }
    return values
