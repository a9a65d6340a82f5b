"""Segment operations on unsaved form data: splitting, merging and moving happen on what the
archivist has typed, before anything is saved. The form comes back with the change applied, and
only "Save" writes (and records a revision)."""

from __future__ import annotations

import re
from typing import Optional


def _int_or_none(value) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _shift(redactions: list[dict], offset: int) -> list[dict]:
    shifted = []
    for red in redactions:
        start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
        if start is None or end is None:
            continue
        shifted.append({**red, "start": start + offset, "end": end + offset})
    return shifted


def split_segment(segments: list[dict], index: int) -> str:
    """Split segment `index` at its `split_at` offset (the cursor), or at its first empty line."""
    seg = segments[index]
    text = seg.get("text") or ""
    at = _int_or_none(seg.get("split_at"))
    if at is None or not 0 < at < len(text):
        blank = re.search(r"\n\s*\n", text)
        if blank is None:
            return "To split, put the cursor where the new segment should start (or leave an empty line there)."
        at = blank.start()
    head, tail = text[:at], text[at:]
    head_text, tail_text = head.rstrip(), tail.lstrip()
    if not head_text or not tail_text:
        return "There is nothing to split off at that point."
    tail_offset = at + (len(tail) - len(tail_text))
    first_reds, second_reds = [], []
    for red in seg.get("redactions") or []:
        start, end = _int_or_none(red.get("start")), _int_or_none(red.get("end"))
        if start is None or end is None:
            continue
        if start < len(head_text):
            first_reds.append({**red, "start": start, "end": min(end, len(head_text))})
        if end > tail_offset:
            second_reds.append({**red, "start": max(start, tail_offset) - tail_offset, "end": end - tail_offset})
    segments[index] = {**seg, "text": head_text, "split_at": "", "redactions": first_reds}
    segments.insert(index + 1, {
        **seg, "record_id": "", "number": "", "text": tail_text, "split_at": "", "translation": "",
        "redactions": second_reds, "timecode_start": None, "timecode_end": None,
    })
    return f"Segment {index + 1} split in two; save to keep it."


def merge_segments(segments: list[dict], index: int, source_linked: set[str] = frozenset()) -> str:
    """Merge segment `index` with the one after it (same kind only)."""
    if index + 1 >= len(segments):
        return "There is no segment after this one to merge with."
    first, second = segments[index], segments[index + 1]
    if first.get("kind") != second.get("kind"):
        return "Only segments of the same kind can be merged: a witness's words never run into framing."
    if str(first.get("record_id") or "") in source_linked or str(second.get("record_id") or "") in source_linked:
        return "These words are also part of a source's own text, in its order; merge them there is not possible here."
    joined = (first.get("text") or "").rstrip() + " "
    offset = len(joined)
    translation = " ".join(t for t in ((first.get("translation") or "").strip(), (second.get("translation") or "").strip()) if t)
    segments[index] = {
        **first, "text": joined + (second.get("text") or "").lstrip(), "translation": translation,
        "redactions": [*(first.get("redactions") or []), *_shift(second.get("redactions") or [], offset)],
        "timecode_end": second.get("timecode_end") or first.get("timecode_end"),
    }
    del segments[index + 1]
    return f"Segments {index + 1} and {index + 2} merged; save to keep it."


def move_segment(segments: list[dict], index: int, step: int) -> str:
    target = index + step
    if not 0 <= target < len(segments):
        return "The segment is already at that end."
    segments[index], segments[target] = segments[target], segments[index]
    return f"Segment moved {'up' if step < 0 else 'down'}; save to keep the new order."
