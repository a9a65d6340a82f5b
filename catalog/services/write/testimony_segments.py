"""A testimony's text as a whole: the rules that hold across its segments (some text, ¶ numbers
given once and never reused, one segment per place in a source, no claim left without its words),
and the write that touches only the rows that changed — so a long transcript saves quickly."""

from __future__ import annotations

import json
from typing import Any, Optional

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ...models import Agent, Claim, Redaction, Revision, Segment, Source, Testimony
from ..revisions import new_segment, segment_content
from ..search.documents import tokenise_ahead
from ..search.facts import RANK
from ..search.indexing import update_index
from . import rules
from .context import WriteContext
from .problems import Problems
from .segments import SegmentInput

#: Most segments one testimony may hold (a long interview has a few thousand passages).
MAX_SEGMENTS = 20_000


def check_segment_set(ctx: WriteContext, problems: Problems, entries: Any, existing: Optional[Testimony],
                      default_language: str) -> list[SegmentInput]:
    """Check every segment and the rules that hold across them; return the checked inputs."""
    items = rules.items(problems, "segments", entries)
    if len(items) > MAX_SEGMENTS:
        problems.add("segments", f"{len(items):,} segments; one testimony holds at most {MAX_SEGMENTS:,}.")
        return []
    saved = saved_segments(ctx, existing)
    segments: list[SegmentInput] = []
    numbers: dict[int, int] = {}
    for index, item in items:
        segment = item if isinstance(item, SegmentInput) else SegmentInput.from_entry(item)
        where = problems.under("segments", index)
        segment.check(ctx, where, default_language, saved)
        if segment.id is not None and segment.id not in saved:
            where.add("text", "This segment no longer belongs to the testimony; reload the page.")
        if segment.number is not None and segment.id is None:
            if segment.number in numbers:
                where.add("number", f"¶{segment.number} is given to two segments.")
            numbers[segment.number] = index
        if segment.source is not None and segment.source_position is not None:
            source = ctx.find(Source, segment.source, Problems(), "source")
            if source is not None:
                ctx.take_source_position(where, "source_position", source, segment.source_position,
                                         segment_id=segment.id)
        segments.append(segment)
    if not any(s.text and s.text.strip() for s in segments):
        problems.add("segments", "A testimony needs at least one segment of text.")
    if existing is None:
        _number_new(segments)
    else:
        _check_removals(ctx, problems, saved, segments)
        if any(s.id is None for s in segments) and not problems:
            # The numbers the testimony ever gave, read now rather than under the write lock.
            ctx.numbers_used[existing.id] = (existing.version, numbers_in_history(ctx, existing))
    if not problems:
        _prepare_new(ctx, segments)
    return segments


def _prepare_new(ctx: WriteContext, segments: list[SegmentInput]) -> None:
    """What the write of new segments needs and the checked input alone decides, worked out before
    the write lock is taken (for a long transcript, a good part of the write): the search tokens
    of their index rows, and their content as the revision's snapshot holds it."""
    for segment in segments:
        if segment.id is None and segment.text:
            tokenise_ahead(ctx.tokenised, segment.text, segment.translation,
                           [(r["start"], r["end"], RANK[r["access_level"]]) for r in segment.redactions])
            ctx.snapshot_content[id(segment)] = (segment, segment_content(segment.columns(),
                                                                          segment.redaction_rows()))


def saved_segments(ctx: WriteContext, testimony: Optional[Testimony]) -> dict[int, Segment]:
    """A testimony's saved segments with their redactions, read in two queries (not one per row)."""
    if testimony is None or testimony.id is None:
        return {}
    cached = ctx.segments_read.get(testimony.id)
    if cached is None:
        rows = ctx.session.scalars(
            select(Segment).where(Segment.testimony_id == testimony.id).options(selectinload(Segment.redactions))
        ).all()
        cached = ctx.segments_read[testimony.id] = {s.id: s for s in rows}
    return cached


def _number_new(segments: list[SegmentInput]) -> None:
    """A new testimony's ¶ numbers: as given, the others next after the highest (so a file's claims
    can name the segment they rest on before anything is written)."""
    highest = max((s.number for s in segments if s.number is not None), default=0)
    for segment in segments:
        if segment.number is None:
            highest += 1
            segment.number = highest


