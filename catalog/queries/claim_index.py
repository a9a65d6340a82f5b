"""The claims index: every claim the viewer may read, filtered by facets and words, a page at a
time, with each facet's counts taken in SQL (GROUP BY over the readable, filtered set) so it stays
quick at several hundred thousand claims. Nothing is loaded whole but the places (a small table,
read to walk its hierarchy, as the browse place facet does)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import ColumnElement, and_, extract, func, or_, select
from sqlalchemy.orm import Session

from ..models import Agent, Claim, ClaimKind, CorroborationStatus, Place, Segment, Source, Testimony
from ..viewer import Viewer
from .records import AgentRef, PlaceRef
from .freshness import content_token
from .visibility import agent_ref_of, readable_claims

#: Claims on one page of the index.
PAGE_SIZE = 50
#: Values a facet shows before "show all".
FACET_SIZE = 12
#: Spans longer than this many years count only in their first and last year (as browse does).
MAX_YEAR_SPAN = 60
#: Words of a search, at most.
MAX_WORDS = 10

#: The facets in display order: URL parameter -> heading.
CLAIM_FACETS = {
    "kind": "Kind of claim",
    "status": "Corroboration of its testimony",
    "speaker": "Who claims it",
    "place": "Place",
    "year": "Period",
}


@dataclass(frozen=True)
class ClaimSummary:
    """One claim in the index: what it says, who says it, and where it stands."""

    key: str
    kind: str
    statement: str
    excerpt: str
    speaker: Optional[AgentRef]
    testimony_id: Optional[str]
    testimony_title: Optional[str]
    segment_number: Optional[int]
    source_key: Optional[str]
    #: The corroboration status of the testimony the claim is made in (None on a source's text).
    status: Optional[str]
    scope_place: Optional[PlaceRef]
    scope_period_edtf: Optional[str]


@dataclass(frozen=True)
class ClaimFacetCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ClaimIndexPage:
    claims: tuple[ClaimSummary, ...]
    total: int
    page: int
    page_size: int
    #: Facet name -> its values with counts, most frequent first (years: in year order).
    facets: dict[str, tuple[ClaimFacetCount, ...]] = field(default_factory=dict)
    #: Facet name -> how many values were left out (the rest behind "show all").
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ClaimQuery:
    """What the reader asked for: facet values (several of one facet: any of them) and words."""

    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    speaker: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    text: str = ""

    @classmethod
    def from_args(cls, args) -> "ClaimQuery":
        def values(name: str) -> tuple[str, ...]:
            seen: list[str] = []
            for value in args.getlist(name):
                # NUL can be in no stored value (and PostgreSQL refuses it in a query).
                value = value.replace("\x00", "").strip()
                if value and len(value) <= 200 and value not in seen:
                    seen.append(value)
            return tuple(seen)

        return cls(*(values(name) for name in CLAIM_FACETS), text=(args.get("q") or "").replace("\x00", "").strip()[:200])

    def selected(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)

    @property
    def filtered(self) -> bool:
        return bool(self.text or any(self.selected(name) for name in CLAIM_FACETS))


class _Places:
    """The place hierarchy, read once per request (places are few)."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Place.id, Place.key, Place.name, Place.parent_id)).all()
        self.by_id = {row[0]: row for row in rows}
        self.by_key = {row[1]: row for row in rows}
        self.children: dict[int, list[int]] = {}
        for row in rows:
            if row[3] is not None:
                self.children.setdefault(row[3], []).append(row[0])

    def chain(self, place_id: int) -> list[int]:
        """The place and its parents, nearest first (cycles cut)."""
        chain: list[int] = []
        while place_id is not None and place_id in self.by_id and place_id not in chain:
            chain.append(place_id)
            place_id = self.by_id[place_id][3]
        return chain

    def within(self, place_id: int) -> set[int]:
        """The place and every place within it."""
        found, todo = set(), [place_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.children.get(current, ()))
        return found

    def ref(self, place_id: int) -> PlaceRef:
        chain = self.chain(place_id)
        return PlaceRef(self.by_id[place_id][1], self.by_id[place_id][2],
                        tuple(self.by_id[p][2] for p in chain[1:]))

    def label(self, place_id: int) -> str:
        return ", ".join(self.by_id[p][2] for p in self.chain(place_id))


