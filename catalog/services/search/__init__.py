"""Search and browse: one service over two engines (SQLite FTS5, PostgreSQL tsvector + GIN).

How it stays fast on a million passages (see the README, "Search and browse at scale"):
- visibility, kind of text and facet values are tokens in the index itself, so the hit count is
  one count over the full-text index, with no join;
- results are ranked by relevance only when there are at most RANK_LIMIT hits; larger hit sets
  are listed in catalogue order (ranking every hit of a very common word costs a second);
- facet counts on search results are exact when there are at most SAMPLE_SIZE hits, otherwise
  they are counted over the first SAMPLE_SIZE matching passages and the page says so;
- browse facets, sorting and paging run on an in-process numpy index of the testimonies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional

import numpy as np
from sqlalchemy.orm import Session

from ... import queries
from ...text import direction_of
from ...viewer import Viewer
from . import catalog_index, index_cache
from .catalog_index import DEFAULT_SORT, SORTS
from .documents import KIND_TAG
from .engines import Constraints, Hit, engine_for, records_for
from .facts import FACETS, RANK, STAFF_FACETS, embargo_tag, tag
from .normalise import tokens_with_offsets
from .query import ParsedQuery, QueryError, parse

__all__ = ["QueryError", "SCOPES", "SORTS", "all_hits", "browse", "browse_ids", "parse", "parse_filters", "search"]

#: What each scope searches: URL value -> (label, kinds of text).
SCOPES = {
    "all": ("All text", ()),
    "first_person": ("Speakers’ own words", ("first_person",)),
    "editorial": ("Framing and retellings (editorial, reported, questions)", ("editorial", "reported", "question")),
}
#: Rank hits by relevance only up to this many (ranking costs about a microsecond per hit).
RANK_LIMIT = 5000
#: Facet counts on search results are exact up to this many hits, else counted on this sample.
SAMPLE_SIZE = 2000
#: Passages per search page; testimonies per browse page.
SEARCH_PAGE_SIZE = 20
BROWSE_PAGE_SIZE = 50
#: Records matched by their details shown with a search (the most relevant first).
RECORD_PAGE_SIZE = 10
#: Values shown per facet before "more".
FACET_SIZE = 12
#: Words of context on each side of a highlighted match.
SNIPPET_WORDS = 14

ToggleUrl = Callable[[str, str, bool], str]


def viewer_rank(viewer: Viewer) -> int:
    return RANK[viewer.access]


def visible_facets(viewer: Viewer) -> list[str]:
    return [name for name in FACETS if name not in STAFF_FACETS or viewer.role is not None]


def parse_filters(viewer: Viewer, args) -> list[tuple[str, str]]:
    """(facet, value) pairs from request arguments, only for facets this viewer may use."""
    filters = []
    for name in visible_facets(viewer):
        for value in args.getlist(name):
            value = value.strip()
            if value and len(value) <= 200 and (name, value) not in filters:
                filters.append((name, value))
    return filters


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class FacetResult:
    name: str
    title: str
    values: tuple[FacetValue, ...]
    #: Values left out of `values` (shown behind a "show all" link).
    hidden: int = 0


def _ranked_entries(index, name: str, counts: np.ndarray, selected: set, rank: int) -> tuple:
    """(code, count, is selected) of one facet's values with a count (or selected) that this rank
    may see, most frequent first (years: then by year; others: then by label)."""
    data = index.facets[name]
    allowed = data.value_rank <= rank
    codes = np.flatnonzero((counts > 0) & allowed).tolist()
    present = [data.code_of(v) for f, v in selected if f == name]
    codes += [code for code in present if code is not None and not counts[code] and allowed[code]]
    numbers = counts.tolist()
    chosen = {data.lookup[v] for f, v in selected if f == name and v in data.lookup}
    entries = [(code, numbers[code], code in chosen) for code in codes]
    if name in ("year", "given"):
        entries.sort(key=lambda e: (-e[1], data.values[e[0]]))
    else:
        entries.sort(key=lambda e: (-e[1], data.labels[e[0]].casefold()))
    return tuple(entries)


def _facet_results(
    index, mask: np.ndarray, viewer: Viewer, filters: list[tuple[str, str]], toggle_url: ToggleUrl,
    expanded: Iterable[str] = (), unfiltered: bool = False,
) -> list[FacetResult]:
    """Facet values with their counts under `mask`. `unfiltered` says that mask is exactly what
    this viewer's rank may see, with no filter: the counts and their order are then the index's
    cached ones for that rank (the same for every unfiltered page until the index changes)."""
    rank = viewer_rank(viewer)
    selected = set(filters)
    results = []
    for name in visible_facets(viewer):
        data = index.facets[name]
        # Only values with a count (or selected) are shown; URLs are built for the shown ones only.
        if unfiltered and not selected:
            entries = index.cached(("entries", name, rank), lambda: _ranked_entries(
                index, name, index.visible_counts(name, rank), set(), rank))
        else:
            entries = _ranked_entries(index, name, index.counts(name, mask), selected, rank)
        limit = len(entries) if name in expanded else FACET_SIZE
        shown = list(entries[:limit]) + [e for e in entries[limit:] if e[2]]
        if name in ("year", "given"):
            shown.sort(key=lambda e: data.values[e[0]])
        values = tuple(
            FacetValue(data.values[code], data.labels[code], count, is_selected,
                       toggle_url(name, data.values[code], is_selected))
            for code, count, is_selected in shown
        )
        if values:
            results.append(FacetResult(name, FACETS[name], values, len(entries) - len(shown)))
    return results


# --- browse ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseResults:
    testimonies: tuple
    total: int
    page: int
    page_size: int
    sort: str
    facets: tuple[FacetResult, ...]
    filters: tuple[tuple[str, str], ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def browse(
    session: Session, viewer: Viewer, filters: list[tuple[str, str]], sort: str, page: int,
    toggle_url: ToggleUrl, expanded: Iterable[str] = (), page_size: int = BROWSE_PAGE_SIZE,
) -> BrowseResults:
    """One page of the testimonies this viewer may see, filtered and sorted, with facet counts."""
    index = index_cache.current(session)
    sort = sort if sort in SORTS else DEFAULT_SORT
    mask = index.mask(viewer_rank(viewer), filters)
    ids, total = index.page(mask, sort, page, page_size)
    summaries = queries.summaries_by_ids(session, viewer, ids)
    facets = _facet_results(index, mask, viewer, filters, toggle_url, expanded, unfiltered=not filters)
    return BrowseResults(tuple(summaries), total, page, page_size, sort, tuple(facets), tuple(filters))


def browse_ids(session: Session, viewer: Viewer, filters: list[tuple[str, str]], sort: str) -> np.ndarray:
    """Database ids of every testimony of the browse list (the same filters and sort), in order:
    what a download of the list holds. Records are read through the read layer, which checks
    each testimony's visibility again."""
    index = index_cache.current(session)
    return index.ordered_ids(index.mask(viewer_rank(viewer), filters), sort if sort in SORTS else DEFAULT_SORT)


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    segment_id: int
    kind: object
    number: Optional[int]
    language: str
    direction: str
    #: (text, is_match) pieces, escaped by the template.
    pieces: tuple[tuple[str, bool], ...]
    from_translation: bool = False