def _check_removals(ctx: WriteContext, problems: Problems, saved: dict[int, Segment],
                    segments: list[SegmentInput]) -> None:
    kept = {s.id for s in segments if s.id is not None} | {
        match.id for match in (_by_number(saved, s) for s in segments if s.id is None) if match is not None
    }
    removed = [seg_id for seg_id, seg in saved.items() if seg_id not in kept and seg.source_id is None]
    if not removed:
        return
    counts = ctx.session.execute(
        select(Claim.segment_id, func.count()).where(Claim.segment_id.in_(removed)).group_by(Claim.segment_id)
    ).all()
    for segment_id, count in counts:
        problems.add("segments", f"¶{saved[segment_id].number} has {count} claim(s) attached; remove or move "
                                 "them before removing the segment.")


def _by_number(saved: dict[int, Segment], segment: SegmentInput) -> Optional[Segment]:
    if segment.number is None:
        return None
    return next((s for s in saved.values() if s.number == segment.number), None)


def apply_segments(ctx: WriteContext, testimony: Testimony, segments: list[SegmentInput]) -> None:
    """Write the checked segments: rows matched by id (a form) or ¶ number (a restore) are updated
    in place and keep their number; new rows get a number never used before; rows left out are
    removed (one that is also part of a source's text only leaves the testimony)."""
    saved = saved_segments(ctx, testimony)
    matched: list[tuple[SegmentInput, Optional[Segment]]] = []
    taken: set[int] = set()
    by_number = {s.number: s for s in saved.values()}
    for item in segments:
        row = saved.get(item.id) if item.id is not None else None
        if row is None and item.id is None and item.number in by_number and by_number[item.number].id not in taken:
            row = by_number[item.number]
        if row is not None:
            taken.add(row.id)
        matched.append((item, row))
    _remove(ctx, testimony, [row for row_id, row in saved.items() if row_id not in taken])
    _park_moved(ctx, matched)
    numbers = _NumberBook(ctx, testimony, saved)
    new_rows: list[tuple[int, int, SegmentInput]] = []
    # Rows that keep their place hold it already; moved rows are parked out of the way, so every
    # row can take its final place in one flush.
    for position, (item, row) in enumerate(matched, 1):
        if row is None:
            new_rows.append((position, numbers.give(item.number), item))
            continue
        if row.position != position:
            row.position = position
        if not item.same_as(row):
            item.write(ctx, row)
    kept = [row for _, row in matched if row is not None]
    if new_rows:
        _insert_new(ctx, testimony, new_rows, kept)
    else:
        # Written by the flush that records the revision: one flush, so the search index takes
        # the testimony's rows once. The rows are all in hand: the collection is not read again.
        set_committed_value(testimony, "segments", sorted(kept, key=lambda s: s.position))


def _insert_new(ctx: WriteContext, testimony: Testimony, new_rows: list[tuple[int, int, "SegmentInput"]],
                kept: list[Segment]) -> None:
    """New segments in two bulk statements (rows, then redactions) rather than one ORM object
    each: a long transcript's thousands of rows are written in a fraction of the time, so the write
    lock is held that much less. They are indexed here, as the flush hook indexes ORM writes."""
    session = ctx.session
    session.flush()  # the testimony and any record created beside it get their ids
    keyed: dict[tuple[type, Any], tuple[Optional[int], Optional[str]]] = {}

    def ident(model: type, ref: Any) -> tuple[Optional[int], Optional[str]]:
        """The id and key of the record a checked reference names."""
        if rules.is_blank(ref):
            return None, None
        if (model, ref) not in keyed:
            record = ctx.get(model, ref)
            keyed[(model, ref)] = (record.id, record.key) if record is not None else (None, None)
        return keyed[(model, ref)]

    values, placements, keys = [], [], []
    for position, number, item in new_rows:
        in_source = item.source is not None
        author_id, author_key = ident(Agent, item.author)
        source_id, source_key = ident(Source, item.source) if in_source else (None, None)
        placement = {
            "position": position, "number": number, "author_id": author_id, "source_id": source_id,
            "source_position": item.source_position if in_source else None,
            "source_paragraph": item.paragraph if in_source else None,
        }
        values.append({**item.columns(), "testimony_id": testimony.id, **placement})
        placements.append(placement)
        keys.append({"author_id": author_key, "source_id": source_key})
    # Core inserts: the rows need none of the ORM's bookkeeping (they are read back below).
    session.connection().execute(insert(Segment.__table__), values)
    # Their ids by place (an executemany: SQLite would send the rows one by one to return ids in order).
    placed = dict(session.execute(
        select(Segment.position, Segment.id).where(Segment.testimony_id == testimony.id)
    ).all())
    ids = [placed[position] for position, _, _ in new_rows]
    redactions = [{**redaction, "segment_id": segment_id}
                  for segment_id, (_, _, item) in zip(ids, new_rows) for redaction in item.redaction_rows()]
    if redactions:
        session.connection().execute(insert(Redaction.__table__), redactions)
    update_index(session.connection(), set(), set(ids), set(), tokenised=ctx.tokenised)
    # The testimony's rows as saved, with their redactions, for what follows the save (read now,
    # while the transaction writes: a session reading them after its commit would begin another
    # write transaction). Their redactions are read only for the rows that have some.
    redacted = {segment_id for segment_id, (_, _, item) in zip(ids, new_rows) if item.redactions}
    rows = []
    for start in range(0, len(ids), 900):
        rows.extend(session.scalars(select(Segment).where(Segment.id.in_(ids[start:start + 900]))))
    by_segment: dict[int, list[Redaction]] = {}
    for start in range(0, len(redacted), 900):
        for redaction in session.scalars(select(Redaction).where(
                Redaction.segment_id.in_(sorted(redacted)[start:start + 900])).order_by(Redaction.start)):
            by_segment.setdefault(redaction.segment_id, []).append(redaction)
    for row in rows:
        set_committed_value(row, "redactions", by_segment.get(row.id, []))
    set_committed_value(testimony, "segments", sorted([*kept, *rows], key=lambda s: s.position))
    # The revision's snapshot takes the new rows from the values written, not from the objects.
    new = {}
    for segment_id, placement, row_keys, (_, _, item) in zip(ids, placements, keys, new_rows):
        prepared, content = ctx.snapshot_content.pop(id(item), (None, None))
        if prepared is not item:  # an input written without the check of its testimony's segments
            content = segment_content(item.columns(), item.redaction_rows())
        new[segment_id] = new_segment(content, placement, row_keys, segment_id)
    ctx.segments_written[testimony.id] = [new.get(segment.id, segment) for segment in testimony.segments]


