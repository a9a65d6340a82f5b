"""Readable differences between two revisions of a record.

A revision is a full snapshot (canonical JSON). The diff lists the fields that changed with their
old and new values (a list field — roles, claims, redactions, the corroboration history — by the
items added, removed or changed, never as the whole list removed and written again), and, for a testimony, each segment matched by its ¶ number with a word-level
comparison of its text, so an archivist sees exactly which words were corrected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..models.base import as_utc

#: Snapshot keys shown under a friendlier name.
LABELS = {
    "title": "Title", "language": "Language", "account_kind": "Kind of account",
    "events_date_edtf": "Date of the events", "publication_state": "Publication state",
    "withdrawn_reason": "Reason withdrawn", "access_level": "Access", "consent_status": "Consent",
    "consent_note": "Consent note", "corroboration_status": "Corroboration status",
    "corroboration_rationale": "Corroboration rationale", "summary_html": "Archivist’s summary",
    "is_deleted": "Deleted", "deleted_reason": "Reason deleted", "occasion_id": "Occasion",
    "source_id": "Source", "public_id": "Identifier", "preferred_name": "Preferred name",
    "description_html": "Description", "is_protected": "Protected", "public_pseudonym": "Public pseudonym",
    "identity_access": "Who may see the real name", "kind": "Kind", "key": "Key", "name": "Name",
    "parent_id": "Lies within", "latitude": "Latitude", "longitude": "Longitude", "place_id": "Place",
    "date_edtf": "Date", "date_note": "Date note", "publisher_id": "Publisher", "location": "Location",
    "stance_note_html": "Stance note", "citation": "Citation", "text": "Text", "translation": "Translation",
    "translation_language": "Translation language", "direction": "Direction", "author_id": "Author",
    "timecode_start": "Starts at", "timecode_end": "Ends at", "redactions": "Redactions",
    "roles": "Roles", "transmission": "How it reached us", "names": "Other names", "files": "Files",
    "corroboration_history": "Corroboration history", "claims": "Claims", "collections": "Collections", "about_places": "Places spoken of",
    "withdrawn_dt": "Withdrawn on", "first_public_dt": "Readable by the public since",
    "deleted_public_reason": "What readers are told of the deletion",
    "consent_given_by_id": "Consent given by", "consent_given_by_name": "Consent given by (name)",
    "consent_given_edtf": "Consent given on", "embargo_until": "Embargoed until",
    "release_form": "Release form",
}
#: Derived or bookkeeping values that would only repeat another change.
_SKIP = {
    "events_date_lower", "events_date_upper", "date_lower", "date_upper", "scope_period_lower",
    "scope_period_upper", "published_dt", "deleted_dt", "deleted_by_id", "position", "source_position",
}
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of text: unchanged ("same"), removed ("del") or added ("ins")."""

    op: str
    text: str


@dataclass
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any
    #: Word-level pieces for text fields; empty for short values shown as old → new.
    pieces: list[Piece] = field(default_factory=list)
    #: For a list field: the items it gained, the items it lost, and (old, new) pairs of the items
    #: that stayed (same id) but changed. Items that did not change are in none of them.
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    altered: list = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return isinstance(self.old, list) or isinstance(self.new, list)


@dataclass
class SegmentChange:
    number: Any
    status: str  # "added", "removed", "changed", "moved"
    kind: str
    changes: list[FieldChange] = field(default_factory=list)
    text: str = ""


@dataclass
class Diff:
    fields: list[FieldChange]
    segments: list[SegmentChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.segments


def word_diff(old: str, new: str) -> list[Piece]:
    """Word-level pieces turning `old` into `new`."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return pieces


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > 60 or "\n" in value)


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def _same_instant(value: str) -> str:
    """A stored time in one spelling: a time read back from SQLite has no offset where the same
    time, just written, has +00:00; both are UTC and must not read as a change."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return as_utc(moment).isoformat()


def _without_keys(value: Any) -> Any:
    """A snapshot value without the keys written beside ids (they name the same record again),
    its times in one spelling."""
    if isinstance(value, list):
        return [_without_keys(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_keys(v) for k, v in value.items() if not k.endswith("_key")}
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        return _same_instant(value)
    return value


def _identity(item: Any) -> Any:
    """What an item of a list is matched by across revisions: its row id, or else its content."""
    if isinstance(item, dict) and item.get("id") is not None:
        return ("id", item["id"])
    return ("value", json.dumps(item, sort_keys=True, ensure_ascii=False))


def _list_change(change: FieldChange) -> None:
    """Split a changed list into the items added, removed and changed (matched by id)."""
    before, after = change.old or [], change.new or []
    old_by = {_identity(item): item for item in before}
    new_by = {_identity(item): item for item in after}
    change.added = [item for item in after if _identity(item) not in old_by]
    change.removed = [item for item in before if _identity(item) not in new_by]
    change.altered = [(old_by[_identity(item)], item) for item in after
                      if _identity(item) in old_by and old_by[_identity(item)] != item]


def _field_changes(old: dict, new: dict, skip: set[str] = frozenset()) -> list[FieldChange]:
    changes = []
    for name in sorted(set(old) | set(new), key=lambda n: list(LABELS).index(n) if n in LABELS else 999):
        if name in _SKIP or name in skip or name.endswith("_key"):
            continue
        before, after = _without_keys(old.get(name)), _without_keys(new.get(name))
        if before == after:
            continue
        if before in (None, "", []) and after in (None, "", []):
            continue  # absent and empty say the same: nothing
        change = FieldChange(name, LABELS.get(name, name.replace("_", " ")), before, after)
        if change.is_list:
            _list_change(change)
        elif _is_long(before) or _is_long(after):
            change.pieces = word_diff(before or "", after or "")
        changes.append(change)
    return changes


def _segments(old: list[dict], new: list[dict]) -> list[SegmentChange]:
    old_by_number = {s.get("number"): s for s in old}
    new_by_number = {s.get("number"): s for s in new}
    old_order = [s.get("number") for s in old]
    new_order = [s.get("number") for s in new if s.get("number") in old_by_number]
    kept_order = [n for n in old_order if n in new_by_number]
    moved = set()
    if kept_order != new_order:
        matcher = difflib.SequenceMatcher(a=kept_order, b=new_order, autojunk=False)
        in_place = {n for block in matcher.get_matching_blocks() for n in kept_order[block.a:block.a + block.size]}
        moved = set(kept_order) - in_place
    result = []
    for seg in new:
        number = seg.get("number")
        before = old_by_number.get(number)
        if before is None:
            result.append(SegmentChange(number, "added", seg.get("kind", ""), text=seg.get("text", "")))
            continue
        changes = _field_changes(before, seg, skip={"number"})
        for change in changes:
            if change.name == "text":
                change.pieces = word_diff(before.get("text", ""), seg.get("text", ""))
        if changes or number in moved:
            result.append(SegmentChange(number, "changed" if changes else "moved", seg.get("kind", ""), changes))
    for seg in old:
        if seg.get("number") not in new_by_number:
            result.append(SegmentChange(seg.get("number"), "removed", seg.get("kind", ""), text=seg.get("text", "")))
    return result


def diff_snapshots(old_json: str, new_json: str) -> Diff:
    """What changed from one snapshot to another."""
    old, new = json.loads(old_json), json.loads(new_json)
    segments = _segments(old.pop("segments", []), new.pop("segments", []))
    return Diff(_field_changes(old, new), segments)