@dataclass(frozen=True)
class ResultGroup:
    testimony: Optional[object]
    source: Optional[object]
    snippets: tuple[Snippet, ...]


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    scope: str
    also_searched: tuple[str, ...]
    total: int
    groups: tuple[ResultGroup, ...]
    page: int
    page_size: int
    ranked: bool
    facets: tuple[FacetResult, ...]
    #: True when facet counts and the record count cover every hit; else a sample of SAMPLE_SIZE.
    exact: bool
    records: int
    filters: tuple[tuple[str, str], ...] = field(default=())
    sample_size: int = SAMPLE_SIZE
    #: Testimonies whose details (title, speakers, summary, occasion, places, claims) match,
    #: apart from the passage hits: the first RECORD_PAGE_SIZE, and how many match in all.
    record_matches: tuple["RecordMatch", ...] = field(default=())
    record_total: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def testimony_ids(self) -> list[str]:
        return [g.testimony.public_id for g in self.groups if g.testimony is not None]


@dataclass(frozen=True)
class RecordMatch:
    testimony: object
    #: Which of the details shown with the record hold the words ("title", "speaker", "occasion");
    #: empty when the match is in details not shown in the list (summary, places, claims).
    fields: tuple[str, ...]


def _record_matches(session: Session, viewer: Viewer, query: ParsedQuery, constraints: Constraints,
                    ranked: bool, limit: int) -> tuple[RecordMatch, ...]:
    hits = records_for(session.connection()).hits(query, constraints, limit, 0, ranked)
    summaries = queries.summaries_by_id(session, viewer, [h.testimony_id for h in hits])
    found = []
    for hit in hits:
        summary = summaries.get(hit.testimony_id)
        if summary is None:
            continue
        fields = [name for name, texts in (
            ("title", [summary.title]), ("speaker", [s.name for s in summary.speakers]),
            ("occasion", [summary.occasion_title or ""]),
        ) if any(_match_spans(tokens_with_offsets(text), query) for text in texts if text)]
        found.append(RecordMatch(summary, tuple(fields)))
    return tuple(found)


