"""CSV downloads of browse lists, search results and the whole catalog: a row per testimony or a
row per passage, cut for the viewer through the read layer, and streamed.

A download reads the catalog a batch at a time (`queries.testimony_rows`, `search.all_hits`) and
writes as it reads, so a catalog of 100,000 testimonies and millions of passages is never held in
memory. Rows per passage have the columns of the CSV import (services/imports/csv_format.py), so an
archivist's download is shaped like an import file; rows per testimony name their fields as the JSON
export does. Every cell a spreadsheet would run as a formula is written with a quote before it
(`csv_format.escape_cell`), which the import takes off again.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Sequence

from sqlalchemy.orm import Session

from .. import queries
from ..queries import SegmentRecord, TestimonyRow
from ..sanitize import plain_text, sanitize_html
from ..viewer import Viewer
from . import search as search_service
from .imports.csv_format import COLUMNS as IMPORT_COLUMNS
from .imports.csv_format import escape_cell

#: What a row stands for: URL value -> words for the page.
ROWS = {"testimonies": "a row per testimony", "passages": "a row per passage"}

#: Columns of a row per testimony, with what each holds (names as in the JSON export where it has them).
TESTIMONY_COLUMNS: dict[str, str] = {
    "id": "Public identifier (T-0001).",
    "title": "The testimony's title.",
    "account_kind": "Kind of account (eyewitness, survivor, …).",
    "language": "BCP 47 tag of the testimony's language.",
    "events_date": "EDTF date of the events told.",
    "speakers": "The speakers' names as the reader may see them (a protected person by pseudonym only), separated by \"; \".",
    "speaker_keys": "The speakers' keys in the same order (a protected person: protected-<n>, as in the page's link).",
    "occasion": "Key of the occasion the testimony was given on.",
    "occasion_title": "Its title.",
    "occasion_date": "EDTF date of the occasion (when the testimony was given).",
    "place": "Where it was given, with the places it lies within (\"Evin Prison, Tehran, Iran\").",
    "about_places": "Keys of the places it speaks of, as archivists set them, separated by \"; \".",
    "source": "Key of the source the testimony was taken from.",
    "source_title": "That source's title.",
    "access_level": "public, restricted or confidential.",
    "publication_state": "draft, published or withdrawn (readers without an account see published ones only).",
    "corroboration_status": "unverified, partially_corroborated, corroborated, contested or retracted.",
    "summary": "The archivist's summary as plain text (a line per paragraph).",
    "passages": "How many of its passages the reader may read.",
    "revision": "Its revision number (the printed transcript's footer names the same).",
    "permalink": "The testimony's permanent address.",
}

#: Columns of a row per passage: the import's columns, then what a download has beyond them.
PASSAGE_COLUMNS: dict[str, str] = {
    **IMPORT_COLUMNS,
    "permalink": "The passage's permanent address (the testimony's, with #p and its ¶ number); read past on import.",
}

#: Bytes of CSV gathered before they are sent on.
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Links:
    """The permanent addresses of records (the web layer builds them)."""

    testimony: Callable[[str], str]
    source: Callable[[str], str]


def encode(columns: Sequence[str], rows: Iterable[Sequence], *, bom: bool = False) -> Iterator[bytes]:
    """The CSV file, UTF-8 (with a byte-order mark when asked), in chunks as the rows come."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([escape_cell("" if cell is None else str(cell)) for cell in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- rows -----------------------------------------------------------------------------------


def testimony_line(t: TestimonyRow, links: Links) -> list:
    occasion = t.occasion
    return [
        t.public_id, t.title, t.account_kind, t.language, t.events_date_edtf,
        "; ".join(s.name for s in t.speakers), "; ".join(s.key for s in t.speakers),
        occasion.key if occasion else None, occasion.title if occasion else None,
        occasion.date_edtf if occasion else None,
        occasion.place.full_name if occasion and occasion.place else None,
        "; ".join(t.about_places) or None,
        t.source.key if t.source else None, t.source.title if t.source else None,
        t.access_level.value, t.publication_state.value, t.corroboration_status, plain_text(t.summary_html),
        t.passage_count, t.revision, links.testimony(t.public_id),
    ]


