"""From base rows to index rows: one row per segment and distinct audience view of it.

A segment with redactions has one row per different text an audience reads (the public's, with
the restricted span cut out; the researcher's, with it), so a viewer's search never matches words
they may not read. Visibility, kind and facet values ride along as tag tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ...models import Redaction, Segment, SegmentKind
from .facts import RANK, PlaceFacts, TestimonyFacts, embargo_tag, facet_values, tag
from .normalise import tokens

#: Viewer ranks: public, researcher, archivist.
RANKS = (0, 1, 2)
KIND_TAG = {
    SegmentKind.FIRST_PERSON: "kfp",
    SegmentKind.EDITORIAL: "ked",
    SegmentKind.QUESTION: "kqu",
    SegmentKind.REPORTED: "krp",
}
#: What stands in the index where a reader may not read (the page shows "[redacted]").
REDACTED_TOKEN = "redacted"


def hidden_tag(rank: int) -> str:
    return f"h{rank}"


@dataclass(frozen=True)
class IndexRow:
    id: int
    segment_id: int
    testimony_id: Optional[int]
    source_id: Optional[int]
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


SEGMENT_COLUMNS = (
    Segment.id, Segment.testimony_id, Segment.source_id, Segment.kind, Segment.text, Segment.translation,
    Segment.access_level,
)


def load_redactions(connection: Connection, segment_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for start in range(0, len(segment_ids), 900):
        chunk = segment_ids[start:start + 900]
        rows = connection.execute(
            select(Redaction.segment_id, Redaction.start, Redaction.end, Redaction.access_level).where(
                Redaction.segment_id.in_(chunk)
            )
        )
        for row in rows:
            spans.setdefault(row[0], []).append((row[1], row[2], RANK[row[3]]))
    return spans


def _cut(text: str, hidden: list[tuple[int, int, int]]) -> str:
    if not hidden:
        return text
    pieces, cursor = [], 0
    for start, end, _rank in sorted(hidden):
        start = max(start, cursor)
        if start > cursor:
            pieces.append(text[cursor:start])
        if end > start:
            pieces.append(f" {REDACTED_TOKEN} ")
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return "".join(pieces)


def _body(text: str, translation: Optional[str], hidden: list[tuple[int, int, int]]) -> str:
    """What one audience's index row of a segment holds: its text with the spans hidden from that
    audience cut out, and its translation when nothing is hidden."""
    body = _cut(text, hidden)
    if translation and not hidden:
        body = f"{body}\n{translation}"
    return body


#: The tokens of index row bodies worked out in advance: body -> tokens.
Tokenised = dict[str, tuple[str, ...]]


def tokenise_ahead(tokenised: Tokenised, text: str, translation: Optional[str],
                   spans: Iterable[tuple[int, int, int]]) -> None:
    """Add the tokens of every body a segment's index rows may hold (for each audience rank), so
    that the write indexing it only looks them up. Pure: a save does this before its write lock."""
    spans = list(spans)
    for rank in RANKS:
        body = _body(text, translation, [span for span in spans if span[2] > rank])
        if body not in tokenised:
            tokenised[body] = tuple(tokens(body))


def segment_rows(
    segment,
    facts: dict[int, TestimonyFacts],
    places: dict[int, PlaceFacts],
    sources: dict,
    redactions: dict[int, list[tuple[int, int, int]]],
    facet_cache: Optional[dict[int, tuple[str, ...]]] = None,
    tokenised: Optional[Tokenised] = None,
) -> list[IndexRow]:
    """The index rows of one segment (a row from SEGMENT_COLUMNS); none when nobody may read it.
    `tokenised`: bodies already tokenised (`tokenise_ahead`); any other is tokenised here."""
    seg_id, testimony_id, source_id, kind, text, translation, access = segment
    base = RANK[access]
    facet_tags: tuple[str, ...] = ()
    if testimony_id is not None:
        testimony = facts.get(testimony_id)
        if testimony is None or testimony.visible_to is None:
            return []
        base = max(base, testimony.visible_to)
        if facet_cache is not None and testimony_id in facet_cache:
            facet_tags = facet_cache[testimony_id]
        else:
            facet_tags = tuple(
                tag(facet, value)
                for facet, values in facet_values(testimony, places, sources).items()
                for value in values
            )
            if facet_cache is not None:
                facet_cache[testimony_id] = facet_tags
    elif source_id is not None:
        if source_id not in sources:
            return []
        base = max(base, RANK[sources[source_id][2]])
        facet_tags = (tag("source", sources[source_id][0]),)
    else:
        return []
    if testimony_id is not None and facts[testimony_id].embargo_until is not None:
        facet_tags = (*facet_tags, embargo_tag(facts[testimony_id].embargo_until))
    spans = redactions.get(seg_id, [])
    # Group the audiences that read the same text: each group gets one row.
    groups: dict[tuple, list[int]] = {}
    for rank in RANKS:
        if rank >= base:
            hidden = tuple(sorted(span for span in spans if span[2] > rank))
            groups.setdefault(hidden, []).append(rank)
    rows = []
    for hidden, ranks in groups.items():
        body = _body(text, translation, list(hidden))
        found = tokenised.get(body) if tokenised else None
        tags = (KIND_TAG[kind], *(hidden_tag(r) for r in RANKS if r not in ranks), *facet_tags)
        rows.append(IndexRow(seg_id * 4 + ranks[0], seg_id, testimony_id, source_id,
                             found if found is not None else tuple(tokens(body)), tags))
    return rows


def build_rows(
    segments: Iterable,
    facts: dict[int, TestimonyFacts],
    places: dict[int, PlaceFacts],
    sources: dict,
    redactions: dict[int, list[tuple[int, int, int]]],
    facet_cache: Optional[dict] = None,
    tokenised: Optional[Tokenised] = None,
) -> list[IndexRow]:
    """The index rows of these segments, from values alone (no database: a full rebuild derives
    them in other processes)."""
    rows: list[IndexRow] = []
    for segment in segments:
        rows.extend(segment_rows(segment, facts, places, sources, redactions, facet_cache, tokenised))
    return rows


def rows_for_segments(
    connection: Connection,
    segments: Iterable,
    facts: dict[int, TestimonyFacts],
    places: dict[int, PlaceFacts],
    sources: dict,
    facet_cache: Optional[dict] = None,
    tokenised: Optional[Tokenised] = None,
) -> list[IndexRow]:
    segments = list(segments)
    redactions = load_redactions(connection, [s[0] for s in segments])
    return build_rows(segments, facts, places, sources, redactions, facet_cache, tokenised)