def _constraints(viewer: Viewer, scope: str, filters, embargoes: Iterable = ()) -> Constraints:
    """`embargoes`: the days of the embargoes not yet over (`queries.embargo_days`)."""
    kinds = SCOPES.get(scope, SCOPES["all"])[1]
    from ...models import SegmentKind

    return Constraints(
        rank=viewer_rank(viewer),
        kind_tags=tuple(KIND_TAG[SegmentKind(kind)] for kind in kinds),
        required_tags=tuple(tag(facet, value) for facet, value in filters),
        excluded_tags=() if viewer.is_staff else tuple(embargo_tag(day) for day in embargoes),
    )


def search(
    session: Session, viewer: Viewer, text: str, *, scope: str = "all", filters: list[tuple[str, str]] = (),
    page: int = 1, toggle_url: ToggleUrl = lambda *_: "", expanded: Iterable[str] = (),
    page_size: int = SEARCH_PAGE_SIZE,
) -> SearchResults:
    """Passages matching the query that this viewer may read, grouped by testimony (or by source
    for a source's own framing), with highlighted snippets, the hit count and facets.
    Raises QueryError with a reader's message for a query that cannot run."""
    scope = scope if scope in SCOPES else "all"
    parsed = parse(text)
    index = index_cache.current(session)
    rank = viewer_rank(viewer)
    query, also = index_cache.names(session).expand(parsed, rank)
    constraints = _constraints(viewer, scope, list(filters), queries.embargo_days(session))
    engine = engine_for(session.connection())
    # The hit count and the facet sample are the expensive part for common words, and the same
    # for every page of a search: computed once per search while the index is current.
    total, sample_testimonies, records = index.remembered(
        ("search", query, constraints), lambda: _count_and_sample(engine, query, constraints))
    ranked = total <= RANK_LIMIT
    hits = engine.hits(query, constraints, page_size, (page - 1) * page_size, ranked) if total else []
    exact = total <= SAMPLE_SIZE
    mask = index.mask_of_ids(sample_testimonies) & index.visible(rank)
    facets = _facet_results(index, mask, viewer, list(filters), toggle_url, expanded)
    groups = _groups(session, viewer, hits, query)
    record_matches, record_total = (), 0
    if scope == "all":
        # Records are matched by their details, which are no kind of passage: only when every
        # kind of text is searched. Facet filters apply to them as to passages.
        record_constraints = Constraints(rank=rank, required_tags=constraints.required_tags,
                                         excluded_tags=constraints.excluded_tags)
        records_engine = records_for(session.connection())
        record_total = index.remembered(("records", query, record_constraints),
                                        lambda: records_engine.count(query, record_constraints))
        if record_total:
            record_matches = _record_matches(session, viewer, query, record_constraints,
                                             record_total <= RANK_LIMIT, RECORD_PAGE_SIZE)
    return SearchResults(parsed, scope, also, total, tuple(groups), page, page_size, ranked, tuple(facets),
                         exact, records, tuple(filters), record_matches=record_matches, record_total=record_total)


#: Hits read per look-up by `all_hits`.
HIT_BATCH = 1000


def all_hits(
    session: Session, viewer: Viewer, text: str, *, scope: str = "all", filters: list[tuple[str, str]] = (),
    batch_size: int = HIT_BATCH,
) -> Iterator[list[Hit]]:
    """Every hit of the search this viewer may read, in catalogue (index) order, a batch at a
    time: what a download of the results holds. The query is parsed at once, so a query that
    cannot run raises QueryError before anything is read."""
    parsed = parse(text)
    query, _also = index_cache.names(session).expand(parsed, viewer_rank(viewer))
    constraints = _constraints(viewer, scope if scope in SCOPES else "all", list(filters),
                               queries.embargo_days(session))

    def batches() -> Iterator[list[Hit]]:
        after = 0
        # The session's connection is asked for each time: it may have been handed back between batches.
        while hits := engine_for(session.connection()).hits_after(query, constraints, after, batch_size):
            yield hits
            after = hits[-1].doc_id

    return batches()


