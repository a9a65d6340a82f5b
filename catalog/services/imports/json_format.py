"""The catalog's JSON format as a door into the write path: every entry becomes the typed input of
its kind, every input is checked before anything is written, and problems are named by their path
in the file (`testimonies[3].segments[2].kind`). Records already in the catalog (same key or public
id) are left as they are, so loading the same file twice changes nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy.orm import Session

from ...models import Agent, Claim, Collection, Occasion, Place, Source, Testimony
from ..actors import Actor
from ..write import (
    AgentInput,
    ClaimInput,
    CollectionInput,
    CorroborationInput,
    OccasionInput,
    PlaceInput,
    Problem,
    Problems,
    Rejected,
    SegmentInput,
    SourceInput,
    TestimonyInput,
    WriteContext,
    rules,
)
from ..write.context import commit_revision
from ..write.sealed import check_override
from ..write.sources import SourceRoleInput
from .history import check_history, write_history

FORMAT = "testimony-catalog/1"

#: Each section of the file: its kind of record, how an entry becomes an input, its key field.
_AGENT_FIELDS = ("key", "kind", "name", "description", "protected", "pseudonym", "identity_access", "names")
_PLACE_FIELDS = ("key", "name", "kind", "parent", "latitude", "longitude", "names")
_OCCASION_FIELDS = ("key", "kind", "title", "place", "date", "date_note")
_SOURCE_FIELDS = ("key", "title", "kind", "publisher", "date", "language", "location", "stance_note", "citation",
                  "access_level", "files")
_TESTIMONY_FIELDS = ("id", "title", "account_kind", "occasion", "source", "language", "events_date",
                     "publication_state", "withdrawn_reason", "withdrawn_at", "first_public_at", "access_level", "consent_status", "consent_note",
                     "consent_given_by", "consent_given_by_name", "consent_given_on", "embargo_until",
                     "corroboration", "summary", "roles", "transmission", "claims", "collections", "about_places")
_COLLECTION_FIELDS = ("key", "title", "description")
_SECTIONS = (
    ("agents", Agent, AgentInput, _AGENT_FIELDS, "key"),
    ("places", Place, PlaceInput, _PLACE_FIELDS, "key"),
    ("sources", Source, SourceInput, _SOURCE_FIELDS, "key"),
    ("occasions", Occasion, OccasionInput, _OCCASION_FIELDS, "key"),
    ("collections", Collection, CollectionInput, _COLLECTION_FIELDS, "key"),
    ("testimonies", Testimony, TestimonyInput, _TESTIMONY_FIELDS, "id"),
)


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    #: (kind, key) of every record created, in the order written.
    records: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Entry:
    section: str
    index: int
    model: type
    record_input: Any
    #: The entry as the file gives it.
    raw: dict
    #: Where each of the input's segments stands in the file, when not in its own entry.
    segment_origins: dict[int, tuple] = field(default_factory=dict)
    #: Refusals of words naming a sealed identity the import's override let through, for its revision.
    overridden: list = field(default_factory=list)

    @property
    def path(self) -> tuple:
        return (self.section, self.index)


class _Plan:
    """The file's entries as inputs, in the order they are checked and written."""

    def __init__(self, ctx: WriteContext, data: dict, problems: Problems) -> None:
        self.ctx = ctx
        self.problems = problems
        self.report = LoadReport()
        self.entries: list[_Entry] = []
        self.by_key: dict[tuple[type, str], _Entry] = {}
        for section, model, input_class, names, key_field in _SECTIONS:
            for index, item in rules.items(problems, section, data.get(section)):
                self._add(section, index, model, input_class, names, key_field, item)
        self._gather_source_segments(data)
        self.claims = []
        for i, item in rules.items(problems, "source_claims", data.get("source_claims")):
            if isinstance(item.get("key"), str) and rules.KEY.match(item["key"]) and ctx.exists(Claim, item["key"]):
                self.report.skipped["claim"] += 1
                continue
            self.claims.append((("source_claims", i), ClaimInput(**_pick(item, _CLAIM_FIELDS), key_required=True)))
        self.links = [(("corroborations", i), CorroborationInput(**_pick(item, _LINK_FIELDS)))
                      for i, item in rules.items(problems, "corroborations", data.get("corroborations"))]
        # Links may name claims made anywhere in the file, in any order.
        testimony_claims = [claim for entry in self.entries if entry.model is Testimony
                            for claim in (entry.record_input.claims if isinstance(entry.record_input.claims, list)
                                          else [])]
        for claim in (*testimony_claims, *(claim for _, claim in self.claims)):
            self._declare_claim(claim)
        self.source_roles = [(("source_roles", i), SourceRoleInput(**_pick(item, _SOURCE_ROLE_FIELDS)))
                             for i, item in rules.items(problems, "source_roles", data.get("source_roles"))]

    def _declare_claim(self, claim: Any) -> None:
        key = claim.key if isinstance(claim, ClaimInput) else claim.get("key") if isinstance(claim, dict) else None
        if isinstance(key, str) and rules.KEY.match(key):
            self.ctx.declare(Claim, key, claim)

    def _add(self, section, index, model, input_class, names, key_field, item) -> None:
        where = self.problems.under(section, index)
        key = item.get(key_field)
        key = rules.public_id(where, key_field, key) if model is Testimony else rules.key(where, key_field, key)
        if key is None:
            return
        if (model, key) in self.by_key:
            where.add(key_field, f"“{key}” is given twice in this file.")
            return
        if self.ctx.exists(model, key):
            self.report.skipped[_kind(model)] += 1
            return
        values = _pick(item, names)
        if model is Testimony:
            values["segments"] = []
            values.setdefault("publication_state", "draft")
        elif model is Source:
            values["segments"] = []
        record_input = input_class(**values) if model is Testimony else input_class(**values, key_required=True)
        entry = _Entry(section, index, model, record_input, item)
        if model is Testimony:
            for seg_index, seg in rules.items(where, "segments", item.get("segments")):
                entry.segment_origins[len(record_input.segments)] = (section, index, "segments", seg_index)
                record_input.segments.append(SegmentInput.from_entry(seg))
        self.by_key[(model, key)] = entry
        self.entries.append(entry)
        self.ctx.declare(model, key, record_input)

    def _gather_source_segments(self, data: dict) -> None:
        """A source's text in its order: its own framing, and the words of the testimonies it quotes."""
        for source_index, item in rules.items(Problems(), "sources", data.get("sources")):
            entry = self.by_key.get((Source, item.get("key")))
            if entry is None:
                continue
            where = self.problems.under("sources", source_index)
            for index, seg in rules.items(where, "segments", item.get("segments")):
                segment = SegmentInput.from_entry({**seg, "source": entry.record_input.key})
                if segment.source_position is None:
                    segment.source_position = index + 1
                owner = seg.get("testimony")
                origin = ("sources", source_index, "segments", index)
                if owner is None:
                    segment.source = None
                    entry.segment_origins[len(entry.record_input.segments)] = origin
                    entry.record_input.segments.append(segment)
                    continue
                testimony = self.by_key.get((Testimony, owner))
                if testimony is None:
                    known = isinstance(owner, str) and bool(rules.PUBLIC_ID.match(owner)) \
                        and self.ctx.exists(Testimony, owner)
                    where.add(("segments", index, "testimony"),
                              f"{owner} already exists; its text cannot be extended by an import." if known
                              else f"There is no testimony “{rules.shown(owner)}” in this file.")
                    continue
                testimony.segment_origins[len(testimony.record_input.segments)] = origin
                testimony.record_input.segments.append(segment)

    # --- checking and writing -------------------------------------------------------------------

    def check(self) -> None:
        for entry in self.entries:
            found = Problems()
            self.ctx.sealed_overridden = []
            entry.record_input.check(self.ctx, found)
            entry.overridden, self.ctx.sealed_overridden = self.ctx.sealed_overridden, []
            for problem in found:
                self.problems.add(_absolute(entry, problem.path), problem.message, problem.kind)
            check_history(self.problems.under(*entry.path), entry.raw.get("revisions"))
        for path, item in (*self.claims, *self.links, *self.source_roles):
            item.check(self.ctx, self.problems.under(*path))

    def would_create(self) -> LoadReport:
        """What a write would create, for a dry run's report."""
        for entry in self.entries:
            self.report.created[_kind(entry.model)] += 1
        self.report.created["claim"] += len(self.claims) + sum(
            len(e.record_input.claims or []) for e in self.entries if e.model is Testimony)
        self.report.created = +self.report.created
        return self.report

    def write(self, progress=None) -> LoadReport:
        total = len(self.entries) + len(self.claims) + len(self.links) + len(self.source_roles)
        done = 0
        if progress:
            progress(0, total)
        for entry in _parents_first(self.entries):
            record = entry.record_input.apply(self.ctx, None)
            self.ctx.session.flush()
            if entry.raw.get("revisions"):
                write_history(self.ctx.session, record, entry.raw["revisions"])
            else:
                self.ctx.sealed_overridden = entry.overridden
                commit_revision(self.ctx, record, "created by import")
            kind = _kind(entry.model)
            self.report.created[kind] += 1
            self.report.records.append((kind, getattr(record, "key", None) or record.public_id))
            done += 1
            if progress:
                progress(done, total)
        for _, claim in self.claims:
            claim.apply(self.ctx)
            self.report.created["claim"] += 1
            done += 1
        self.report.created["claim"] += sum(len(e.record_input.claims or []) for e in self.entries
                                            if e.model is Testimony)
        self.report.created = +self.report.created  # drop kinds of which nothing was created
        self.ctx.session.flush()
        for kind, items in (("corroboration", self.links), ("source_role", self.source_roles)):
            for _, item in items:
                if item.exists(self.ctx):
                    self.report.skipped[kind] += 1
                    continue
                item.apply(self.ctx)
                self.report.created[kind] += 1
        self.ctx.session.flush()
        if progress:
            progress(total, total)
        return self.report