def _testimony_cells(t: TestimonyRow) -> list:
    """The import's testimony columns, from `testimony` to `summary`."""
    return [
        t.public_id, t.title, "; ".join(s.key for s in t.speakers), "; ".join(s.name for s in t.speakers),
        "; ".join(s.kind.value for s in t.speakers), t.account_kind, t.language, t.events_date_edtf,
        t.occasion.key if t.occasion else None, t.source.key if t.source else None, t.access_level.value,
        t.publication_state.value, sanitize_html(t.summary_html), "; ".join(t.about_places) or None,
    ]


def _segment_cells(s: SegmentRecord) -> list:
    """The import's segment columns, from `segment_kind` to `redactions`."""
    return [
        s.kind.value, s.text, s.language, s.direction, s.translation, s.translation_language,
        s.access_level.value, s.author.key if s.author else None, s.number,
        json.dumps(list(s.redactions), ensure_ascii=False) if s.redactions else None,
    ]


def passage_line(t: Optional[TestimonyRow], s: SegmentRecord, links: Links) -> list:
    """A passage's row; a source's own framing (a search hit outside any testimony) has its
    testimony columns empty but for `source`."""
    if t is None:
        testimony = [None] * 9 + [s.source_key] + [None] * 4
        link = links.source(s.source_key) if s.source_key else None
    else:
        testimony = _testimony_cells(t)
        link = links.testimony(t.public_id) + (f"#p{s.number}" if s.number else "")
    return testimony + _segment_cells(s) + [link]


def _lines_of(testimonies: Iterable[TestimonyRow], rows: str, links: Links) -> Iterator[list]:
    for t in testimonies:
        if rows == "passages":
            for segment in t.segments:
                yield passage_line(t, segment, links)
        else:
            yield testimony_line(t, links)


def columns_for(rows: str) -> list[str]:
    return list(PASSAGE_COLUMNS if rows == "passages" else TESTIMONY_COLUMNS)


def testimonies_lines(
    session: Session, viewer: Viewer, testimony_ids: Sequence[int], rows: str, links: Links
) -> Iterator[list]:
    """The rows of these testimonies (database ids in order: a browse list, `search.browse_ids`)."""
    return _lines_of(queries.testimony_rows(session, viewer, testimony_ids, passages=rows == "passages"), rows, links)


def search_lines(
    session: Session, viewer: Viewer, text: str, scope: str, filters: list[tuple[str, str]], rows: str, links: Links
) -> Iterator[list]:
    """Every matching passage (rows=passages), or every testimony with one (rows=testimonies), in
    catalogue order. Raises QueryError at once for a query that cannot run."""
    batches = search_service.all_hits(session, viewer, text, scope=scope, filters=filters)
    if rows == "passages":
        return _search_passages(session, viewer, batches, links)
    return _search_testimonies(session, viewer, batches, links)


def _search_passages(session: Session, viewer: Viewer, batches, links: Links) -> Iterator[list]:
    for hits in batches:
        passages = queries.passages_by_ids(session, viewer, [h.segment_id for h in hits])
        wanted = list(dict.fromkeys(h.testimony_id for h in hits if h.testimony_id is not None))
        testimonies = {}
        for t in queries.testimony_rows(session, viewer, wanted):
            testimonies[t.public_id] = t
        for hit in hits:
            passage = passages.get(hit.segment_id)
            if passage is None:
                continue
            if passage.testimony_id is None:
                yield passage_line(None, passage, links)
            elif passage.testimony_id in testimonies:
                yield passage_line(testimonies[passage.testimony_id], passage, links)


def _search_testimonies(session: Session, viewer: Viewer, batches, links: Links) -> Iterator[list]:
    seen: set[int] = set()
    for hits in batches:
        fresh = []
        for hit in hits:
            if hit.testimony_id is not None and hit.testimony_id not in seen:
                seen.add(hit.testimony_id)
                fresh.append(hit.testimony_id)
        for t in queries.testimony_rows(session, viewer, fresh):
            yield testimony_line(t, links)