def _count_and_sample(engine, query: ParsedQuery, constraints: Constraints) -> tuple[int, frozenset, int]:
    """The hit count, the testimonies of the first SAMPLE_SIZE hits (all of them when there are
    no more) and how many records (testimonies and sources) those hits belong to."""
    total = engine.count(query, constraints)
    if not total:
        return 0, frozenset(), 0
    sample = engine.sample(query, constraints, SAMPLE_SIZE)
    testimonies = frozenset(t for t, _ in sample if t is not None)
    sources = {s for t, s in sample if t is None}
    return total, testimonies, len(testimonies) + len(sources)


def _groups(session: Session, viewer: Viewer, hits, query: ParsedQuery) -> list[ResultGroup]:
    passages = queries.passages_by_ids(session, viewer, [h.segment_id for h in hits])
    summaries = queries.summaries_by_id(session, viewer, [h.testimony_id for h in hits if h.testimony_id is not None])
    sources = queries.source_refs_by_ids(session, viewer, [h.source_id for h in hits if h.testimony_id is None])
    order: dict[tuple, list] = {}
    for hit in hits:
        record = passages.get(hit.segment_id)
        if record is None:
            continue
        key = ("t", hit.testimony_id) if hit.testimony_id is not None else ("s", hit.source_id)
        order.setdefault(key, []).append(record)
    groups = []
    for (what, ident), records in order.items():
        testimony = summaries.get(ident) if what == "t" else None
        source = sources.get(ident) if what == "s" else None
        if testimony is None and source is None:
            continue
        groups.append(ResultGroup(testimony, source, tuple(snippet(r, query) for r in records)))
    return groups


# --- snippets -------------------------------------------------------------------------------


def _match_spans(words, query: ParsedQuery) -> list[tuple[int, int]]:
    spans = []
    folded = [w.text for w in words]
    for term in query.positive:
        for alt in term.alternatives:
            size = len(alt.tokens)
            for i in range(len(folded) - size + 1):
                ok = all(folded[i + j] == alt.tokens[j] for j in range(size - 1))
                last = folded[i + size - 1]
                ok = ok and (last.startswith(alt.tokens[-1]) if alt.prefix else last == alt.tokens[-1])
                if ok:
                    spans.append((i, i + size))
    return sorted(set(spans))


def _pieces(text: str, query: ParsedQuery) -> Optional[tuple[tuple[str, bool], ...]]:
    words = tokens_with_offsets(text)
    spans = _match_spans(words, query)
    if not spans:
        return None
    first = spans[0][0]
    lo = max(0, first - SNIPPET_WORDS)
    hi = min(len(words), first + SNIPPET_WORDS * 2)
    start = 0 if lo == 0 else words[lo].start
    end = len(text) if hi >= len(words) else words[hi - 1].end
    marks = sorted({(words[a].start, words[b - 1].end) for a, b in spans if a >= lo and b <= hi})
    pieces: list[tuple[str, bool]] = []
    if start > 0:
        pieces.append(("… ", False))
    cursor = start
    for a, b in marks:
        if a < cursor:
            continue
        if a > cursor:
            pieces.append((text[cursor:a], False))
        pieces.append((text[a:b], True))
        cursor = b
    pieces.append((text[cursor:end], False))
    if end < len(text):
        pieces.append((" …", False))
    return tuple(pieces)


def snippet(record, query: ParsedQuery) -> Snippet:
    """A window of the passage around its first match, matches marked; on the text the viewer
    may read (redactions already applied), or on its translation when the match is there."""
    pieces = _pieces(record.text, query)
    from_translation = False
    language, direction = record.language, record.direction
    if pieces is None and record.translation:
        pieces = _pieces(record.translation, query)
        if pieces is not None:
            from_translation = True
            language = record.translation_language or "en"
            direction = direction_of(language)
    if pieces is None:
        words = record.text.split()
        pieces = ((" ".join(words[: SNIPPET_WORDS * 2]) + (" …" if len(words) > SNIPPET_WORDS * 2 else ""), False),)
    return Snippet(record.id, record.kind, record.number, language, direction, pieces, from_translation)
