"""Each testimony as the browse index holds it: the facts read from its row (one plain SQL query,
no ORM), its facet values, visibility rank and sort keys, and the labels readers see for facet
values (places and sources read in full: they are small tables)."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import AccessLevel, AccountKind, CorroborationStatus
from ...text import language_name
from .facts import MAX_YEAR_SPAN, RANK, STAFF_RANK, load_places, load_sources, place_chain

#: Rank given to deleted testimonies: above every viewer.
NEVER = 9


class Labels:
    """Places and sources as the facets show them: read in full (they are small tables) at a
    build and again whenever a change row says they changed."""

    def __init__(self, connection) -> None:
        self.places = load_places(connection)
        sources = load_sources(connection)
        self.chains = {pid: [p.key for p in place_chain(self.places, pid)] for pid in self.places}
        self.source_keys = {sid: key for sid, (key, _title, _level) in sources.items()}
        self.place_by_key = {p.key: p for p in self.places.values()}
        self.source_by_key = {key: (title, level) for key, title, level in sources.values()}

    def label(self, name: str, value: str) -> tuple[str, int]:
        """What readers see for a facet value, and the lowest rank that may see it."""
        label, rank = value, 0
        if name == "kind":
            label = AccountKind(value).label if value in AccountKind._value2member_map_ else value
        elif name == "status":
            label = CorroborationStatus(value).label if value in CorroborationStatus._value2member_map_ else value
        elif name in ("place", "about") and value in self.place_by_key:
            label = ", ".join(p.name for p in place_chain(self.places, self.place_by_key[value].id))
        elif name == "source" and value in self.source_by_key:
            label, level = self.source_by_key[value]
            rank = RANK[level]
        elif name == "lang":
            label = language_name(value)
        elif name == "access" and value in AccessLevel._value2member_map_:
            label = AccessLevel(value).label
            rank = RANK[AccessLevel(value)]
        return label, rank


FACT_SQL = (
    "SELECT t.id, t.public_id, t.title, t.language, t.account_kind, t.corroboration_status, t.source_id, "
    "t.access_level, t.publication_state, t.is_deleted, t.events_date_lower, t.events_date_upper, "
    "o.date_lower, o.date_upper, o.place_id, t.created_dt, t.embargo_until "
    "FROM testimonies t LEFT JOIN occasions o ON o.id = t.occasion_id"
)
_RANK_BY_VALUE = {level.value: rank for level, rank in RANK.items()}


def day_number(value) -> int:
    """A date as the index compares days (20270131)."""
    return _day(value)


def _day(value) -> int:
    """A date (or its ISO text, as SQLite returns it) as a sortable integer; 0 when unknown."""
    if value is None:
        return 0
    text = str(value)
    return int(text[0:4]) * 10000 + int(text[5:7]) * 100 + int(text[8:10])


def _span(lower: int, upper: int) -> list[str]:
    if not lower and not upper:
        return []
    first, last = (lower or upper) // 10000, (upper or lower) // 10000
    if last < first:
        first, last = last, first
    if last - first > MAX_YEAR_SPAN:
        return [str(first), str(last)]
    return [str(year) for year in range(first, last + 1)]


@dataclass
class BrowseRow:
    """One testimony's row as the index holds it."""

    visible_to: int
    values: list[tuple[str, str]]
    events: tuple[int, int]
    given: tuple[int, int]
    public_id: str
    title: str
    created: str
    #: The day its embargo ends (as `_day` gives it), 0 when it has none.
    embargo: int = 0


def derive(row, labels: Labels, spans: dict, today: int, about: tuple = ()) -> BrowseRow:
    """`today`: the day (as `_day` gives it) against which an embargo is read: an embargoed
    testimony is the staff's alone until its day. `about`: the ids of the places the testimony
    speaks of (`fetch_about`)."""
    (_id, public_id, title, language, kind, status, source_id, access, state, deleted,
     ev_lo, ev_hi, gv_lo, gv_hi, place_id, created, embargo_until) = row
    embargo = _day(embargo_until)
    if deleted:
        visible_to = NEVER
    elif state == "published" and embargo <= today:
        visible_to = _RANK_BY_VALUE[access]
    else:
        visible_to = STAFF_RANK
    values = [(facet, value) for facet, value in (("kind", kind), ("status", status), ("lang", language),
                                                  ("access", access)) if value]
    if source_id in labels.source_keys:
        values.append(("source", labels.source_keys[source_id]))
    values.extend(("place", key) for key in labels.chains.get(place_id, ()))
    if about:
        values.extend(("about", key) for key in dict.fromkeys(
            key for about_id in about for key in labels.chains.get(about_id, ())))
    events, given = (_day(ev_lo), _day(ev_hi)), (_day(gv_lo), _day(gv_hi))
    for facet, key in (("year", events), ("given", given)):
        if key not in spans:
            spans[key] = _span(*key)
        values.extend((facet, year) for year in spans[key])
    return BrowseRow(visible_to, values, events, given, public_id, (title or "").casefold(), str(created or ""),
                     embargo)




def fetch_facts(connection, ids: list[int]) -> dict[int, tuple]:
    """The fact rows of these testimonies, as the full build reads them. Plain driver SQL: this
    runs on the first read after every save, where compiling a statement is most of its cost."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found = {}
    for start in range(0, len(ids), 900):
        chunk = tuple(ids[start:start + 900])
        sql = f"{FACT_SQL} WHERE t.id IN ({', '.join([mark] * len(chunk))})"
        for row in connection.exec_driver_sql(sql, chunk):
            found[row[0]] = tuple(row)
    return found


#: The places each testimony speaks of: those archivists set, and the scope places of its claims
#: on passages everyone may read (a claim on a restricted passage must not tell the public, by a
#: facet, what it is about).
ABOUT_SQL = (
    "SELECT testimony_id, place_id FROM testimony_places{where_set} "
    "UNION SELECT s.testimony_id, c.scope_place_id FROM claims c JOIN segments s ON s.id = c.segment_id "
    "WHERE c.scope_place_id IS NOT NULL AND s.testimony_id IS NOT NULL AND s.access_level = 'public'{where_claim}"
)


def fetch_about(connection, ids=None) -> dict[int, tuple[int, ...]]:
    """testimony id -> the ids of the places it speaks of (for every testimony when `ids` is None)."""
    found: dict[int, list[int]] = {}
    if ids is None:
        chunks = [None]
    else:
        ids = list(ids)
        chunks = [tuple(ids[start:start + 450]) for start in range(0, len(ids), 450)]
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    for chunk in chunks:
        if chunk is None:
            sql, params = ABOUT_SQL.format(where_set="", where_claim=""), ()
        elif not chunk:
            continue
        else:
            marks = ", ".join([mark] * len(chunk))
            sql = ABOUT_SQL.format(where_set=f" WHERE testimony_id IN ({marks})",
                                   where_claim=f" AND s.testimony_id IN ({marks})")
            params = chunk + chunk
        for testimony_id, place_id in connection.exec_driver_sql(sql, params):
            found.setdefault(testimony_id, []).append(place_id)
    return {tid: tuple(sorted(places)) for tid, places in found.items()}