_CLAIM_FIELDS = ("key", "segment", "kind", "statement", "excerpt", "speaker", "quantity_low", "quantity_high",
                 "scope")
_LINK_FIELDS = ("from_claim", "to_claim", "to_testimony", "relation", "rationale", "evidence", "created_at")
_SOURCE_ROLE_FIELDS = ("source", "agent", "role", "relation", "named_by")


def _kind(model: type) -> str:
    return {Testimony: "testimony"}.get(model, model.__tablename__.rstrip("s"))


def _pick(item: dict, names: tuple) -> dict:
    return {name: item[name] for name in names if name in item}


def _absolute(entry: _Entry, path: tuple) -> tuple:
    """Where a problem stands in the file: a segment's where the segment is written, which for the
    words a source quotes is in the source's own list."""
    if len(path) >= 2 and path[0] == "segments" and isinstance(path[1], int) and path[1] in entry.segment_origins:
        return (*entry.segment_origins[path[1]], *path[2:])
    return (*entry.path, *path)


def _parents_first(entries: list[_Entry]) -> list[_Entry]:
    """Entries in an order where every place comes after the place it lies within."""
    places = [e for e in entries if e.model is Place]
    placed: list[_Entry] = []
    done: set[str] = set()
    while places:
        ready = [e for e in places if not isinstance(e.record_input.parent, str) or e.record_input.parent in done
                 or all(e.record_input.parent != p.record_input.key for p in places)]
        for entry in ready:
            placed.append(entry)
            done.add(entry.record_input.key)
        places = [e for e in places if e not in ready]
    return [e for e in entries if e.model is Agent] + placed + [e for e in entries if e.model not in (Agent, Place)]


def load_catalog(session: Session, data: Any, actor: Actor, dry_run: bool = False, progress=None,
                 sealed_override: Optional[str] = None) -> LoadReport:
    """Check a file in the catalog's JSON format and, unless `dry_run`, write it. Raises `Rejected`
    with every problem by path; the caller must then roll back. Never commits. `progress(done,
    total)` hears of each record written. `sealed_override`: the reason an archivist gives to
    import words naming a sealed identity anyway (each record's revision records it)."""
    problems = Problems()
    if not isinstance(data, dict):
        raise Rejected([Problem((), "The file must hold a JSON object.")])
    if data.get("format") != FORMAT:
        raise Rejected([Problem(("format",), f"Must be “{FORMAT}”, not “{rules.shown(data.get('format'))}”.")])
    ctx = WriteContext(session, actor, sealed_override)
    check_override(ctx, problems)
    with session.no_autoflush:
        plan = _Plan(ctx, data, problems)
        plan.check()
    problems.raise_any()
    if dry_run:
        return plan.would_create()
    return plan.write(progress)