def _remove(ctx: WriteContext, testimony: Testimony, rows: list[Segment]) -> None:
    for row in rows:
        if row.source_id is not None:
            # It stays in the source's text and only leaves this testimony. Done in SQL: taking
            # it out of the collection would delete it as an orphan.
            ctx.session.execute(
                update(Segment).where(Segment.id == row.id).values(testimony_id=None, position=None, number=None)
            )
            ctx.session.expire(row)
        else:
            ctx.session.delete(row)
    if rows:
        ctx.session.flush()
        ctx.session.expire(testimony, ["segments"])
        detached = {row.id for row in rows if row.source_id is not None}
        if detached:
            # Written in SQL, so the index is told here: the words now stand in the source alone.
            update_index(ctx.session.connection(), set(), detached, set())


def _park_moved(ctx: WriteContext, matched: list[tuple[SegmentInput, Optional[Segment]]]) -> None:
    """Move the rows whose place changes out of the way first: swapping two segments must not trip
    the (testimony, position) unique constraint half-way through the flush."""
    moved = [row for position, (_, row) in enumerate(matched, 1) if row is not None and row.position != position]
    for offset, row in enumerate(moved):
        row.position = -1_000_000 - offset
    if moved:
        ctx.session.flush()


class _NumberBook:
    """¶ numbers already given by a testimony, read only when a new segment needs one."""

    def __init__(self, ctx: WriteContext, testimony: Testimony, saved: dict[int, Segment]) -> None:
        self.ctx = ctx
        self.testimony = testimony
        self.used: Optional[set[int]] = None
        self.current = {s.number for s in saved.values() if s.number is not None}

    def give(self, wanted: Optional[int]) -> int:
        if self.used is None:
            self.used = set(self.current) | self._history()
        if wanted is not None and wanted not in self.used:
            self.used.add(wanted)
            return wanted
        number = max(self.used, default=0) + 1
        self.used.add(number)
        return number

    def _history(self) -> set[int]:
        """The numbers of every earlier revision: as read by the check, when the testimony's
        version (re-read under the write lock) shows nothing was saved since; else read again."""
        version, used = self.ctx.numbers_used.pop(self.testimony.id, (None, None))
        if used is not None and version == self.testimony.version:
            return used
        return numbers_in_history(self.ctx, self.testimony)


def numbers_in_history(ctx: WriteContext, testimony: Testimony) -> set[int]:
    """Every ¶ number a testimony's revisions ever gave (they are never given again)."""
    if testimony.id is None:
        return set()
    used: set[int] = set()
    for snapshot in ctx.session.scalars(
        select(Revision.snapshot).where(Revision.entity_type == "testimony", Revision.entity_id == testimony.id)
    ):
        for segment in json.loads(snapshot).get("segments", []):
            if segment.get("number"):
                used.add(segment["number"])
    return used