_DIGITS = re.compile(r"[0-9]{1,12}")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _speaker_ids(session: Session, viewer: Viewer, values: Iterable[str]) -> list[int]:
    """The agents the speaker facet's values name. A protected person the viewer may not identify
    is named only as `protected-<id>` (as their pseudonym links are), never by their own key: a
    filter by key must not tie the pseudonym to the person."""
    ids = []
    for value in values:
        if value.startswith("protected-") and _DIGITS.fullmatch(value[10:]):
            # An id beyond the column's range names no one (and must not reach the database).
            agent = session.get(Agent, int(value[10:])) if int(value[10:]) < 2**31 else None
            if agent is not None and agent.is_protected and not viewer.may_read(agent.identity_access):
                ids.append(agent.id)
        else:
            agent = session.scalar(select(Agent).where(Agent.key == value))
            if agent is not None and (not agent.is_protected or viewer.may_read(agent.identity_access)):
                ids.append(agent.id)
    return ids


def _year_condition(year: str) -> Optional[ColumnElement[bool]]:
    if not _DIGITS.fullmatch(year) or len(year) > 4 or not 1 <= int(year) <= 9999:
        return None
    number = int(year)
    return and_(Claim.scope_period_lower <= dt.date(number, 12, 31), Claim.scope_period_upper >= dt.date(number, 1, 1))


