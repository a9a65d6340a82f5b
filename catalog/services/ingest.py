"""Loading the catalog's JSON format: the seeds, and full-fidelity imports of exports.

Every entry is checked and every problem is reported with where it is ("testimonies[3].segments[2]
.kind") before anything counts: the caller commits only a load without problems, so an import is
all-or-nothing. Records that already exist (same key or public id) are left as they are, so
loading the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import dates
from ..models import (
    AccessLevel,
    AccountKind,
    Agent,
    AgentKind,
    AgentName,
    AgentRole,
    Claim,
    ClaimKind,
    ConsentStatus,
    CorroborationChange,
    CorroborationLink,
    CorroborationRelation,
    CorroborationStatus,
    NameKind,
    Occasion,
    OccasionKind,
    Place,
    PlaceName,
    PublicationState,
    Redaction,
    RoleKind,
    Segment,
    SegmentKind,
    Source,
    SourceFile,
    SourceKind,
    Testimony,
    TransmissionLink,
)
from ..sanitize import sanitize_html
from ..text import TextRejected, clean_text, direction_of
from .actors import Actor
from .revisions import record_revision

FORMAT = "testimony-catalog/1"
PUBLIC_ID = re.compile(r"^T-\d{4,}$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

#: Longest text accepted per kind of field.
MAX_NAME = 300
MAX_TITLE = 500
MAX_NOTE = 20_000
MAX_SEGMENT = 200_000


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRejected(Exception):
    """The data has problems; nothing of it may be kept."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Loader:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.report = LoadReport()
        self.agents: dict[str, Agent] = {}
        self.places: dict[str, Place] = {}
        self.sources: dict[str, Source] = {}
        self.occasions: dict[str, Occasion] = {}
        self.testimonies: dict[str, Testimony] = {}
        self.claims: dict[str, Claim] = {}
        self.new_testimonies: set[str] = set()
        self.new_sources: set[str] = set()
        self.revisable: list = []

    # --- checking single values ------------------------------------------------------------

    def problem(self, where: str, message: str) -> None:
        self.report.problems.append(Problem(where, message))

    def text(
        self, entry: dict, name: str, where: str, *, max_length: int, required: bool = False,
        is_name: bool = False, default: str = "",
    ) -> Optional[str]:
        value = entry.get(name)
        if value is None or value == "":
            if required:
                self.problem(f"{where}.{name}", "is required.")
            return default if not required else None
        if not isinstance(value, str):
            self.problem(f"{where}.{name}", f"must be text, not {type(value).__name__}.")
            return None
        try:
            return clean_text(value, f"{where}.{name}", max_length=max_length, is_name=is_name)
        except TextRejected as error:
            self.problem(error.field, str(error).split(": ", 1)[1])
            return None

    def html(self, entry: dict, name: str, where: str) -> str:
        value = self.text(entry, name, where, max_length=MAX_NOTE)
        return sanitize_html(value) if value else ""

    def choice(self, entry: dict, name: str, where: str, enum_class, default=None):
        value = entry.get(name)
        if value is None:
            if default is None:
                self.problem(f"{where}.{name}", "is required.")
            return default
        try:
            return enum_class(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum_class)
            self.problem(f"{where}.{name}", f"{value!r} is not one of: {allowed}.")
            return default

    def edtf(self, entry: dict, name: str, where: str) -> Optional[dates.EDTFDate]:
        value = entry.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{where}.{name}", "must be an EDTF string such as 1988-07-16.")
            return None
        try:
            return dates.parse(value, f"{where}.{name}")
        except dates.InvalidDate as error:
            self.problem(f"{where}.{name}", f"{error.value!r} is not a valid EDTF date ({error.problem}).")
            return None

    def language(self, entry: dict, name: str, where: str, default: Optional[str] = "en") -> Optional[str]:
        value = entry.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not LANGUAGE.match(value):
            self.problem(f"{where}.{name}", f"{value!r} is not a BCP 47 language tag such as en, fa or fa-Latn.")
            return default
        return value

    def key(self, entry: dict, name: str, where: str, pattern=KEY) -> Optional[str]:
        value = entry.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            hint = "T-0001" if pattern is PUBLIC_ID else "lower-case letters, digits and hyphens"
            self.problem(f"{where}.{name}", f"{value!r} is not a valid identifier ({hint}).")
            return None
        return value

    def integer(self, entry: dict, name: str, where: str, minimum: int = 0) -> Optional[int]:
        value = entry.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(f"{where}.{name}", f"must be a whole number of at least {minimum}.")
            return None
        return value

    def items(self, container: dict, name: str, where: str) -> list[tuple[str, dict]]:
        value = container.get(name) or []
        if not isinstance(value, list):
            self.problem(f"{where}{name}", "must be a list.")
            return []
        out = []
        for index, item in enumerate(value):
            item_where = f"{where}{name}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_where, "must be an object.")
                continue
            out.append((item_where, item))
        return out

    # --- resolving references --------------------------------------------------------------

    def _lookup(self, cache: dict, model, column, value: Optional[str], where: str, what: str):
        if value is None:
            return None
        if value in cache:
            return cache[value]
        found = self.session.scalar(select(model).where(column == value))
        if found is None:
            self.problem(where, f"refers to {what} {value!r}, which is neither in this file nor in the catalog.")
            return None
        cache[value] = found
        return found

    def agent(self, value, where):
        return self._lookup(self.agents, Agent, Agent.key, value, where, "agent")

    def place(self, value, where):
        return self._lookup(self.places, Place, Place.key, value, where, "place")

    def source(self, value, where):
        return self._lookup(self.sources, Source, Source.key, value, where, "source")

    def occasion(self, value, where):
        return self._lookup(self.occasions, Occasion, Occasion.key, value, where, "occasion")

    def testimony(self, value, where):
        return self._lookup(self.testimonies, Testimony, Testimony.public_id, value, where, "testimony")

    def claim(self, value, where):
        return self._lookup(self.claims, Claim, Claim.key, value, where, "claim")

    def _exists(self, model, column, value) -> bool:
        return value is not None and self.session.scalar(select(model.id).where(column == value)) is not None

    # --- sections --------------------------------------------------------------------------

    def names(self, entry: dict, where: str, name_class, owner_field: str) -> list:
        names = []
        for name_where, item in self.items(entry, "names", f"{where}."):
            name = self.text(item, "name", name_where, max_length=MAX_NAME, required=True, is_name=True)
            kind = self.choice(item, "kind", name_where, NameKind)
            language = self.language(item, "language", name_where, default=None)
            note = self.text(item, "note", name_where, max_length=MAX_NOTE) if name_class is AgentName else None
            if name and kind:
                values = {"name": name, "kind": kind, "language": language}
                if name_class is AgentName:
                    values["note"] = note or ""
                names.append(name_class(**values))
        return names

    def load_agents(self, data: dict) -> None:
        for where, entry in self.items(data, "agents", ""):
            key = self.key(entry, "key", where)
            if key is None:
                continue
            if key in self.agents or self._exists(Agent, Agent.key, key):
                self.report.skipped["agent"] += 1
                self.agent(key, where)
                continue
            protected = bool(entry.get("protected", False))
            pseudonym = self.text(entry, "pseudonym", where, max_length=MAX_NAME, is_name=True) or None
            if protected and not pseudonym:
                self.problem(f"{where}.pseudonym", "a protected person needs a public pseudonym.")
            agent = Agent(
                key=key,
                kind=self.choice(entry, "kind", where, AgentKind, AgentKind.PERSON),
                preferred_name=self.text(entry, "name", where, max_length=MAX_NAME, required=True, is_name=True) or "",
                description_html=self.html(entry, "description", where),
                is_protected=protected,
                public_pseudonym=pseudonym,
                identity_access=self.choice(entry, "identity_access", where, AccessLevel, AccessLevel.CONFIDENTIAL),
                names=self.names(entry, where, AgentName, "agent"),
            )
            self.session.add(agent)
            self.agents[key] = agent
            self.revisable.append(agent)
            self.report.created["agent"] += 1

    def load_places(self, data: dict) -> None:
        entries = self.items(data, "places", "")
        for where, entry in entries:
            key = self.key(entry, "key", where)
            if key is None:
                continue
            if key in self.places or self._exists(Place, Place.key, key):
                self.report.skipped["place"] += 1
                self.place(key, where)
                continue
            place = Place(
                key=key,
                name=self.text(entry, "name", where, max_length=MAX_NAME, required=True, is_name=True) or "",
                kind=self.text(entry, "kind", where, max_length=60) or "",
                latitude=entry.get("latitude"),
                longitude=entry.get("longitude"),
                names=self.names(entry, where, PlaceName, "place"),
            )
            for axis, limit in (("latitude", 90), ("longitude", 180)):
                value = entry.get(axis)
                if value is not None and (not isinstance(value, (int, float)) or abs(value) > limit):
                    self.problem(f"{where}.{axis}", f"must be a number between -{limit} and {limit}.")
                    setattr(place, axis, None)
            self.session.add(place)
            self.places[key] = place
            self.revisable.append(place)
            self.report.created["place"] += 1
        # Parents may come later in the file than their children.
        for where, entry in entries:
            place = self.places.get(entry.get("key"))
            if place is not None and place.id is None and entry.get("parent"):
                parent = self.place(entry["parent"], f"{where}.parent")
                if parent is place:
                    self.problem(f"{where}.parent", "a place cannot be its own parent.")
                else:
                    place.parent = parent

    def load_sources(self, data: dict) -> None:
        for where, entry in self.items(data, "sources", ""):
            key = self.key(entry, "key", where)
            if key is None:
                continue
            if key in self.sources or self._exists(Source, Source.key, key):
                self.report.skipped["source"] += 1
                self.source(key, where)
                continue
            date = self.edtf(entry, "date", where)
            files = []
            for file_where, item in self.items(entry, "files", f"{where}."):
                sha = item.get("sha256")
                if not isinstance(sha, str) or not SHA256.match(sha):
                    self.problem(f"{file_where}.sha256", "must be 64 lower-case hexadecimal digits.")
                    continue
                files.append(
                    SourceFile(
                        filename=self.text(item, "filename", file_where, max_length=500, required=True) or "",
                        media_type=self.text(item, "media_type", file_where, max_length=120)
                        or "application/octet-stream",
                        size=self.integer(item, "size", file_where),
                        sha256=sha,
                        access_level=self.choice(item, "access_level", file_where, AccessLevel, AccessLevel.PUBLIC),
                    )
                )
            location = self.text(entry, "location", where, max_length=2000) or ""
            if re.match(r"^\s*(javascript|data|vbscript):", location, re.IGNORECASE):
                self.problem(f"{where}.location", "must be a web address (http or https) or a shelf mark.")
                location = ""
            source = Source(
                key=key,
                title=self.text(entry, "title", where, max_length=MAX_TITLE, required=True) or "",
                kind=self.choice(entry, "kind", where, SourceKind, SourceKind.DOCUMENT),
                publisher=self.agent(entry.get("publisher"), f"{where}.publisher"),
                date_edtf=date.text if date else None,
                date_lower=date.lower if date else None,
                date_upper=date.upper if date else None,
                language=self.language(entry, "language", where, default=None),
                location=location,
                stance_note_html=self.html(entry, "stance_note", where),
                citation=self.text(entry, "citation", where, max_length=MAX_NOTE) or "",
                access_level=self.choice(entry, "access_level", where, AccessLevel, AccessLevel.PUBLIC),
                files=files,
            )
            self.session.add(source)
            self.sources[key] = source
            self.new_sources.add(key)
            self.revisable.append(source)
            self.report.created["source"] += 1

    def load_occasions(self, data: dict) -> None:
        for where, entry in self.items(data, "occasions", ""):
            key = self.key(entry, "key", where)
            if key is None:
                continue
            if key in self.occasions or self._exists(Occasion, Occasion.key, key):
                self.report.skipped["occasion"] += 1
                self.occasion(key, where)
                continue
            date = self.edtf(entry, "date", where)
            occasion = Occasion(
                key=key,
                kind=self.choice(entry, "kind", where, OccasionKind, OccasionKind.PUBLICATION),
                title=self.text(entry, "title", where, max_length=MAX_TITLE, required=True) or "",
                place=self.place(entry.get("place"), f"{where}.place"),
                date_edtf=date.text if date else None,
                date_lower=date.lower if date else None,
                date_upper=date.upper if date else None,
                date_note=self.text(entry, "date_note", where, max_length=MAX_NOTE) or "",
            )
            self.session.add(occasion)
            self.occasions[key] = occasion
            self.revisable.append(occasion)
            self.report.created["occasion"] += 1

    def segment(self, entry: dict, where: str) -> Optional[Segment]:
        kind = self.choice(entry, "kind", where, SegmentKind)
        text = self.text(entry, "text", where, max_length=MAX_SEGMENT, required=True)
        language = self.language(entry, "language", where, default="en")
        direction = entry.get("direction") or direction_of(language)
        if direction not in ("ltr", "rtl"):
            self.problem(f"{where}.direction", f"{direction!r} is not ltr or rtl.")
            direction = direction_of(language)
        if kind is SegmentKind.FIRST_PERSON and entry.get("author"):
            self.problem(f"{where}.author", "first-person words have a speaker, not an author of framing.")
        segment = Segment(
            kind=kind or SegmentKind.EDITORIAL,
            text=text or "",
            language=language,
            direction=direction,
            translation=self.text(entry, "translation", where, max_length=MAX_SEGMENT) or None,
            translation_language=self.language(entry, "translation_language", where, default=None),
            timecode_start=entry.get("timecode_start"),
            timecode_end=entry.get("timecode_end"),
            access_level=self.choice(entry, "access_level", where, AccessLevel, AccessLevel.PUBLIC),
            author=self.agent(entry.get("author"), f"{where}.author"),
            source_paragraph=self.integer(entry, "paragraph", where, minimum=1),
        )
        for red_where, item in self.items(entry, "redactions", f"{where}."):
            start, end = self.integer(item, "start", red_where), self.integer(item, "end", red_where)
            if start is None or end is None or not 0 <= start < end <= len(segment.text):
                self.problem(red_where, f"span must lie within the text (0 to {len(segment.text)}) and not be empty.")
                continue
            segment.redactions.append(
                Redaction(
                    start=start,
                    end=end,
                    reason=self.text(item, "reason", red_where, max_length=MAX_NOTE) or "",
                    access_level=self.choice(item, "access_level", red_where, AccessLevel, AccessLevel.CONFIDENTIAL),
                )
            )
        return segment

    def load_testimonies(self, data: dict) -> None:
        for where, entry in self.items(data, "testimonies", ""):
            public_id = self.key(entry, "id", where, pattern=PUBLIC_ID)
            if public_id is None:
                continue
            if public_id in self.testimonies or self._exists(Testimony, Testimony.public_id, public_id):
                self.report.skipped["testimony"] += 1
                self.testimony(public_id, where)
                continue
            events = self.edtf(entry, "events_date", where)
            corroboration = entry.get("corroboration") or {}
            if not isinstance(corroboration, dict):
                self.problem(f"{where}.corroboration", "must be an object with status and rationale.")
                corroboration = {}
            status = self.choice(
                corroboration, "status", f"{where}.corroboration", CorroborationStatus, CorroborationStatus.UNVERIFIED
            )
            rationale = self.text(corroboration, "rationale", f"{where}.corroboration", max_length=MAX_NOTE) or ""
            state = self.choice(entry, "publication_state", where, PublicationState, PublicationState.DRAFT)
            testimony = Testimony(
                public_id=public_id,
                title=self.text(entry, "title", where, max_length=MAX_TITLE, required=True) or "",
                occasion=self.occasion(entry.get("occasion"), f"{where}.occasion"),
                source=self.source(entry.get("source"), f"{where}.source"),
                language=self.language(entry, "language", where),
                account_kind=self.choice(entry, "account_kind", where, AccountKind, AccountKind.EYEWITNESS),
                events_date_edtf=events.text if events else None,
                events_date_lower=events.lower if events else None,
                events_date_upper=events.upper if events else None,
                publication_state=state,
                withdrawn_reason=self.text(entry, "withdrawn_reason", where, max_length=MAX_NOTE) or "",
                access_level=self.choice(entry, "access_level", where, AccessLevel, AccessLevel.PUBLIC),
                consent_status=self.choice(entry, "consent_status", where, ConsentStatus, ConsentStatus.UNKNOWN),
                consent_note=self.text(entry, "consent_note", where, max_length=MAX_NOTE) or "",
                corroboration_status=status,
                corroboration_rationale=rationale,
                summary_html=self.html(entry, "summary", where),
            )
            if state is PublicationState.WITHDRAWN and not testimony.withdrawn_reason:
                self.problem(f"{where}.withdrawn_reason", "a withdrawn testimony needs the reason it was withdrawn.")
            history = corroboration.get("history")
            if isinstance(history, list) and history:
                for index, change in enumerate(history):
                    change_where = f"{where}.corroboration.history[{index}]"
                    if not isinstance(change, dict):
                        self.problem(change_where, "must be an object.")
                        continue
                    testimony.corroboration_history.append(
                        CorroborationChange(
                            status=self.choice(change, "status", change_where, CorroborationStatus, status),
                            rationale=self.text(change, "rationale", change_where, max_length=MAX_NOTE, required=True) or "",
                            changed_by_label=self.text(change, "changed_by", change_where, max_length=200)
                            or self.actor.label,
                        )
                    )
            elif rationale:
                testimony.corroboration_history.append(
                    CorroborationChange(status=status, rationale=rationale, changed_by_label=self.actor.label)
                )
            for position, (role_where, item) in enumerate(self.items(entry, "roles", f"{where}.")):
                role = self.role(item, role_where)
                if role is not None:
                    role.position = position
                    testimony.roles.append(role)
            for position, (link_where, item) in enumerate(self.items(entry, "transmission", f"{where}.")):
                agent = self.agent(item.get("agent"), f"{link_where}.agent")
                source = self.source(item.get("source"), f"{link_where}.source")
                if item.get("agent") is None and item.get("source") is None:
                    self.problem(link_where, "a link of the chain needs an agent, a source or both.")
                testimony.transmission.append(
                    TransmissionLink(
                        position=position + 1,
                        agent=agent,
                        source=source,
                        note=self.text(item, "note", link_where, max_length=MAX_NOTE) or "",
                    )
                )
            for seg_where, item in self.items(entry, "segments", f"{where}."):
                segment = self.segment(item, seg_where)
                if segment is None:
                    continue
                if item.get("source") is not None:
                    segment.source = self.source(item["source"], f"{seg_where}.source")
                    segment.source_position = self.integer(item, "source_position", seg_where, minimum=1)
                    if segment.source_position is None:
                        self.problem(f"{seg_where}.source_position", "is required when a segment names its source.")
                self._append_segment(testimony, segment, self.integer(item, "number", seg_where, minimum=1))
            if not testimony.segments and not any(
                isinstance(s, dict) and s.get("testimony") == public_id
                for source in (data.get("sources") or [])
                if isinstance(source, dict)
                for s in (source.get("segments") or [])
            ):
                self.problem(f"{where}.segments", "a testimony needs at least one segment of text.")
            self.session.add(testimony)
            self.testimonies[public_id] = testimony
            self.new_testimonies.add(public_id)
            self.revisable.append(testimony)
            self.report.created["testimony"] += 1

    def role(self, item: dict, where: str) -> Optional[AgentRole]:
        kind = self.choice(item, "role", where, RoleKind)
        agent = self.agent(item.get("agent"), f"{where}.agent")
        if item.get("agent") is None:
            self.problem(f"{where}.agent", "is required.")
        named_by = self.source(item.get("named_by"), f"{where}.named_by")
        if kind is RoleKind.ALLEGED_PERPETRATOR and item.get("named_by") is None:
            self.problem(
                f"{where}.named_by",
                "an alleged perpetrator must be named by a source; the catalog accuses nobody itself.",
            )
        if kind is None or agent is None:
            return None
        return AgentRole(
            agent=agent,
            role=kind,
            named_by=named_by,
            relation_to_events=self.text(item, "relation", where, max_length=MAX_NOTE) or "",
        )

    def _append_segment(self, testimony: Testimony, segment: Segment, number: Optional[int]) -> None:
        used = {s.number for s in testimony.segments}
        segment.position = len(testimony.segments) + 1
        segment.number = number if number is not None and number not in used else max(used, default=0) + 1
        testimony.segments.append(segment)

    def load_source_segments(self, data: dict) -> None:
        for source_where, entry in self.items(data, "sources", ""):
            key = entry.get("key")
            if key not in self.new_sources:
                continue
            source = self.sources[key]
            positions: set[int] = set()
            for index, (where, item) in enumerate(self.items(entry, "segments", f"{source_where}.")):
                segment = self.segment(item, where)
                if segment is None:
                    continue
                position = self.integer(item, "position", where, minimum=1) or index + 1
                if position in positions:
                    self.problem(f"{where}.position", f"position {position} is used twice in this source.")
                positions.add(position)
                segment.source = source
                segment.source_position = position
                owner = item.get("testimony")
                if owner is None:
                    self.session.add(segment)
                    continue
                testimony = self.testimony(owner, f"{where}.testimony")
                if testimony is None:
                    continue
                if owner not in self.new_testimonies:
                    self.problem(f"{where}.testimony", f"{owner} already exists; its text cannot be extended by an import.")
                    continue
                self._append_segment(testimony, segment, self.integer(item, "number", where, minimum=1))

    def _segment_ref(self, ref, where: str) -> Optional[Segment]:
        if not isinstance(ref, dict):
            self.problem(where, "must name a segment: {source, position} or {testimony, number}.")
            return None
        if "testimony" in ref:
            testimony = self.testimony(ref.get("testimony"), f"{where}.testimony")
            found = [s for s in testimony.segments if s.number == ref.get("number")] if testimony else []
        else:
            source = self.source(ref.get("source"), f"{where}.source")
            found = []
            if source is not None:
                found = [
                    obj for obj in self.session.new
                    if isinstance(obj, Segment) and obj.source is source and obj.source_position == ref.get("position")
                ]
                for testimony in self.testimonies.values():
                    found += [s for s in testimony.segments if s.source is source and s.source_position == ref.get("position")]
                if not found and source.id is not None:
                    found = list(self.session.scalars(
                        select(Segment).where(Segment.source_id == source.id, Segment.source_position == ref.get("position"))
                    ))
        if not found:
            self.problem(where, f"no segment matches {ref}.")
            return None
        return found[0]

    def load_claims(self, data: dict) -> None:
        entries = [
            (f"{t_where}.claims[{index}]", item)
            for t_where, testimony in self.items(data, "testimonies", "")
            for index, item in enumerate(testimony.get("claims") or [])
        ] + self.items(data, "source_claims", "")
        for where, item in entries:
            if not isinstance(item, dict):
                self.problem(where, "must be an object.")
                continue
            key = self.key(item, "key", where)
            if key is None:
                continue
            if key in self.claims or self._exists(Claim, Claim.key, key):
                self.report.skipped["claim"] += 1
                self.claim(key, where)
                continue
            segment = self._segment_ref(item.get("segment"), f"{where}.segment")
            scope = item.get("scope") or {}
            if not isinstance(scope, dict):
                self.problem(f"{where}.scope", "must be an object with place, period and note.")
                scope = {}
            period = self.edtf(scope, "period", f"{where}.scope")
            excerpt = self.text(item, "excerpt", where, max_length=MAX_SEGMENT) or ""
            if segment is not None and excerpt and excerpt not in segment.text:
                self.problem(f"{where}.excerpt", "must be words of the segment the claim is made in.")
            low, high = self.integer(item, "quantity_low", where), self.integer(item, "quantity_high", where)
            if low is not None and high is not None and high < low:
                self.problem(f"{where}.quantity_high", "is smaller than quantity_low.")
            if segment is None:
                continue
            claim = Claim(
                key=key,
                segment=segment,
                speaker=self.agent(item.get("speaker"), f"{where}.speaker"),
                kind=self.choice(item, "kind", where, ClaimKind, ClaimKind.EVENT),
                statement=self.text(item, "statement", where, max_length=MAX_NOTE, required=True) or "",
                excerpt=excerpt,
                quantity_low=low,
                quantity_high=high,
                scope_place=self.place(scope.get("place"), f"{where}.scope.place"),
                scope_period_edtf=period.text if period else None,
                scope_period_lower=period.lower if period else None,
                scope_period_upper=period.upper if period else None,
                scope_note=self.text(scope, "note", f"{where}.scope", max_length=MAX_NOTE) or "",
            )
            self.session.add(claim)
            self.claims[key] = claim
            self.report.created["claim"] += 1

    def load_corroborations(self, data: dict) -> None:
        for where, item in self.items(data, "corroborations", ""):
            source_claim = self.claim(item.get("from_claim"), f"{where}.from_claim")
            target_claim = self.claim(item.get("to_claim"), f"{where}.to_claim") if item.get("to_claim") else None
            target_testimony = (
                self.testimony(item.get("to_testimony"), f"{where}.to_testimony") if item.get("to_testimony") else None
            )
            if (item.get("to_claim") is None) == (item.get("to_testimony") is None):
                self.problem(where, "needs exactly one of to_claim and to_testimony.")
            relation = self.choice(item, "relation", where, CorroborationRelation)
            rationale = self.text(item, "rationale", where, max_length=MAX_NOTE, required=True)
            if source_claim is None or relation is None or (target_claim is None and target_testimony is None):
                continue
            if source_claim is target_claim:
                self.problem(f"{where}.to_claim", "a claim cannot corroborate itself.")
                continue
            if source_claim.id is not None and self.session.scalar(
                select(CorroborationLink.id).where(
                    CorroborationLink.from_claim_id == source_claim.id,
                    CorroborationLink.to_claim_id == (target_claim.id if target_claim else None),
                    CorroborationLink.to_testimony_id == (target_testimony.id if target_testimony else None),
                    CorroborationLink.relation == relation,
                )
            ):
                self.report.skipped["corroboration"] += 1
                continue
            self.session.add(
                CorroborationLink(
                    from_claim=source_claim,
                    to_claim=target_claim,
                    to_testimony=target_testimony,
                    relation=relation,
                    rationale=rationale or "",
                    evidence=self.text(item, "evidence", where, max_length=MAX_NOTE) or "",
                )
            )
            self.report.created["corroboration"] += 1

    def load_source_roles(self, data: dict) -> None:
        for where, item in self.items(data, "source_roles", ""):
            source = self.source(item.get("source"), f"{where}.source")
            role = self.role({**item, "named_by": item.get("named_by") or item.get("source")}, where)
            if source is None or role is None:
                continue
            if source.id is not None and role.agent.id is not None and self.session.scalar(
                select(AgentRole.id).where(
                    AgentRole.source_id == source.id, AgentRole.agent_id == role.agent.id, AgentRole.role == role.role
                )
            ):
                self.report.skipped["source_role"] += 1
                continue
            if role.role is not RoleKind.ALLEGED_PERPETRATOR:
                role.named_by = None
            role.source = source
            self.session.add(role)
            self.report.created["source_role"] += 1

    def run(self, data: Any) -> LoadReport:
        if not isinstance(data, dict):
            self.problem("(file)", "must be a JSON object.")
            return self.report
        if data.get("format") != FORMAT:
            self.problem("format", f"must be {FORMAT!r}, not {data.get('format')!r}.")
            return self.report
        # Autoflush would write half-checked rows while references are looked up.
        with self.session.no_autoflush:
            self.load_agents(data)
            self.load_places(data)
            self.load_sources(data)
            self.load_occasions(data)
            self.load_testimonies(data)
            self.load_source_segments(data)
            self.load_claims(data)
            self.load_corroborations(data)
            self.load_source_roles(data)
        if self.report.problems:
            return self.report
        self.session.flush()
        for obj in self.revisable:
            record_revision(self.session, obj, self.actor, note="created by import")
        return self.report


def load_catalog(session: Session, data: Any, actor: Actor) -> LoadReport:
    """Load catalog JSON into the session; raise ImportRejected listing every problem.

    Never commits. On ImportRejected the caller must roll back: nothing may be kept.
    """
    report = _Loader(session, actor).run(data)
    if report.problems:
        raise ImportRejected(report.problems)
    return report