def _conditions(session: Session, viewer: Viewer, query: ClaimQuery, places: _Places) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions on the readable claims (joined to segment, testimony, source).
    A value that names nothing matches nothing."""
    never = Claim.id.is_(None)
    conditions: list[ColumnElement[bool]] = []
    if query.kind:
        kinds = [k for k in query.kind if k in ClaimKind._value2member_map_]
        conditions.append(Claim.kind.in_([ClaimKind(k) for k in kinds]) if kinds else never)
    if query.status:
        statuses = [s for s in query.status if s in CorroborationStatus._value2member_map_]
        conditions.append(Testimony.corroboration_status.in_([CorroborationStatus(s) for s in statuses])
                          if statuses else never)
    if query.speaker:
        ids = _speaker_ids(session, viewer, query.speaker)
        conditions.append(Claim.speaker_id.in_(ids) if ids else never)
    if query.place:
        ids: set[int] = set()
        for key in query.place:
            if key in places.by_key:
                ids |= places.within(places.by_key[key][0])
        conditions.append(Claim.scope_place_id.in_(sorted(ids)) if ids else never)
    if query.year:
        years = [c for c in (_year_condition(y) for y in query.year) if c is not None]
        conditions.append(or_(*years) if years else never)
    words = query.text.split()[:MAX_WORDS]
    for word in words:
        pattern = _like(word)
        conditions.append(or_(Claim.statement.ilike(pattern, escape="\\"), Claim.excerpt.ilike(pattern, escape="\\")))
    return conditions


def _filtered(statement, viewer: Viewer, conditions: list):
    return readable_claims(statement, viewer).where(*conditions)


def _ranked(counts: list[ClaimFacetCount], selected: Iterable[str], expanded: bool) -> tuple[tuple, int]:
    """Most frequent first (then by label), cut to FACET_SIZE unless expanded; selected values
    always shown."""
    counts.sort(key=lambda c: (-c.count, c.label.casefold()))
    chosen = set(selected)
    if expanded:
        return tuple(counts), 0
    shown = counts[:FACET_SIZE] + [c for c in counts[FACET_SIZE:] if c.value in chosen]
    return tuple(shown), len(counts) - len(shown)


def claim_index(session: Session, viewer: Viewer, query: ClaimQuery, page: int = 1,
                page_size: int = PAGE_SIZE, expanded: Iterable[str] = ()) -> ClaimIndexPage:
    """One page of the claims this viewer may read that match `query`, with the facets' counts
    over all of them (readable claims only: nothing hidden is counted)."""
    places = _Places(session)
    expanded = set(expanded)
    conditions = _conditions(session, viewer, query, places)
    rows = session.execute(
        _filtered(
            select(
                Claim.key, Claim.kind, Claim.statement, Claim.excerpt, Claim.scope_place_id, Claim.scope_period_edtf,
                Segment.number, Testimony.public_id, Testimony.title, Testimony.corroboration_status, Source.key,
                Agent.id, Agent.key, Agent.preferred_name, Agent.kind, Agent.is_protected, Agent.public_pseudonym,
                Agent.identity_access,
            ).outerjoin(Agent, Agent.id == Claim.speaker_id),
            viewer, conditions,
        ).order_by(Claim.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    claims = tuple(
        ClaimSummary(
            key=row[0], kind=row[1].value, statement=row[2], excerpt=row[3],
            speaker=agent_ref_of(viewer, *row[11:18]) if row[11] is not None else None,
            testimony_id=row[7], testimony_title=row[8], segment_number=row[6] if row[7] else None,
            source_key=row[10], status=row[9].value if row[9] is not None else None,
            scope_place=places.ref(row[4]) if row[4] in places.by_id else None, scope_period_edtf=row[5],
        )
        for row in rows
    )
    if page == 1 and not claims:
        return ClaimIndexPage(claims, 0, page, page_size)
    total, counts = _counted(session, viewer, query, conditions, places)
    facets, hidden = {}, {}
    for name, values in counts.items():
        facets[name], hidden[name] = _ranked(list(values), query.selected(name), name in expanded)
    facets["year"] = tuple(sorted(facets.get("year", ()), key=lambda c: int(c.value)))
    return ClaimIndexPage(claims, total, page, page_size, facets, hidden)


#: Facet counts already taken, by (content token, viewer role, query): any write to the records
#: changes the token, so an entry is never served stale. A count reads every matching claim
#: (a second or more at several hundred thousand), so a page asked for again costs only its rows.
_COUNTS: "OrderedDict[tuple, tuple]" = OrderedDict()
_COUNTS_KEPT = 256
_COUNTS_LOCK = threading.Lock()


def _counted(session: Session, viewer: Viewer, query: ClaimQuery, conditions: list, places: _Places):
    token = content_token(session)
    key = (token, viewer.role, query) if token is not None else None
    if key is not None:
        with _COUNTS_LOCK:
            if key in _COUNTS:
                _COUNTS.move_to_end(key)
                return _COUNTS[key]
    found = _facet_counts(session, viewer, conditions, places)
    if key is not None:
        with _COUNTS_LOCK:
            _COUNTS[key] = found
            while len(_COUNTS) > _COUNTS_KEPT:
                _COUNTS.popitem(last=False)
    return found


def _facet_counts(session: Session, viewer: Viewer, conditions: list, places: _Places) -> tuple[int, dict]:
    """The number of matching claims and each facet's counts, from one GROUP BY over the readable,
    filtered claims (one pass over them, however many facets)."""
    lower, upper = extract("year", Claim.scope_period_lower), extract("year", Claim.scope_period_upper)
    columns = (Claim.kind, Testimony.corroboration_status, Claim.speaker_id, Claim.scope_place_id, lower, upper)
    groups = session.execute(
        _filtered(select(*columns, func.count(Claim.id)), viewer, conditions).group_by(*columns)
    ).all()
    total = 0
    by_kind: dict = {}
    by_status: dict = {}
    by_speaker: dict[int, int] = {}
    by_place: dict[int, int] = {}
    by_year: dict[int, int] = {}
    for kind, status, speaker_id, place_id, first, last, n in groups:
        total += n
        by_kind[kind] = by_kind.get(kind, 0) + n
        if status is not None:
            by_status[status] = by_status.get(status, 0) + n
        if speaker_id is not None:
            by_speaker[speaker_id] = by_speaker.get(speaker_id, 0) + n
        # Place: a claim counts in its scope place and in every place that holds it.
        for held_in in places.chain(place_id) if place_id is not None else ():
            by_place[held_in] = by_place.get(held_in, 0) + n
        # Period: a claim counts in each year its scope period spans (a long span in its first and last).
        if first is not None and last is not None:
            first, last = int(first), int(last)
            for year in set((first, last) if last - first > MAX_YEAR_SPAN else range(first, last + 1)):
                by_year[year] = by_year.get(year, 0) + n
    # Who claims it: each named as this viewer may see them.
    agents = {}
    wanted = list(by_speaker)
    for start in range(0, len(wanted), 500):
        for row in session.execute(select(
            Agent.id, Agent.key, Agent.preferred_name, Agent.kind, Agent.is_protected, Agent.public_pseudonym,
            Agent.identity_access,
        ).where(Agent.id.in_(wanted[start:start + 500]))):
            agents[row[0]] = agent_ref_of(viewer, *row)
    counts = {
        "kind": tuple(ClaimFacetCount(kind.value, kind.label, n) for kind, n in by_kind.items()),
        "status": tuple(ClaimFacetCount(status.value, status.label, n) for status, n in by_status.items()),
        "speaker": tuple(ClaimFacetCount(agents[a].key, agents[a].name, n) for a, n in by_speaker.items() if a in agents),
        "place": tuple(ClaimFacetCount(places.by_id[p][1], places.label(p), n) for p, n in by_place.items()),
        "year": tuple(ClaimFacetCount(str(y), str(y), n) for y, n in by_year.items()),
    }
    return total, counts
